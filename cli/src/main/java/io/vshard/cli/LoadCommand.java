package io.vshard.cli;

import io.vshard.load.LoadGenerator;
import io.vshard.load.LoadSummary;
import io.vshard.transport.ClientContext;
import io.vshard.transport.client.QuicClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.util.concurrent.Callable;

/**
 * {@code vshard load}: drive a node with envelopes over one QUIC connection and summarise throughput and latency.
 */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    description = {
        "Load generator: send envelopes to a node over QUIC, show progress, then throughput, latency",
        "(p50/p90/p99/p99.9/max, corrected for coordinated omission when --rate is set) and errors by code.",
        "Exit status 0 when every request was answered."})
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
        identity.applyTo(ctx, nodeId);
        final LoadGenerator generator = new LoadGenerator(load.toOptions(nodeId, targetNode));
        final LoadSummary summary;
        try (QuicClient client = new QuicClient(ctx, parse(connect), generator.listener()).connect())
        {
            summary = generator.run(client, System.out);
        }
        return report(summary, load) ? 0 : 1;
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
