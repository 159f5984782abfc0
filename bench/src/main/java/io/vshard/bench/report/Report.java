package io.vshard.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Turns a results directory into {@code SUMMARY.md} and PNG plots: every JMH JSON file ({@code *.json}) and every
 * latency file ({@code *.hgrm}) in it. Tables carry, per benchmark, the median of all iterations of all forks, JMH's
 * 99.9% error, the range of the per-fork means (how far apart the JVMs were) and {@code gc.alloc.rate.norm}; then
 * the ratios of each pipeline throughput figure to each baseline of the same run, and the bars of issue #3.
 * Benchmarks it has no special table for (any added later) appear in the table of all results.
 * <p>
 * Run: {@code java -cp bench/target/benchmarks.jar io.vshard.bench.report.Report <results-dir> [title]}.
 */
public final class Report
{
    private static final double ABQ_BAR = 3.0;
    private static final double AGRONA_BAR = 0.5;
    private static final double ALLOC_BAR = 0.01;
    private static final double QUIC_FIRE_AND_FORGET_BAR = 0.8;
    private static final double QUIC_ROUND_TRIP_BAR = 1e6;
    private static final double LATENCY_BAR = 1.2;
    private static final double QUIC_ONE_IN_FLIGHT_BAR = 1.25;
    private static final String NODE_PING_PONG = "QuicEndToEnd.nodePingPong";
    private static final String NODE_REQUEST_REPLY_LATENCY = "QuicEndToEnd.nodeRequestReplyLatency";
    private static final String BARE_PING_PONG = "QuicEndToEnd.bareQuicBaselinePingPong";
    private static final double[] LATENCY_RATIO_PERCENTILES = {50, 99, 99.9};

    private final Path dir;
    private final String title;
    private final List<Run> runs = new ArrayList<>();
    private final List<Hgrm> latencies = new ArrayList<>();
    private final StringBuilder md = new StringBuilder();

    private Report(final Path dir, final String title)
    {
        this.dir = dir;
        this.title = title;
    }

