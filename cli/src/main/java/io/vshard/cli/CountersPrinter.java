package io.vshard.cli;

import io.vshard.core.status.CounterRow;
import org.agrona.concurrent.status.CountersReader;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prints counters grouped by scope, one line per scope: {@code lane 0  received=10 handled=10 ...}.
 */
final class CountersPrinter
{
    private CountersPrinter()
    {
    }

    static void print(final PrintStream out, final CountersReader reader, final boolean all)
    {
        final Map<String, Map<String, Long>> byScope = new LinkedHashMap<>();
        for (final CounterRow row : CounterRow.readAll(reader))
        {
            byScope.computeIfAbsent(row.scope(), (k) -> new LinkedHashMap<>()).put(row.metric(), row.value());
        }
        byScope.forEach((scope, metrics) ->
        {
            final boolean quiet = metrics.values().stream().allMatch((v) -> 0 == v);
            if (quiet && !all && scope.startsWith("target "))
            {
                return;
            }
            final StringBuilder line = new StringBuilder(String.format("  %-30s", scope));
            metrics.forEach((metric, value) ->
            {
                if (0 != value || all || !metric.startsWith("errors "))
                {
                    line.append(' ').append(metric.replace(' ', '_')).append('=').append(value);
                }
            });
            out.println(line);
        });
    }
}
