package io.vshard.cli;

import io.vshard.core.pipeline.WaitStrategyKind;
import io.vshard.core.status.CounterRow;
import io.vshard.examples.EchoEngine;
import io.vshard.examples.timeseries.BucketAggregate;
import io.vshard.examples.timeseries.ScatterGatherException;
import io.vshard.examples.timeseries.TimeseriesCoordinator;
import io.vshard.examples.timeseries.TimeseriesEngine;
import io.vshard.examples.timeseries.TimeseriesStore;
import io.vshard.load.LoadGenerator;
import io.vshard.load.LoadOptions;
import io.vshard.load.LoadSummary;
import io.vshard.node.NodeContext;
import io.vshard.node.VShardNode;
import io.vshard.transport.ClientContext;
import io.vshard.transport.client.QuicClient;
import io.vshard.transport.tls.CertificateAuthority;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * {@code vshard demo}: the README's main job. Starts nodes on loopback with development certificates and the example
 * engines, runs the load generator against the first for {@code --seconds}, runs a timeseries scatter/gather across
 * all nodes and checks it against the aggregate computed directly over all the data, prints the nodes' counters,
 * and exits 0 only when nothing was lost and the merged answer is right.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
        "Run nodes and a load generator on loopback and check that nothing was lost.",
        "Starts node(s) with development certificates (a throwaway CA in a temporary directory, removed at exit) "
            + "and the example engines, runs the load generator against node 1, runs a timeseries scatter/gather "
            + "across the nodes and checks it, prints the counters. Ctrl-C stops the load and still reports. "
            + "Exit status 0 only if nothing was lost and the scatter/gather answer matches the direct computation."})
public final class DemoCommand implements Callable<Integer>
{
    static final String CLUSTER = "demo";
    static final long CLIENT_NODE_ID = 100;
    static final int VSHARDS = 16;
    static final int POINTS = 20_000;
    static final long SEED = 7;
    static final long STEP_MS = 1_000;

    @Option(names = "--nodes", defaultValue = "1", description = "Nodes to start (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--dir",
        description = "Directory of the nodes' counters and dev CA, kept (default: a new temporary one, removed at "
            + "exit).")
    File dir;

    @Option(names = "--lanes", description = "Lane layout of every node (default: the library's default).")
    String lanes;

    @Mixin
    LoadOptionsMixin load;

    private CertificateAuthority ca;

    /**
     * Run the demo.
     *
     * @return 0 when nothing was lost and the scatter/gather answer is right.
     * @throws Exception on a start failure.
     */
    public Integer call() throws Exception
    {
        if (nodes < 1)
        {
            throw new IllegalArgumentException("--nodes must be >= 1");
        }
        final LoadOptions options = load.toOptions(CLIENT_NODE_ID, 1);
        final Path temporary = null != dir ? null : Files.createTempDirectory("vshard-demo");
        final File root = null != dir ? dir : temporary.toFile();
        final LoadGenerator generator = new LoadGenerator(options);
        final List<VShardNode> started = new ArrayList<>();
        final List<QuicClient> clients = new ArrayList<>();
        final StopOnSignal signal = new StopOnSignal(generator::stop, () -> deleteTree(temporary));
        try
        {
            ca = CertificateAuthority.loadOrCreate(root.toPath().resolve("ca"), CLUSTER);
            System.out.println("demo: DEVELOPMENT certificates from a throwaway CA in " + root + "/ca (loopback only" +
                (null != temporary ? ", removed at exit)" : ")"));
            for (int i = 1; i <= nodes && !signal.signalled(); i++)
            {
                started.add(VShardNode.launch(nodeContext(root, i)));
                System.out.println("node " + i + " listening on " + started.get(i - 1).localAddress());
            }
            if (signal.signalled())
            {
                System.out.println("\ndemo: interrupted");
                return 1;
            }

            System.out.printf("%nload: %s to node 1 for %s over %d streams, %d-byte payloads, types %s%n",
                options.request() ? "requests" : "fire-and-forget envelopes",
                options.durationNs() > 0 ? options.durationNs() / 1e9 + " s" : options.count() + " envelopes",
                options.streams(), options.payloadLength(), options.types());
            final QuicClient loadClient = new QuicClient(clientContext(options.streams()),
                started.get(0).localAddress(), generator.listener()).connect();
            clients.add(loadClient);
            final LoadSummary summary = generator.run(loadClient, System.out);
            final boolean loadOk = LoadCommand.report(summary, load);
            if (summary.interrupted())
            {
                System.out.println("\ndemo: interrupted");
                return 1;
            }
            final boolean delivered = options.request() || awaitHandled(started.get(0), summary);

            final boolean scatterOk = scatterGather(started, clients);

            for (int i = 0; i < started.size(); i++)
            {
                System.out.printf("%ncounters of node %d:%n", i + 1);
                CountersPrinter.print(System.out, started.get(i).pipeline().countersManager(), false);
            }
            final boolean ok = loadOk && delivered && scatterOk;
            System.out.println(ok ? "\ndemo: OK, nothing lost" : "\ndemo: FAILED");
            return ok ? 0 : 1;
        }
        finally
        {
            try
            {
                clients.forEach(QuicClient::close);
                started.forEach(VShardNode::close);
            }
            finally
            {
                deleteTree(temporary);
                System.out.flush();
                signal.close();
            }
        }
    }