    /**
     * Write the summary and plots of a results directory.
     *
     * @param args the directory, then an optional title.
     * @throws IOException when a file cannot be read or written.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length < 1)
        {
            System.err.println("usage: Report <results-dir> [title]");
            System.exit(2);
        }
        System.setProperty("java.awt.headless", "true");
        Locale.setDefault(Locale.ROOT);
        final Path dir = Path.of(args[0]);
        final Report report = new Report(dir, args.length > 1 ? args[1] : dir.getFileName().toString());
        report.read();
        report.write();
        System.out.println(dir.resolve("SUMMARY.md"));
    }

    private void read() throws IOException
    {
        final ObjectMapper mapper = new ObjectMapper();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : files.sorted().collect(Collectors.toList()))
            {
                final String name = file.getFileName().toString();
                if (name.endsWith(".json"))
                {
                    final JsonNode root = mapper.readTree(file.toFile());
                    if (root.isArray())
                    {
                        root.forEach((node) -> runs.add(run(node)));
                    }
                }
                else if (name.endsWith(".hgrm"))
                {
                    latencies.add(Hgrm.read(file));
                }
            }
        }
    }

    private static Run run(final JsonNode node)
    {
        final Map<String, String> params = new TreeMap<>();
        final JsonNode paramsNode = node.path("params");
        for (final Iterator<Map.Entry<String, JsonNode>> it = paramsNode.fields(); it.hasNext(); )
        {
            final Map.Entry<String, JsonNode> entry = it.next();
            params.put(entry.getKey(), entry.getValue().asText());
        }
        final Map<String, Stats> secondary = new LinkedHashMap<>();
        for (final Iterator<Map.Entry<String, JsonNode>> it = node.path("secondaryMetrics").fields(); it.hasNext(); )
        {
            final Map.Entry<String, JsonNode> entry = it.next();
            secondary.put(entry.getKey(), stats(entry.getValue()));
        }
        return new Run(
            node.path("benchmark").asText(),
            node.path("mode").asText(),
            node.path("threads").asInt(),
            params,
            stats(node.path("primaryMetric")),
            secondary);
    }

    private static Stats stats(final JsonNode metric)
    {
        final List<double[]> forks = new ArrayList<>();
        for (final JsonNode fork : metric.path("rawData"))
        {
            final double[] values = new double[fork.size()];
            for (int i = 0; i < values.length; i++)
            {
                values[i] = fork.get(i).asDouble();
            }
            forks.add(values);
        }
        final Map<String, Double> percentiles = new TreeMap<>();
        for (final Iterator<Map.Entry<String, JsonNode>> it = metric.path("scorePercentiles").fields(); it.hasNext(); )
        {
            final Map.Entry<String, JsonNode> entry = it.next();
            percentiles.put(entry.getKey(), entry.getValue().asDouble());
        }
        final JsonNode error = metric.path("scoreError");
        return new Stats(
            metric.path("score").asDouble(Double.NaN),
            error.isNumber() ? error.asDouble() : Double.NaN,
            metric.path("scoreUnit").asText(),
            forks,
            percentiles);
    }

    private void write() throws IOException
    {
        md.append("# ").append(title).append("\n\n");
        final Path machine = dir.resolve("machine.txt");
        if (Files.exists(machine))
        {
            md.append("```\n").append(Files.readString(machine, StandardCharsets.UTF_8).strip()).append("\n```\n\n");
        }
        md.append("Figures: median of all measured iterations of all forks; `±` is JMH's 99.9% confidence half-width; ")
            .append("`forks` is the range of the per-fork means. Compare only figures of the same run.\n\n");
        writeHandled();
        writeRatios();
        writeBars();
        writeQuicBars();
        Alternatives.write(md, runs, latencies, dir, title);
        writeOtherThroughput();
        writeAverageTime();
        writeLatency();
        writeLatencyRatios();
        writeAll();
        Files.writeString(dir.resolve("SUMMARY.md"), md.toString(), StandardCharsets.UTF_8);
    }

    private List<Run> handledRuns()
    {
        return runs.stream().filter((run) -> null != run.handled())
            .sorted(Comparator.comparing(Run::group).reversed().thenComparing(Run::label))
            .collect(Collectors.toList());
    }

    private void writeHandled() throws IOException
    {
        final List<Run> handled = handledRuns();
        if (handled.isEmpty())
        {
            return;
        }
        md.append("## Throughput: envelopes handled per second\n\n");
        md.append("| benchmark | params | handled M/s | ± | forks M/s | back-pressured M/s ")
            .append("| gc.alloc.rate.norm B/op |\n");
        md.append("|---|---|---:|---:|---|---:|---:|\n");
        final List<Plots.Bar> bars = new ArrayList<>();
        for (final Run run : handled)
        {
            final Stats stats = run.handled();
            final Stats backPressured = run.secondary().get("backPressured");
            md.append("| ").append(run.shortName()).append(" | ").append(run.paramText())
                .append(" | ").append(mega(stats.median()))
                .append(" | ").append(mega(stats.error()))
                .append(" | ").append(mega(stats.minForkMean())).append("–").append(mega(stats.maxForkMean()))
                .append(" | ").append(null == backPressured ? "" : mega(backPressured.median()))
                .append(" | ").append(alloc(run))
                .append(" |\n");
            bars.add(new Plots.Bar(
                shortLabel(run, handled), stats.median() / 1e6, stats.error() / 1e6,
                "baseline".equals(run.group()) ? 1 : 0));
        }
        md.append("\n![throughput](throughput.png)\n\n");
        Plots.bars(dir.resolve("throughput.png"), title + ": envelopes handled (median, 99.9% error)",
            "M envelopes/s", bars);
    }

    private void writeRatios()
    {
        final List<Run> pipeline = handledRuns().stream()
            .filter((run) -> "throughput".equals(run.group())).collect(Collectors.toList());
        final List<Run> baselines = handledRuns().stream()
            .filter((run) -> "baseline".equals(run.group())).collect(Collectors.toList());
        if (pipeline.isEmpty() || baselines.isEmpty())
        {
            return;
        }
        md.append("## Ratios to the baselines of the same run\n\n");
        md.append("Ratio of medians of `handled`; in brackets the worst and best ratio of per-fork means.\n\n");
        md.append("| benchmark | params |");
        for (final Run baseline : baselines)
        {
            md.append(" vs ").append(baseline.label()).append(" |");
        }
        md.append("\n|---|---|").append("---:|".repeat(baselines.size())).append('\n');
        for (final Run run : pipeline)
        {
            md.append("| ").append(run.shortName()).append(" | ").append(run.paramText()).append(" |");
            for (final Run baseline : baselines)
            {
                md.append(' ').append(ratioText(run.handled(), baseline.handled())).append(" |");
            }
            md.append('\n');
        }
        md.append('\n');
    }

    private void writeBars()
    {
        final Run abq = find("AbqBaseline.oneProducer", Map.of("payloadBytes", "64"));
        final Run agrona = find("AgronaOneToOneBaseline.oneProducer", Map.of("messageBytes", "64"));
        final List<Run> candidates = handledRuns().stream()
            .filter((run) -> "PipelineThroughput.oneProducer".equals(run.shortName()) &&
                "1".equals(run.param("lanes")) && "64".equals(run.param("payloadBytes")))
            .collect(Collectors.toList());
        if (candidates.isEmpty() || null == abq || null == agrona)
        {
            return;
        }
        md.append("## Bars of issue #3 (1 producer, 1 lane, 64 B)\n\n");
        md.append("| params | ≥ ").append(ABQ_BAR).append("× ABQ | ≥ ").append(AGRONA_BAR)
            .append("× Agrona | alloc < ").append(ALLOC_BAR).append(" B/op |\n|---|---|---|---|\n");
        for (final Run run : candidates)
        {
            final double vsAbq = run.handled().median() / abq.handled().median();
            final double vsAgrona = run.handled().median() / agrona.handled().median();
            final Stats alloc = run.allocNorm();
            md.append("| ").append(run.paramText())
                .append(" | ").append(verdict(vsAbq >= ABQ_BAR)).append(' ').append(ratio(vsAbq))
                .append(" | ").append(verdict(vsAgrona >= AGRONA_BAR)).append(' ').append(ratio(vsAgrona))
                .append(" | ").append(null == alloc ? "n/a (run with -prof gc)" :
                    verdict(alloc.median() < ALLOC_BAR) + " " + String.format("%.4f", alloc.median()))
                .append(" |\n");
        }
        md.append('\n');
    }

    /**
     * Issue #4: through the whole node against bare Netty QUIC of the same payload and streams, same run.
     */
    private void writeQuicBars()
    {
        // The callback ping-pong is a throughput run too, but one request in flight: its rate is a latency, paired
        // with the bare ping-pong's below, not with the pipelined echo's rate.
        final List<Run> node = runs.stream()
            .filter((run) -> run.shortName().startsWith("QuicEndToEnd.node") && "thrpt".equals(run.mode()) &&
                !NODE_PING_PONG.equals(run.shortName()))
            .sorted(Comparator.comparing(Run::label)).collect(Collectors.toList());
        if (node.isEmpty())
        {
            writeQuicOneInFlight();
            return;
        }
        md.append("## QUIC: the node against bare Netty QUIC of the same run (issue #4)\n\n")
            .append("Fire-and-forget: `handled` against the bare counting server's `frames` (bar ")
            .append(QUIC_FIRE_AND_FORGET_BAR).append("×). Request/reply: `answered` against the bare echo's ")
            .append("`roundTrips` (frames there and back, same window), and against the 1 M/s bar. ")
            .append("Ratio of medians; in brackets the worst and best ratio of per-fork means. Datagrams: UDP ")
            .append("datagrams the server received / sent per envelope (node) or frame (bare), medians.\n\n")
            .append("| benchmark | params | node M/s | bare M/s | ratio | bar | datagrams in/out per envelope, node ")
            .append("| bare |\n|---|---|---:|---:|---|---|---:|---:|\n");
        for (final Run run : node)
        {
            final boolean fireAndForget = run.shortName().endsWith("FireAndForget");
            final Stats nodeStats = run.secondary().get(fireAndForget ? "handled" : "answered");
            final Run bare = runs.stream()
                .filter((b) -> b.shortName().equals(fireAndForget ?
                    "QuicEndToEnd.bareQuicBaselineFramesToCountingServer" : "QuicEndToEnd.bareQuicBaselineEcho"))
                .filter((b) -> b.params().equals(run.params()))
                .findFirst().orElse(null);
            final Stats bareStats = null == bare ? null : bare.secondary().get(fireAndForget ? "frames" : "roundTrips");
            if (null == nodeStats)
            {
                continue;
            }
            final String bar;
            if (fireAndForget)
            {
                bar = null == bareStats ? "n/a (no bare run)" : verdict(
                    nodeStats.median() / bareStats.median() >= QUIC_FIRE_AND_FORGET_BAR) + " ≥ " +
                    QUIC_FIRE_AND_FORGET_BAR + "× bare";
            }
            else
            {
                bar = verdict(nodeStats.median() >= QUIC_ROUND_TRIP_BAR) + " ≥ 1 M/s";
            }
            md.append("| ").append(run.shortName()).append(" | ").append(run.paramText())
                .append(" | ").append(mega(nodeStats.median()))
                .append(" | ").append(null == bareStats ? "" : mega(bareStats.median()))
                .append(" | ").append(null == bareStats ? "" : ratioText(nodeStats, bareStats))
                .append(" | ").append(bar)
                .append(" | ").append(datagramsPer(run, nodeStats))
                .append(" | ").append(null == bare ? "" : datagramsPer(bare, bareStats)).append(" |\n");
        }
        md.append('\n');
        writeQuicOneInFlight();
    }

