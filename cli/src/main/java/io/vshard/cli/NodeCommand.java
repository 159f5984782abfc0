package io.vshard.cli;

import io.vshard.core.pipeline.WaitStrategyKind;
import io.vshard.examples.EchoEngine;
import io.vshard.examples.timeseries.TimeseriesEngine;
import io.vshard.examples.timeseries.TimeseriesStore;
import io.vshard.node.NodeContext;
import io.vshard.node.VShardNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;

/**
 * {@code vshard node}: run a node until SIGTERM or Ctrl-C, then close it with the drain.
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = {
        "Run a node: QUIC server, lanes and the example engines, until SIGTERM / Ctrl-C (then it drains).",
        "Settings come from --config (vshard.* and vshard.transport.* properties), then the options below."})
public final class NodeCommand implements Callable<Integer>
{
    @Option(names = "--bind", defaultValue = "0.0.0.0:7420", description = "UDP address (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--node-id", defaultValue = "1", description = "This node's id (default ${DEFAULT-VALUE}).")
    long nodeId;

    @Option(names = "--dir", defaultValue = "vshard-node",
        description = "Directory of the counters file (default ${DEFAULT-VALUE}).")
    File dir;

    @Mixin
    IdentityOptions identity;

    @Option(names = "--lanes",
        description = "Lane layout, e.g. 'TimeseriesScan,TimeseriesRetention@2;VectorSearch@3;*' "
        + "(@N pins the lane to CPU N, /wait sets its wait strategy).")
    String lanes;

    @Option(names = "--config", description = "Properties file with vshard.* settings.")
    File config;

    @Option(names = "--wait-strategy", description = "busy-spin, yielding, sleeping, parking or blocking.")
    String waitStrategy;

    @Option(names = "--io-threads", description = "I/O threads (event loops).")
    Integer ioThreads;

    // Time beyond the transport's shutdown timeout the close may take before the process halts.
    private static final long SHUTDOWN_MARGIN_MS = 5_000;

    @Option(names = "--ts-vshards", defaultValue = "0-15",
        description = "Vshards the example timeseries engine holds, e.g. 0-15 or 0,3,6 (default ${DEFAULT-VALUE}).")
    String tsVshards;

    @Option(names = "--ts-points", defaultValue = "10000",
        description = "Points per series (default ${DEFAULT-VALUE}).")
    int tsPoints;

    @Option(names = "--ts-seed", defaultValue = "7",
        description = "Seed of the example data (default ${DEFAULT-VALUE}).")
    long tsSeed;

    /**
     * Run the node until a signal.
     *
     * @return the exit status.
     * @throws Exception on a start failure.
     */
    public Integer call() throws Exception
    {
        final VShardNode node = VShardNode.launch(context());
        System.out.println("vshard node " + Long.toUnsignedString(node.nodeId()) + " listening on " +
            node.localAddress() + " (counters: " + new File(dir, "counters.dat") + ")");
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            System.out.println("vshard node: draining and stopping");
            node.closeOrHalt(SHUTDOWN_MARGIN_MS);
            System.out.println("vshard node: stopped");
            stopped.countDown();
        }, "vshard-shutdown"));
        stopped.await();
        return 0;
    }

    NodeContext context() throws IOException
    {
        final NodeContext ctx = new NodeContext().dir(dir).name("node-" + Long.toUnsignedString(nodeId));
        if (null != config)
        {
            final Properties properties = new Properties();
            try (InputStream in = new FileInputStream(config))
            {
                properties.load(in);
            }
            ctx.apply(properties);
        }
        ctx.transport().bind(bind);
        identity.applyTo(ctx.transport(), nodeId);
        if (null != lanes)
        {
            ctx.pipeline().lanes(lanes);
        }
        if (null != waitStrategy)
        {
            ctx.pipeline().waitStrategy(WaitStrategyKind.parse(waitStrategy));
        }
        if (null != ioThreads)
        {
            ctx.transport().ioThreads(ioThreads);
        }
        new EchoEngine().registerForAllTargets(ctx.pipeline());
        new TimeseriesEngine(TimeseriesStore.generate(tsSeed, parseList(tsVshards), tsPoints, 1_000))
            .register(ctx.pipeline());
        return ctx;
    }

    static int[] parseList(final String text)
    {
        return Arrays.stream(text.split(","))
            .map(String::trim)
            .flatMapToInt((part) ->
            {
                final int dash = part.indexOf('-');
                if (dash > 0)
                {
                    return IntStream.rangeClosed(
                        Integer.parseInt(part.substring(0, dash)), Integer.parseInt(part.substring(dash + 1)));
                }
                return IntStream.of(Integer.parseInt(part));
            })
            .toArray();
    }
}
