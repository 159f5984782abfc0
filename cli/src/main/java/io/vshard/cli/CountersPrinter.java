package io.vshard.cli;

import io.vshard.core.status.CounterRow;
import org.agrona.concurrent.status.CountersReader;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
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
        print(out, CounterRow.readAll(reader), all);
    }

    static void print(final PrintStream out, final List<CounterRow> rows, final boolean all)
    {
        final Map<String, Map<String, Long>> byScope = new LinkedHashMap<>();
        for (final CounterRow row : rows)
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

    /**
     * Rates per second of the lanes and the transport between two reads, one line per scope.
     */
    static void printRates(final PrintStream out, final NodeStatus current, final NodeStatus previous)
    {
        final double seconds = null == previous ? 0 : Math.max(1, current.readMs() - previous.readMs()) / 1000.0;
        final Map<String, StringBuilder> lines = new LinkedHashMap<>();
        for (final CounterRow row : current.counters())
        {
            final boolean lane = row.scope().startsWith("lane ");
            final boolean transport = row.scope().equals("transport");
            final boolean shown = lane ? LANE_RATES.contains(row.metric()) :
                transport && (TRANSPORT_RATES.contains(row.metric()) || GAUGE.equals(row.metric()));
            if (!shown)
            {
                continue;
            }
            final StringBuilder line = lines.computeIfAbsent(row.scope(), (k) -> new StringBuilder(
                String.format("%-10s", k)));
            if (GAUGE.equals(row.metric()))
            {
                line.append(String.format(" %s=%d", "connections", row.value()));
                continue;
            }
            final String rate = null == previous ? "-" : LatencyTable.count(
                Math.round((row.value() - previous.counter(row.scope(), row.metric())) / seconds));
            line.append(' ').append(row.metric().replace(' ', '_')).append("/s=").append(rate);
        }
        lines.values().forEach(out::println);
    }

    private static final String GAUGE = "connections active";
    private static final List<String> LANE_RATES = List.of("received", "handled", "bytes", "errors", "back-pressured");
    private static final List<String> TRANSPORT_RATES = List.of("frames in", "frames out", "bytes in", "bytes out");
}