    /**
     * Issue #12: one request in flight through the node against the bare ping-pong of the same payload and streams,
     * mean round trip. The callback-driven ping-pong's mean is the inverse of its {@code answered} rate; the blocked
     * caller's and the bare ping-pong's are their sampled means.
     */
    private void writeQuicOneInFlight()
    {
        final List<Run> node = runs.stream()
            .filter((run) -> NODE_PING_PONG.equals(run.shortName()) ||
                NODE_REQUEST_REPLY_LATENCY.equals(run.shortName()) && "sample".equals(run.mode()))
            .sorted(Comparator.comparing(Run::label)).collect(Collectors.toList());
        if (node.isEmpty())
        {
            return;
        }
        md.append("## QUIC: one request in flight, the node against the bare ping-pong of the same run (issue #12)\n\n")
            .append("Mean round trip in µs. `nodePingPong` sends the next request from the answer callback (its mean ")
            .append("is 1 / its `answered` rate); `nodeRequestReplyLatency` has the caller parked until the answer ")
            .append("is back; both against `bareQuicBaselinePingPong`'s sampled mean (bar ≤ ")
            .append(QUIC_ONE_IN_FLIGHT_BAR).append("× bare).\n\n")
            .append("| benchmark | params | node mean µs | bare ping-pong mean µs | ratio | bar |\n")
            .append("|---|---|---:|---:|---|---|\n");
        for (final Run run : node)
        {
            final double nodeMeanUs = oneInFlightMeanUs(run);
            final Run bare = runs.stream()
                .filter((b) -> BARE_PING_PONG.equals(b.shortName()) && b.params().equals(run.params()))
                .findFirst().orElse(null);
            final double bareMeanUs = null == bare ? Double.NaN : bare.primary().score();
            if (!(nodeMeanUs > 0))
            {
                continue;
            }
            final double ratio = nodeMeanUs / bareMeanUs;
            md.append("| ").append(run.shortName()).append(" | ").append(run.paramText())
                .append(" | ").append(String.format("%.1f", nodeMeanUs))
                .append(" | ").append(null == bare ? "" : String.format("%.1f", bareMeanUs))
                .append(" | ").append(null == bare ? "" : ratio(ratio))
                .append(" | ").append(null == bare ? "n/a (no bare ping-pong run)" :
                    verdict(ratio <= QUIC_ONE_IN_FLIGHT_BAR) + " ≤ " + QUIC_ONE_IN_FLIGHT_BAR + "× bare")
                .append(" |\n");
        }
        md.append('\n');
    }

