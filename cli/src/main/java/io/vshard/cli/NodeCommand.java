package io.vshard.cli;

import io.vshard.core.pipeline.WaitStrategyKind;
import io.vshard.examples.EchoEngine;
import io.vshard.examples.timeseries.TimeseriesEngine;
import io.vshard.examples.timeseries.TimeseriesStore;
import io.vshard.node.NodeContext;
import io.vshard.node.VShardNode;
import io.vshard.transport.ServerContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;

/**
 * {@code vshard node}: run a node until SIGTERM or Ctrl-C, then close it with the drain.
 * <p>
 * Settings come from the library's defaults, then system properties, then {@code --config}, then the options given:
 * an option left unset leaves the value before it.
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = {
        "Run a node until SIGTERM or Ctrl-C, then drain and stop.",
        "Settings come from --config (vshard.* and vshard.transport.* properties); an option given overrides its "
            + "setting, an option left out leaves it. Without --examples (on by default with --dev) the node has "
            + "no handlers and every target answers NO_HANDLER."})
public final class NodeCommand implements Callable<Integer>
{
    /** Where {@code --dev} binds when no address is given. */
    static final String DEV_BIND = "127.0.0.1:7420";

    @Option(names = "--bind",
        description = "UDP address (default: vshard.transport.bind, else " + ServerContext.BIND_DEFAULT
            + "; with --dev " + DEV_BIND + ").")
    String bind;

    @Option(names = "--node-id", description = "This node's id (default: vshard.transport.node.id, else 1).")
    Long nodeId;

    @Option(names = "--dir",
        description = "Directory of the counters file (default: vshard.dir, else /dev/shm/vshard-$USER where "
            + "/dev/shm exists, else $TMPDIR/vshard-$USER). The development CA has its own, --dev-ca-dir.")
    File dir;

    @Mixin
    IdentityOptions identity;

    @Option(names = "--lanes",
        description = "Lane layout, e.g. 'TimeseriesScan,TimeseriesRetention@2;VectorSearch@3;*' "
        + "(@N pins the lane to CPU N, /wait sets its wait strategy).")
    String lanes;

    @Option(names = "--config", description = "Properties file with vshard.* and vshard.transport.* settings.")
    File config;

    @Option(names = "--wait-strategy", description = "busy-spin, yielding, sleeping, parking or blocking.")
    String waitStrategy;

    @Option(names = "--io-threads", description = "I/O threads (event loops).")
    Integer ioThreads;

    @Option(names = "--examples", negatable = true,
        description = "Serve the example engines (echo for every target, timeseries scan and retention); "
            + "default on with --dev, off otherwise.")
    Boolean examples;

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
        final NodeContext ctx = context();
        final VShardNode node;
        try
        {
            node = VShardNode.launch(ctx);
        }
        catch (final Exception ex)
        {
            if (Failures.isBindFailure(ex) && !String.valueOf(ex.getMessage()).startsWith("cannot bind"))
            {
                throw new IllegalStateException("cannot bind " + ctx.transport().bindAddress(), ex);
            }
            throw ex;
        }
        System.out.println("vshard node " + Long.toUnsignedString(node.nodeId()) + " listening on " +
            node.localAddress() + " (counters: " + new File(ctx.pipeline().dir(), "counters.dat") + ", " +
            (servesExamples(ctx) ? "example engines" : "no handlers") + ")");
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
        final NodeContext ctx = new NodeContext();
        final Properties properties = new Properties();
        if (null != config)
        {
            try (InputStream in = new FileInputStream(config))
            {
                properties.load(in);
            }
            catch (final FileNotFoundException ex)
            {
                throw new IllegalArgumentException("--config " + config + ": no such file");
            }
            ctx.apply(properties);
        }
        if (null != dir)
        {
            ctx.dir(dir);
        }
        identity.applyTo(ctx.transport(), nodeId, properties);
        ctx.name("node-" + Long.toUnsignedString(ctx.transport().nodeId()));
        if (null != bind)
        {
            ctx.transport().bind(bind);
        }
        else if (identity.dev(ctx.transport()) && !properties.containsKey(ServerContext.BIND_PROP_NAME) &&
            null == System.getProperty(ServerContext.BIND_PROP_NAME))
        {
            ctx.transport().bind(DEV_BIND);
        }
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
        if (servesExamples(ctx))
        {
            new EchoEngine().registerForAllTargets(ctx.pipeline());
            new TimeseriesEngine(TimeseriesStore.generate(tsSeed, parseList(tsVshards), tsPoints, 1_000))
                .register(ctx.pipeline());
        }
        return ctx;
    }

    private boolean servesExamples(final NodeContext ctx)
    {
        return null != examples ? examples : identity.dev(ctx.transport());
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