    /**
     * Delete a directory and everything in it; nothing for null.
     *
     * @param root the directory.
     */
    static void deleteTree(final Path root)
    {
        if (null == root || !Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
        }
        catch (final IOException | UncheckedIOException ex)
        {
            System.err.println("demo: could not remove " + root + ": " + ex.getMessage());
        }
    }

    private boolean scatterGather(final List<VShardNode> started, final List<QuicClient> clients)
    {
        final Map<Long, QuicClient> clientsByNode = new LinkedHashMap<>();
        final Map<Integer, Long> placement = new TreeMap<>();
        for (int i = 0; i < started.size(); i++)
        {
            final QuicClient client = new QuicClient(clientContext(1), started.get(i).localAddress(),
                (id, kind, code, envelope) -> { }).connect();
            clients.add(client);
            clientsByNode.put((long)(i + 1), client);
        }
        for (int vshard = 0; vshard < VSHARDS; vshard++)
        {
            placement.put(vshard, (long)(vshard % started.size() + 1));
        }
        final long startMs = TimeseriesStore.EPOCH_MS + 1_000 * STEP_MS;
        final long endMs = TimeseriesStore.EPOCH_MS + 15_000 * STEP_MS;
        final long bucketMs = 1_000 * STEP_MS;
        System.out.printf(
            "%nscatter/gather: TsScatterRequest for %d vshards over %d node(s), %d s range, %d s buckets%n",
            VSHARDS, started.size(), (endMs - startMs) / 1000, bucketMs / 1000);
        try
        {
            final long t0 = System.nanoTime();
            final BucketAggregate merged = new TimeseriesCoordinator(CLIENT_NODE_ID, clientsByNode,
                Duration.ofSeconds(10)).query(placement, startMs, endMs, bucketMs);
            final long tookUs = (System.nanoTime() - t0) / 1_000;
            final BucketAggregate direct = new BucketAggregate();
            final TimeseriesStore all = TimeseriesStore.generate(SEED, IntStream.range(0, VSHARDS).toArray(), POINTS,
                STEP_MS);
            for (int vshard = 0; vshard < VSHARDS; vshard++)
            {
                all.aggregate(vshard, startMs, endMs, bucketMs, direct);
            }
            System.out.printf("  merged %d buckets, %,d points, sum %.3f in %,d us%n",
                merged.bucketCount(), merged.totalCount(), merged.totalSum(), tookUs);
            System.out.print(merged.describe(3));
            final boolean matches = merged.matches(direct);
            System.out.println(matches ? "  matches the aggregate computed directly over all the data" :
                "  MISMATCH against the aggregate computed directly over all the data");
            return matches;
        }
        catch (final ScatterGatherException ex)
        {
            System.out.println("  FAILED: " + ex.getMessage());
            return false;
        }
    }

    private NodeContext nodeContext(final File root, final int nodeId)
    {
        final NodeContext ctx = new NodeContext()
            .dir(new File(root, "node-" + nodeId))
            .name("node-" + nodeId);
        ctx.transport().bind("127.0.0.1:0").cluster(CLUSTER).nodeId(nodeId).nodeCertificate(ca.issue(nodeId));
        ctx.pipeline().waitStrategy(WaitStrategyKind.PARKING);
        if (null != lanes)
        {
            ctx.pipeline().lanes(lanes);
        }
        new EchoEngine().registerForAllTargets(ctx.pipeline());
        final int[] held = IntStream.range(0, VSHARDS).filter((v) -> v % nodes == nodeId - 1).toArray();
        new TimeseriesEngine(TimeseriesStore.generate(SEED, held, POINTS, STEP_MS)).register(ctx.pipeline());
        return ctx;
    }

    private ClientContext clientContext(final int streams)
    {
        return new ClientContext().cluster(CLUSTER).nodeId(CLIENT_NODE_ID)
            .nodeCertificate(ca.issue(CLIENT_NODE_ID)).clientStreams(streams);
    }

    private static boolean awaitHandled(final VShardNode node, final LoadSummary summary)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long handled = handledByNode(node);
        while (handled < summary.sent() && System.nanoTime() < deadlineNs)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            handled = handledByNode(node);
        }
        final long tookNs = System.nanoTime() - (deadlineNs - TimeUnit.SECONDS.toNanos(30));
        final double seconds = (summary.elapsedNs() + tookNs) / 1e9;
        System.out.printf("  node 1 handled %,d of %,d envelopes sent: %,.0f envelopes/s end to end%n",
            handled, summary.sent(), handled / seconds);
        if (handled < summary.sent())
        {
            System.out.println("  LOST: node 1 handled fewer envelopes than were sent");
        }
        return handled >= summary.sent();
    }

    private static long handledByNode(final VShardNode node)
    {
        long handled = 0;
        for (final CounterRow row : CounterRow.readAll(node.pipeline().countersManager()))
        {
            if (row.scope().startsWith("lane ") && "handled".equals(row.metric()))
            {
                handled += row.value();
            }
        }
        return handled;
    }
}