    /** A one-in-flight run's mean round trip in µs: from the callback ping-pong's rate, or the sampled mean. */
    private static double oneInFlightMeanUs(final Run run)
    {
        if (NODE_PING_PONG.equals(run.shortName()))
        {
            final Stats answered = run.secondary().get("answered");
            return null == answered || !(answered.median() > 0) ? Double.NaN : 1e6 / answered.median();
        }
        return run.primary().score();
    }

    /** The server's datagrams in and out per unit of a QUIC rate benchmark's figure, from its aux counters. */
    private static String datagramsPer(final Run run, final Stats per)
    {
        final Stats in = run.secondary().get("datagramsIn");
        final Stats out = run.secondary().get("datagramsOut");
        if (null == in || null == out || null == per || !(per.median() > 0))
        {
            return "";
        }
        return String.format("%.3f / %.3f", in.median() / per.median(), out.median() / per.median());
    }

    private void writeOtherThroughput()
    {
        final List<Run> other = runs.stream().filter((run) -> "thrpt".equals(run.mode()) && null == run.handled())
            .sorted(Comparator.comparing(Run::label)).collect(Collectors.toList());
        if (other.isEmpty())
        {
            return;
        }
        md.append("## Other throughput (primary score, summed over a group's threads)\n\n")
            .append("| benchmark | params | median | ± | forks | unit |\n|---|---|---:|---:|---|---|\n");
        for (final Run run : other)
        {
            final Stats stats = run.primary();
            md.append("| ").append(run.shortName()).append(" | ").append(run.paramText())
                .append(" | ").append(num(stats.median())).append(" | ").append(num(stats.error()))
                .append(" | ").append(num(stats.minForkMean())).append("–").append(num(stats.maxForkMean()))
                .append(" | ").append(stats.unit()).append(" |\n");
        }
        md.append('\n');
    }

