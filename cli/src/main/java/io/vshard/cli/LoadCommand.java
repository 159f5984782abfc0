package io.vshard.cli;

import io.vshard.load.LoadGenerator;
import io.vshard.load.LoadSummary;
import io.vshard.transport.ClientContext;
import io.vshard.transport.client.QuicClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * {@code vshard load}: drive a node with envelopes over one QUIC connection and summarise throughput and latency.
 * Ctrl-C or SIGTERM stops the run: the partial summary is printed and written like a full one.
 */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    description = {
        "Send envelopes to a node over QUIC and report throughput, latency and errors.",
        "Shows progress, then throughput, latency (p50/p90/p99/p99.9/max, corrected for coordinated omission when "
            + "--rate is set) and errors by code. Ctrl-C stops early and still reports. Exit status 0 when every "
            + "request was answered."})
public final class LoadCommand implements Callable<Integer>
{
    @Option(names = "--connect", defaultValue = "127.0.0.1:7420",
        description = "Node address (default ${DEFAULT-VALUE}).")
    String connect;

    @Option(names = "--node-id", defaultValue = "100",
        description = "This client's node id (default ${DEFAULT-VALUE}).")
    long nodeId;

    @Option(names = "--target-node", defaultValue = "1", description = "The node's id (default ${DEFAULT-VALUE}).")
    long targetNode;

    @Mixin
    IdentityOptions identity;

    @Mixin
    LoadOptionsMixin load;

    /**
     * Run the load.
     *
     * @return the exit status.
     * @throws Exception on a connection or output failure.
     */
    public Integer call() throws Exception
    {
        final ClientContext ctx = new ClientContext().clientStreams(load.streams);
        identity.applyTo(ctx, nodeId, new Properties());
        final LoadGenerator generator = new LoadGenerator(load.toOptions(nodeId, targetNode));
        try (QuicClient client = new QuicClient(ctx, parse(connect), generator.listener()).connect())
        {
            final StopOnSignal signal = new StopOnSignal(generator::stop, () -> { });
            try
            {
                final LoadSummary summary = generator.run(client, System.out);
                final boolean ok = report(summary, load);
                System.out.flush();
                return ok ? 0 : 1;
            }
            finally
            {
                signal.close();
            }
        }
    }

    static boolean report(final LoadSummary summary, final LoadOptionsMixin load) throws java.io.IOException
    {
        summary.print(System.out);
        if (null != load.json)
        {
            summary.writeJson(load.json);
        }
        if (null != load.hgrm)
        {
            summary.writeHgrm(load.hgrm);
        }
        return summary.nothingLost();
    }

    static InetSocketAddress parse(final String hostPort)
    {
        final int colon = hostPort.lastIndexOf(':');
        if (colon <= 0)
        {
            throw new IllegalArgumentException("expected host:port, got " + hostPort);
        }
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
