package io.vshard.cli;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.status.CounterRow;
import io.vshard.core.status.LatencySnapshot;
import io.vshard.core.status.LatencySnapshotDescriptor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A node's status in the OpenMetrics text format 1.0.0: {@code vshard_up}, every counter as a {@code _total} counter
 * family (labels {@code lane}, {@code target}, {@code code}), the transport's active connections as a gauge, and
 * queue wait and service time per target as summaries of the latest interval (quantiles 0.5 to 0.999, with the
 * count and sum since the node started). A node that does not run is reported by {@code vshard_up 0} and its last
 * heartbeat only.
 */
final class OpenMetricsFormat
{
    /** The content type of the format. */
    static final String CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private OpenMetricsFormat()
    {
    }

    /**
     * The exposition of a node, or of a directory without a counters file when {@code status} is {@code null}.
     *
     * @param status the node's status, or null.
     * @return the text, ending with {@code # EOF}.
     */
    static String format(final NodeStatus status)
    {
        final StringBuilder out = new StringBuilder(8192);
        family(out, "vshard_up", "gauge", "1 when the node's process is alive and its heartbeat fresh, else 0");
        out.append("vshard_up ").append(null != status && status.isRunning() ? 1 : 0).append('\n');
        if (null != status)
        {
            family(out, "vshard_heartbeat_timestamp_seconds", "gauge", "The node's last heartbeat");
            out.append("vshard_heartbeat_timestamp_seconds ").append(seconds(status.heartbeatMs() * 1_000_000L))
                .append('\n');
        }
        if (null != status && status.isRunning())
        {
            counters(out, status.counters());
            latency(out, status.latency());
        }
        out.append("# EOF\n");
        return out.toString();
    }

    private static void counters(final StringBuilder out, final List<CounterRow> rows)
    {
        final Map<String, List<String>> families = new LinkedHashMap<>();
        final Map<String, String> types = new LinkedHashMap<>();
        for (final CounterRow row : rows)
        {
            final String scope = row.scope();
            String metric = row.metric();
            String labels;
            String prefix;
            if (scope.startsWith("lane "))
            {
                prefix = "vshard_lane_";
                labels = "lane=\"" + escape(scope.substring("lane ".length())) + "\"";
            }
            else if (scope.startsWith("target "))
            {
                prefix = "vshard_target_";
                labels = "target=\"" + escape(scope.substring("target ".length())) + "\"";
            }
            else if (scope.equals("pipeline") || scope.equals("transport"))
            {
                prefix = "vshard_" + scope + "_";
                labels = "";
            }
            else
            {
                prefix = "vshard_" + name(scope) + "_";
                labels = "";
            }
            if (metric.startsWith("errors ") && metric.length() > "errors ".length())
            {
                labels = (labels.isEmpty() ? "" : labels + ",") + "code=\"" +
                    escape(metric.substring("errors ".length())) + "\"";
                metric = "errors_by_code";
            }
            final String family = prefix + name(metric);
            final boolean gauge = "vshard_transport_connections_active".equals(family);
            types.put(family, gauge ? "gauge" : "counter");
            families.computeIfAbsent(family, (k) -> new ArrayList<>()).add(
                family + (gauge ? "" : "_total") + (labels.isEmpty() ? "" : "{" + labels + "}") + " " + row.value());
        }
        families.forEach((family, samples) ->
        {
            family(out, family, types.get(family), null);
            samples.forEach((sample) -> out.append(sample).append('\n'));
        });
    }

    private static void latency(final StringBuilder out, final List<LatencySnapshot> snapshots)
    {
        summary(out, "vshard_queue_wait_seconds", "From the copy into the lane's slot to the handler's start",
            snapshots, true);
        summary(out, "vshard_service_time_seconds", "The handler call", snapshots, false);
    }

    private static void summary(
        final StringBuilder out,
        final String family,
        final String help,
        final List<LatencySnapshot> snapshots,
        final boolean wait)
    {
        family(out, family, "summary", help + "; quantiles of the latest interval, count and sum since start");
        out.append("# UNIT ").append(family).append(" seconds\n");
        for (final LatencySnapshot snapshot : snapshots)
        {
            final LatencySnapshot.Metric metric = wait ? snapshot.queueWait() : snapshot.serviceTime();
            final String labels = "lane=\"" + snapshot.laneId() + "\",target=\"" +
                escape(DispatchTarget.values()[snapshot.targetOrdinal()].name()) + "\"";
            for (int q = 0; q < LatencySnapshotDescriptor.QUANTILES.length; q++)
            {
                out.append(family).append('{').append(labels).append(",quantile=\"")
                    .append(LatencySnapshotDescriptor.QUANTILES[q]).append("\"} ");
                out.append(0 == metric.count() ? "NaN" : seconds(metric.quantileNs(q))).append('\n');
            }
            out.append(family).append("_sum{").append(labels).append("} ").append(seconds(metric.totalSumNs()))
                .append('\n');
            out.append(family).append("_count{").append(labels).append("} ").append(metric.totalCount()).append('\n');
        }
    }

    private static void family(final StringBuilder out, final String family, final String type, final String help)
    {
        out.append("# TYPE ").append(family).append(' ').append(type).append('\n');
        if (null != help)
        {
            out.append("# HELP ").append(family).append(' ').append(help).append('\n');
        }
    }

    private static String seconds(final long ns)
    {
        return String.format(Locale.ROOT, "%.9f", ns / 1e9);
    }

    static String name(final String metric)
    {
        final StringBuilder name = new StringBuilder(metric.length());
        for (int i = 0; i < metric.length(); i++)
        {
            final char c = Character.toLowerCase(metric.charAt(i));
            name.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_');
        }
        return name.toString();
    }

    private static String escape(final String value)
    {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