    private void writeAverageTime()
    {
        final List<Run> timed = runs.stream().filter((run) -> "avgt".equals(run.mode()))
            .sorted(Comparator.comparing(Run::label)).collect(Collectors.toList());
        if (timed.isEmpty())
        {
            return;
        }
        md.append("## Time per operation\n\n")
            .append("| benchmark | params | median | ± | forks | unit | gc.alloc.rate.norm B/op |\n")
            .append("|---|---|---:|---:|---|---|---:|\n");
        for (final Run run : timed)
        {
            final Stats stats = run.primary();
            md.append("| ").append(run.shortName()).append(" | ").append(run.paramText())
                .append(" | ").append(num(stats.median())).append(" | ").append(num(stats.error()))
                .append(" | ").append(num(stats.minForkMean())).append("–").append(num(stats.maxForkMean()))
                .append(" | ").append(stats.unit()).append(" | ").append(alloc(run)).append(" |\n");
        }
        md.append('\n');
    }

    private void writeLatency() throws IOException
    {
        if (latencies.isEmpty())
        {
            return;
        }
        final double[] percentiles = {50, 90, 99, 99.9, 99.99};
        md.append("## Latency histograms (µs)\n\n")
            .append("`toHandler` and `toReply` series: at an offered rate, from the intended send time. `roundTrip` ")
            .append("series: one request in flight, the next sent from the answer callback. ")
            .append("Median over forks, in brackets the range over forks.\n\n")
            .append("| series | forks | p50 | p90 | p99 | p99.9 | p99.99 | max |\n")
            .append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        final Map<String, List<Hgrm>> bySeries = latencies.stream()
            .collect(Collectors.groupingBy(Hgrm::series, TreeMap::new, Collectors.toList()));
        final Map<String, List<Plots.Curve>> plots = new TreeMap<>();
        for (final Map.Entry<String, List<Hgrm>> entry : bySeries.entrySet())
        {
            final List<Hgrm> forks = entry.getValue();
            md.append("| ").append(entry.getKey()).append(" | ").append(forks.size());
            for (final double percentile : percentiles)
            {
                md.append(" | ").append(spread(forks.stream().mapToDouble((h) -> h.valueAt(percentile)).toArray()));
            }
            md.append(" | ").append(spread(forks.stream().mapToDouble(Hgrm::max).toArray())).append(" |\n");

            final String series = entry.getKey();
            final String kind = series.substring(series.lastIndexOf('-') + 1);
            final String plot = series.substring(0, series.lastIndexOf('-'));
            final List<Plots.Curve> curves = plots.computeIfAbsent(plot, (key) -> new ArrayList<>());
            for (int f = 0; f < forks.size(); f++)
            {
                final Hgrm hgrm = forks.get(f);
                final int kindColour = kind.startsWith("disruptor") ? 2 : kind.startsWith("agrona") ? 4 : 0;
                curves.add(new Plots.Curve(kind + " fork " + (f + 1), hgrm.percentiles(), hgrm.values(),
                    kindColour + f, "toReply".equals(kind)));
            }
        }
        md.append('\n');
        for (final Map.Entry<String, List<Plots.Curve>> entry : plots.entrySet())
        {
            final String file = "latency-" + entry.getKey() + ".png";
            Plots.percentiles(dir.resolve(file), entry.getKey(), entry.getValue());
            md.append("![").append(entry.getKey()).append("](").append(file).append(")\n\n");
        }
    }

