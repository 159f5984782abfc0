package io.vshard.cli;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.status.LatencySnapshot;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The per-target latency table of {@code vshard stat}, 99 columns wide: a count or rate, slow calls, then queue
 * wait and service time percentiles of the latest interval.
 */
final class LatencyTable
{
    private LatencyTable()
    {
    }

    /**
     * Print the table.
     *
     * @param out      where.
     * @param current  the status read now.
     * @param previous the status read before, for rates per second, or {@code null} for interval counts.
     * @param all      also targets without traffic.
     */
    static void print(final PrintStream out, final NodeStatus current, final NodeStatus previous, final boolean all)
    {
        final double seconds = null == previous ? 0 : Math.max(1, current.readMs() - previous.readMs()) / 1000.0;
        out.printf("%-29s %-34s %-34s%n", "",
            "------ queue wait (interval) ------", "----- service time (interval) ----");
        out.printf("%-15s %7s %5s %6s %6s %6s %6s %6s %6s %6s %6s %6s %6s%n", "target",
            null == previous ? "n" : "hdl/s", "slow", "p50", "p90", "p99", "p99.9", "max", "p50", "p90", "p99", "p99.9",
            "max");
        for (final LatencySnapshot snapshot : current.latency())
        {
            final String target = DispatchTarget.values()[snapshot.targetOrdinal()].name();
            final String scope = "target " + target;
            final long handled = current.counter(scope, "handled");
            if (!all && 0 == handled)
            {
                continue;
            }
            final String volume = null == previous ? count(snapshot.serviceTime().count()) :
                count(Math.round((handled - previous.counter(scope, "handled")) / seconds));
            out.printf("%-15.15s %7s %5s %s %s%n", target, volume, count(current.counter(scope, "slow")),
                metric(snapshot.queueWait()), metric(snapshot.serviceTime()));
        }
    }

    private static String metric(final LatencySnapshot.Metric metric)
    {
        if (0 == metric.count())
        {
            return String.format("%6s %6s %6s %6s %6s", "-", "-", "-", "-", "-");
        }
        return String.format("%6s %6s %6s %6s %6s", duration(metric.p50Ns()), duration(metric.p90Ns()),
            duration(metric.p99Ns()), duration(metric.p999Ns()), duration(metric.maxNs()));
    }

    /**
     * A duration in at most 6 characters: {@code 850ns}, {@code 1.23us}, {@code 123us}, {@code 12.3ms}, {@code 1.23s}.
     */
    static String duration(final long ns)
    {
        if (ns < 1_000)
        {
            return ns + "ns";
        }
        if (ns < 1_000_000)
        {
            return scaled(ns / 1e3, "us");
        }
        if (ns < 1_000_000_000)
        {
            return scaled(ns / 1e6, "ms");
        }
        return scaled(ns / 1e9, "s");
    }

    private static String scaled(final double value, final String unit)
    {
        if (value < 10)
        {
            return String.format(Locale.ROOT, "%.2f%s", value, unit);
        }
        if (value < 100)
        {
            return String.format(Locale.ROOT, "%.1f%s", value, unit);
        }
        return String.format(Locale.ROOT, "%.0f%s", value, unit);
    }

    /**
     * A count in at most 7 characters: {@code 123456}, {@code 1.23M}, {@code 123.4k}.
     */
    static String count(final long value)
    {
        if (value < 1_000_000)
        {
            return Long.toString(value);
        }
        if (value < 1_000_000_000)
        {
            return String.format(Locale.ROOT, "%.2fM", value / 1e6);
        }
        return String.format(Locale.ROOT, "%.2fG", value / 1e9);
    }
}
