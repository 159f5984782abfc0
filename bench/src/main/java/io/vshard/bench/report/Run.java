package io.vshard.bench.report;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One benchmark run of JMH's JSON: a benchmark method with one set of parameters, its primary metric and the
 * secondary ones (aux counters such as {@code handled}, profilers' such as {@code gc.alloc.rate.norm}).
 *
 * @param benchmark the full method name.
 * @param mode      JMH mode ({@code thrpt}, {@code avgt}, {@code ss}).
 * @param threads   threads that ran it.
 * @param params    its parameters.
 * @param primary   the primary metric.
 * @param secondary the secondary metrics by name.
 */
record Run(
    String benchmark, String mode, int threads, Map<String, String> params, Stats primary, Map<String, Stats> secondary)
{
    /** Class and method: {@code PipelineThroughput.oneProducer}. */
    String shortName()
    {
        final String[] parts = benchmark.split("\\.");
        return parts.length < 2 ? benchmark : parts[parts.length - 2] + "." + parts[parts.length - 1];
    }

    /** The package under {@code io.vshard.bench}: {@code throughput}, {@code baseline}, {@code codec}, ... */
    String group()
    {
        final String[] parts = benchmark.split("\\.");
        return parts.length < 3 ? "" : parts[parts.length - 3];
    }

    String paramText()
    {
        return new TreeMap<>(params).entrySet().stream()
            .map((entry) -> entry.getKey() + "=" + entry.getValue())
            .collect(Collectors.joining(" "));
    }

    String label()
    {
        final String paramText = paramText();
        return paramText.isEmpty() ? shortName() : shortName() + " " + paramText;
    }

    String param(final String name)
    {
        return params.get(name);
    }

    Stats handled()
    {
        return secondary.get("handled");
    }

    Stats allocNorm()
    {
        return secondary.get("gc.alloc.rate.norm");
    }
}