    /**
     * Issue #12: the pipeline's latency to its handler against the bare Disruptor ring's (and Agrona's) latency to
     * its consumer, same paced producer, same run: ratios of the medians over forks, per percentile.
     */
    private void writeLatencyRatios()
    {
        final Map<String, List<Hgrm>> bySeries = latencies.stream()
            .collect(Collectors.groupingBy(Hgrm::series, TreeMap::new, Collectors.toList()));
        final StringBuilder rows = new StringBuilder();
        for (final Map.Entry<String, List<Hgrm>> entry : bySeries.entrySet())
        {
            final String series = entry.getKey();
            if (!series.endsWith("-toHandler"))
            {
                continue;
            }
            final String prefix = series.substring(0, series.length() - "-toHandler".length());
            final List<Hgrm> disruptor = bySeries.get(prefix + "-disruptorToConsumer");
            if (null == disruptor)
            {
                continue;
            }
            final List<Hgrm> agrona = bySeries.get(prefix + "-agronaToConsumer");
            rows.append("| ").append(prefix);
            final StringBuilder ratios = new StringBuilder();
            final StringBuilder vsAgrona = new StringBuilder();
            boolean met = true;
            for (final double percentile : LATENCY_RATIO_PERCENTILES)
            {
                final double node = medianAt(entry.getValue(), percentile);
                final double bare = medianAt(disruptor, percentile);
                rows.append(" | ").append(num(node)).append(" / ").append(num(bare));
                ratios.append(" | ").append(ratio(node / bare));
                met &= node / bare <= LATENCY_BAR;
                vsAgrona.append(" | ").append(null == agrona ? "" : ratio(node / medianAt(agrona, percentile)));
            }
            rows.append(ratios).append(" | ").append(verdict(met)).append(vsAgrona).append(" |\n");
        }
        if (0 == rows.length())
        {
            return;
        }
        md.append("## Latency: the pipeline against the bare rings of the same run (issue #12)\n\n")
            .append("`toHandler` of the pipeline against the latency to the consumer of a bare Disruptor ring ")
            .append("(multi-producer, same size and wait strategy) and of Agrona's one-to-one ring, the same paced ")
            .append("producer; µs, median over forks. Bar: p50, p99 and p99.9 within ").append(LATENCY_BAR)
            .append("× the Disruptor's.\n\n")
            .append("| series | p50 pipeline / Disruptor | p99 | p99.9 | ratio p50 | p99 | p99.9 | bar ≤ ")
            .append(LATENCY_BAR).append("× | vs Agrona p50 | p99 | p99.9 |\n")
            .append("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|\n")
            .append(rows).append('\n');
    }

