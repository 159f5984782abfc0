package io.vshard.bench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The "vshard against the alternatives" section of a report (issue #16): vshard's {@code QuicEndToEnd} rows beside
 * gRPC-java ({@code peers.GrpcEcho}) and Aeron ({@code peers.AeronEcho}) of the same run, per payload. Pipelined
 * round trips per second with the ratio vshard ÷ the system, and CPU and heap per round trip; one request in flight
 * in both styles (a caller blocked on the answer; a ping-pong driven from the answer callback), mean, p50 and p99;
 * then the bars of the issue. Control plane.
 */
final class Alternatives
{
    private static final double THROUGHPUT_BAR = 1.5;
    private static final double LATENCY_BAR = 1.0;
    private static final double MEBIBYTE = 1024.0 * 1024.0;

    private static final String VSHARD = "vshard";
    private static final String GRPC = "gRPC";
    private static final String AERON = "Aeron";

    private final StringBuilder md;
    private final List<Run> runs;
    private final List<Hgrm> latencies;

    /**
     * A figure of one system and one payload.
     *
     * @param system  vshard, gRPC or Aeron.
     * @param what    the benchmark and its configuration, as the table shows it.
     * @param run     the JMH run.
     * @param streams streams, 0 when the system has none.
     * @param perSecond round trips per second (pipelined, or a callback ping-pong), NaN for a {@code sample} run.
     * @param meanUs  mean round trip, µs.
     * @param p50Us   median round trip, µs.
     * @param p99Us   99th percentile round trip, µs.
     */
    private record Figure(
        String system, String what, Run run, int streams, double perSecond, double meanUs, double p50Us, double p99Us)
    {
    }

    private Alternatives(final StringBuilder md, final List<Run> runs, final List<Hgrm> latencies)
    {
        this.md = md;
        this.runs = runs;
        this.latencies = latencies;
    }

    /**
     * Append the section, and its plot, when the run holds at least one peer benchmark.
     *
     * @param md        the summary being written.
     * @param runs      every run of the directory.
     * @param latencies every {@code .hgrm} file of the directory.
     * @param dir       where the plot goes.
     * @param title     the report's title.
     * @throws IOException when the plot cannot be written.
     */
    static void write(final StringBuilder md, final List<Run> runs, final List<Hgrm> latencies, final Path dir,
        final String title) throws IOException
    {
        if (runs.stream().noneMatch((run) -> "peers".equals(run.group())))
        {
            return;
        }
        new Alternatives(md, runs, latencies).write(dir, title);
    }

    private void write(final Path dir, final String title) throws IOException
    {
        md.append("## vshard against the alternatives (issue #16)\n\n")
            .append("Same run, same machine, loopback, client and server in one JVM. vshard: the whole node over QUIC ")
            .append("with mutual TLS (`QuicEndToEnd`; each message also carries vshard's 28-byte envelope header). ")
            .append("gRPC-java: mutual TLS (BoringSSL), HTTP/2 over one TCP connection, `directExecutor()` on client ")
            .append("and server (`GrpcEcho`). Aeron: UDP unicast, embedded media driver in SHARED threading mode, ")
            .append("the idle strategy in `idle` (`AeronEcho`); **Aeron does not encrypt: it is the unencrypted ")
            .append("ceiling, not a like-for-like peer**. Medians of all measured iterations; in brackets the worst ")
            .append("and best ratio of per-fork means. CPU per round trip: process CPU (client and server together) ")
            .append("÷ round trips; heap per round trip: `gc.alloc.rate` ÷ round trips (needs `-prof gc`).\n\n");
        final TreeSet<Integer> payloads = runs.stream().filter((run) -> null != run.param("payload"))
            .map((run) -> Integer.parseInt(run.param("payload"))).collect(Collectors.toCollection(TreeSet::new));
        final List<Plots.Bar> bars = new ArrayList<>();
        final List<Plots.Bar> latencyBars = new ArrayList<>();
        for (final int payload : payloads)
        {
            final String p = String.valueOf(payload);
            writePipelined(p, bars);
            writeOneInFlight(p, latencyBars);
            writeBars(p);
        }
        if (!bars.isEmpty())
        {
            Plots.bars(dir.resolve("alternatives.png"), title + ": pipelined round trips (median, 99.9% error)",
                "M round trips/s", bars);
            md.append("![alternatives](alternatives.png)\n\n");
        }
        if (!latencyBars.isEmpty())
        {
            Plots.bars(dir.resolve("alternatives-latency.png"), title + ": one request in flight, mean round trip",
                "µs", latencyBars);
            md.append("![alternatives-latency](alternatives-latency.png)\n\n");
        }
    }

    private void writePipelined(final String payload, final List<Plots.Bar> bars)
    {
        final List<Figure> figures = new ArrayList<>();
        for (final String streams : List.of("1", "4"))
        {
            add(figures, rate(VSHARD, "`QuicEndToEnd.nodeRequestReply`, 4,096 in flight per stream",
                find("QuicEndToEnd.nodeRequestReply", payload, streams), "answered"));
        }
        for (final String streams : List.of("1", "4"))
        {
            add(figures, rate(GRPC, "`GrpcEcho.bidiStreamingEcho`, bidi calls, `isReady()` and 4,096 per call",
                find("GrpcEcho.bidiStreamingEcho", payload, streams), "roundTrips"));
        }
        add(figures, rate(AERON, "`AeronEcho.pipelinedEcho`, one publication each way, 4,096 in flight",
            find("AeronEcho.pipelinedEcho", payload, null), "roundTrips"));
        if (figures.isEmpty())
        {
            return;
        }
        md.append("### Pipelined round trips, ").append(payload).append(" B\n\n")
            .append("| system | benchmark | streams | round trips M/s | vshard ÷ it (same streams) | ")
            .append("CPU µs per round trip | heap B per round trip |\n|---|---|---:|---:|---|---:|---:|\n");
        for (final Figure figure : figures)
        {
            final Stats stats = figure.run().secondary().get(counter(figure));
            final Figure vshard = figures.stream().filter((f) -> VSHARD.equals(f.system()) &&
                f.streams() == Math.max(1, figure.streams())).findFirst().orElse(null);
            md.append("| ").append(figure.system()).append(" | ").append(figure.what())
                .append(" | ").append(0 == figure.streams() ? "1 each way" : String.valueOf(figure.streams()))
                .append(" | ").append(Report.mega(figure.perSecond()))
                .append(" | ").append(VSHARD.equals(figure.system()) || null == vshard ? "" :
                    Report.ratioText(vshard.run().secondary().get("answered"), stats))
                .append(" | ").append(cpuPerRoundTrip(figure))
                .append(" | ").append(heapPerRoundTrip(figure))
                .append(" |\n");
            bars.add(new Plots.Bar(figure.system() + " " + payload + " B" +
                (0 == figure.streams() ? "" : " streams=" + figure.streams()), figure.perSecond() / 1e6,
                stats.error() / 1e6, colour(figure.system())));
        }
        md.append('\n');
    }

    private void writeOneInFlight(final String payload, final List<Plots.Bar> bars)
    {
        final List<Figure> blocking = new ArrayList<>();
        add(blocking, sampled(VSHARD, "`QuicEndToEnd.nodeRequestReplyLatency`, caller parked, woken by the I/O " +
            "thread", find("QuicEndToEnd.nodeRequestReplyLatency", payload, "1")));
        add(blocking, sampled(GRPC, "`GrpcEcho.unaryBlocking`, `blockingUnaryCall`",
            find("GrpcEcho.unaryBlocking", payload, null)));
        final List<Figure> callback = new ArrayList<>();
        add(callback, pingPong(VSHARD, "`QuicEndToEnd.nodePingPong`, next request from the answer callback",
            find("QuicEndToEnd.nodePingPong", payload, "1"), "answered"));
        add(callback, pingPong(GRPC, "`GrpcEcho.bidiPingPong`, next request from `onNext` on the event loop",
            find("GrpcEcho.bidiPingPong", payload, null), "roundTrips"));
        add(callback, sampled(AERON, "`AeronEcho.pingPong`, the caller polls the answer itself (no hand-off)",
            find("AeronEcho.pingPong", payload, null)));
        if (blocking.isEmpty() && callback.isEmpty())
        {
            return;
        }
        md.append("### One request in flight, ").append(payload).append(" B (µs)\n\n")
            .append("A callback ping-pong's mean is the inverse of its rate; its p50 and p99 come from its `.hgrm` ")
            .append("file (median over forks). A `sample` run's figures are JMH's.\n\n")
            .append("| style | system | benchmark | mean | p50 | p99 | vshard ÷ it (mean) | CPU µs per round trip |\n")
            .append("|---|---|---|---:|---:|---:|---:|---:|\n");
        for (final List<Figure> style : List.of(blocking, callback))
        {
            final Figure vshard = style.stream().filter((f) -> VSHARD.equals(f.system())).findFirst().orElse(null);
            for (final Figure figure : style)
            {
                final String name = style == blocking ? "blocking caller" : "callback-driven";
                md.append("| ").append(name).append(" | ").append(figure.system()).append(" | ").append(figure.what())
                    .append(" | ").append(Report.num(figure.meanUs()))
                    .append(" | ").append(Report.num(figure.p50Us()))
                    .append(" | ").append(Report.num(figure.p99Us()))
                    .append(" | ").append(VSHARD.equals(figure.system()) || null == vshard ? "" :
                        Report.ratio(vshard.meanUs() / figure.meanUs()))
                    .append(" | ").append(Double.isNaN(figure.perSecond()) ? "" : cpuPerRoundTrip(figure))
                    .append(" |\n");
                bars.add(new Plots.Bar(figure.system() + " " + payload + " B " + name, figure.meanUs(), Double.NaN,
                    colour(figure.system())));
            }
        }
        md.append('\n');
    }

    private void writeBars(final String payload)
    {
        final Figure vshard4 = rate(VSHARD, "", find("QuicEndToEnd.nodeRequestReply", payload, "4"), "answered");
        Figure bestGrpc = null;
        for (final String streams : List.of("1", "4"))
        {
            final Figure grpc = rate(GRPC, "", find("GrpcEcho.bidiStreamingEcho", payload, streams), "roundTrips");
            if (null != grpc && (null == bestGrpc || grpc.perSecond() > bestGrpc.perSecond()))
            {
                bestGrpc = grpc;
            }
        }
        final Figure vshardBlocking = sampled(VSHARD, "", find("QuicEndToEnd.nodeRequestReplyLatency", payload, "1"));
        final Figure grpcBlocking = sampled(GRPC, "", find("GrpcEcho.unaryBlocking", payload, null));
        final Figure vshardCallback = pingPong(VSHARD, "", find("QuicEndToEnd.nodePingPong", payload, "1"),
            "answered");
        final Figure grpcCallback = pingPong(GRPC, "", find("GrpcEcho.bidiPingPong", payload, null), "roundTrips");
        final Figure aeronPipelined = rate(AERON, "", find("AeronEcho.pipelinedEcho", payload, null), "roundTrips");
        final Figure aeronPingPong = sampled(AERON, "", find("AeronEcho.pingPong", payload, null));
        final StringBuilder rows = new StringBuilder();
        if (null != vshard4 && null != bestGrpc)
        {
            final double ratio = vshard4.perSecond() / bestGrpc.perSecond();
            rows.append("| vshard request/reply, 4 streams ≥ ").append(THROUGHPUT_BAR)
                .append("× gRPC bidi streaming (best of its streams=").append(bestGrpc.streams()).append(") | ")
                .append(Report.mega(vshard4.perSecond())).append(" M/s ÷ ").append(Report.mega(bestGrpc.perSecond()))
                .append(" M/s = ").append(Report.ratio(ratio)).append(" | ")
                .append(Report.verdict(ratio >= THROUGHPUT_BAR)).append(" |\n");
        }
        latencyBar(rows, "callback-driven: vshard ping-pong ≤ " + LATENCY_BAR + "× gRPC bidi ping-pong",
            vshardCallback, grpcCallback);
        latencyBar(rows, "blocking caller: vshard ≤ " + LATENCY_BAR + "× gRPC blocking unary", vshardBlocking,
            grpcBlocking);
        if (null != aeronPipelined && null != vshard4)
        {
            rows.append("| Aeron pipelined (no bar: it does not encrypt) | vshard 4 streams ÷ Aeron = ")
                .append(Report.ratio(vshard4.perSecond() / aeronPipelined.perSecond())).append(" | |\n");
        }
        if (null != aeronPingPong && null != vshardCallback)
        {
            rows.append("| Aeron ping-pong (no bar: it does not encrypt) | vshard callback mean ÷ Aeron mean = ")
                .append(Report.ratio(vshardCallback.meanUs() / aeronPingPong.meanUs())).append(" | |\n");
        }
        if (rows.length() > 0)
        {
            md.append("### Bars of issue #16, ").append(payload).append(" B\n\n| bar | figure | |\n|---|---|---|\n")
                .append(rows).append('\n');
        }
    }

    private static void latencyBar(final StringBuilder rows, final String bar, final Figure vshard, final Figure grpc)
    {
        if (null == vshard || null == grpc)
        {
            return;
        }
        final double ratio = vshard.meanUs() / grpc.meanUs();
        rows.append("| ").append(bar).append(" | ").append(Report.num(vshard.meanUs())).append(" µs ÷ ")
            .append(Report.num(grpc.meanUs())).append(" µs = ").append(Report.ratio(ratio)).append(" | ")
            .append(Report.verdict(ratio <= LATENCY_BAR)).append(" |\n");
    }

    private Run find(final String shortName, final String payload, final String streams)
    {
        return runs.stream()
            .filter((run) -> shortName.equals(run.shortName()) && payload.equals(run.param("payload")))
            .filter((run) -> null == streams || streams.equals(run.param("streams")))
            .findFirst().orElse(null);
    }

    private static Figure rate(final String system, final String what, final Run run, final String counter)
    {
        if (null == run || null == run.secondary().get(counter))
        {
            return null;
        }
        final String streams = run.param("streams");
        return new Figure(system, what, run, null == streams ? 0 : Integer.parseInt(streams),
            run.secondary().get(counter).median(), Double.NaN, Double.NaN, Double.NaN);
    }

    private Figure pingPong(final String system, final String what, final Run run, final String counter)
    {
        final Figure rate = rate(system, what, run, counter);
        if (null == rate)
        {
            return null;
        }
        final String series = run.shortName() + "-" + run.params().entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map((entry) -> entry.getKey() + "=" + entry.getValue())
            .collect(Collectors.joining("-")) + "-roundTrip";
        final List<Hgrm> forks = latencies.stream().filter((h) -> series.equals(h.series()))
            .collect(Collectors.toList());
        return new Figure(system, what, run, rate.streams(), rate.perSecond(), 1e6 / rate.perSecond(),
            median(forks.stream().mapToDouble((h) -> h.valueAt(50)).toArray()),
            median(forks.stream().mapToDouble((h) -> h.valueAt(99)).toArray()));
    }

    private static Figure sampled(final String system, final String what, final Run run)
    {
        if (null == run || !"sample".equals(run.mode()))
        {
            return null;
        }
        final Stats stats = run.primary();
        return new Figure(system, what, run, 0, Double.NaN, stats.score(), stats.percentile(50),
            stats.percentile(99));
    }

    private static void add(final List<Figure> figures, final Figure figure)
    {
        if (null != figure)
        {
            figures.add(figure);
        }
    }

    private static String counter(final Figure figure)
    {
        return VSHARD.equals(figure.system()) ? "answered" : "roundTrips";
    }

    private static String cpuPerRoundTrip(final Figure figure)
    {
        final Stats cpu = figure.run().secondary().get("cpuNs");
        return null == cpu || !(figure.perSecond() > 0) ? "n/a" :
            String.format("%.2f", cpu.median() / figure.perSecond() / 1e3);
    }

    private static String heapPerRoundTrip(final Figure figure)
    {
        final Stats rate = figure.run().secondary().get("gc.alloc.rate");
        return null == rate || !(figure.perSecond() > 0) ? "n/a" :
            String.format("%.0f", rate.median() * MEBIBYTE / figure.perSecond());
    }

    private static double median(final double[] values)
    {
        if (0 == values.length)
        {
            return Double.NaN;
        }
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int mid = sorted.length / 2;
        return 0 == (sorted.length & 1) ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[mid];
    }

    private static int colour(final String system)
    {
        return VSHARD.equals(system) ? 0 : GRPC.equals(system) ? 1 : 2;
    }
}