    private static double medianAt(final List<Hgrm> forks, final double percentile)
    {
        final double[] values = forks.stream().mapToDouble((h) -> h.valueAt(percentile)).sorted().toArray();
        return 0 == (values.length & 1) ?
            (values[values.length / 2 - 1] + values[values.length / 2]) / 2 : values[values.length / 2];
    }

    private void writeAll()
    {
        md.append("## All results\n\n| benchmark | mode | threads | params | score | ± | unit |\n")
            .append("|---|---|---:|---|---:|---:|---|\n");
        for (final Run run : runs)
        {
            md.append("| ").append(run.shortName()).append(" | ").append(run.mode()).append(" | ")
                .append(run.threads()).append(" | ").append(run.paramText()).append(" | ")
                .append(num(run.primary().score())).append(" | ").append(num(run.primary().error()))
                .append(" | ").append(run.primary().unit()).append(" |\n");
            for (final Map.Entry<String, Stats> entry : run.secondary().entrySet())
            {
                md.append("| ").append(run.shortName()).append(':').append(entry.getKey()).append(" | | | | ")
                    .append(num(entry.getValue().score())).append(" | ").append(num(entry.getValue().error()))
                    .append(" | ").append(entry.getValue().unit()).append(" |\n");
            }
        }
        md.append('\n');
    }

    /** The run's name and only those of its parameters that differ between the runs shown. */
    private static String shortLabel(final Run run, final List<Run> shown)
    {
        final StringBuilder label = new StringBuilder(run.shortName());
        for (final Map.Entry<String, String> param : new TreeMap<>(run.params()).entrySet())
        {
            final boolean varies = shown.stream().anyMatch((other) -> other.params().containsKey(param.getKey()) &&
                !param.getValue().equals(other.param(param.getKey())));
            if (varies)
            {
                label.append(' ').append(param.getKey()).append('=').append(param.getValue());
            }
        }
        return label.toString();
    }

    private Run find(final String shortName, final Map<String, String> params)
    {
        return runs.stream()
            .filter((run) -> shortName.equals(run.shortName()) && null != run.handled())
            .filter((run) -> params.entrySet().stream().allMatch((e) -> e.getValue().equals(run.param(e.getKey()))))
            .findFirst().orElse(null);
    }

    static String ratioText(final Stats numerator, final Stats denominator)
    {
        final double ratio = numerator.median() / denominator.median();
        final double worst = numerator.minForkMean() / denominator.maxForkMean();
        final double best = numerator.maxForkMean() / denominator.minForkMean();
        return ratio(ratio) + " [" + ratio(worst) + "–" + ratio(best) + "]";
    }

    static String spread(final double[] values)
    {
        final double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        final double median = 0 == (sorted.length & 1) ?
            (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2 : sorted[sorted.length / 2];
        return 1 == sorted.length ? num(median) :
            num(median) + " [" + num(sorted[0]) + "–" + num(sorted[sorted.length - 1]) + "]";
    }

    private static String alloc(final Run run)
    {
        final Stats alloc = run.allocNorm();
        return null == alloc ? "" : String.format("%.4f", alloc.median());
    }

    static String verdict(final boolean met)
    {
        return met ? "**met**" : "**not met**";
    }

    static String ratio(final double value)
    {
        return String.format("%.2f×", value);
    }

    static String mega(final double value)
    {
        return Double.isNaN(value) ? "n/a" : String.format("%.2f", value / 1e6);
    }

    static String num(final double value)
    {
        if (Double.isNaN(value))
        {
            return "n/a";
        }
        final double abs = Math.abs(value);
        return abs >= 100 ? String.format("%.0f", value) : abs >= 1 ? String.format("%.2f", value) :
            String.format("%.4f", value);
    }
}
