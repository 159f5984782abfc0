package io.vshard.bench.quic;

import io.vshard.core.wire.MessageType;
import io.vshard.load.LoadGenerator;
import io.vshard.load.LoadOptions;
import io.vshard.load.LoadSummary;
import io.vshard.transport.ClientContext;
import io.vshard.transport.client.QuicClient;

import java.io.PrintStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Request/reply latency at a fixed rate in steady state: the node's own load generator (latency from each request's
 * slot in the schedule, so corrected for coordinated omission) against a node of {@link QuicEndToEnd.Node}, after a
 * warm-up run of the same length that is thrown away. The demo command measures a cold JVM, whose first second of
 * interpreted and half-compiled code dominates its tail; this measures what a warmed-up node does. Run: {@code
 * QuicPacedLatency [rate] [seconds] [payload] [streams]}.
 */
public final class QuicPacedLatency
{
    private QuicPacedLatency()
    {
    }

    /**
     * Warm up, measure, print the summary.
     *
     * @param args optional rate per second, seconds per run, payload, streams.
     * @throws Exception when QUIC cannot start.
     */
    public static void main(final String[] args) throws Exception
    {
        final long rate = args.length > 0 ? Long.parseLong(args[0]) : 5_000;
        final long seconds = args.length > 1 ? Long.parseLong(args[1]) : 5;
        final QuicEndToEnd.Node node = new QuicEndToEnd.Node();
        node.payload = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        node.streams = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        node.start();
        try
        {
            final PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            run(node, rate, seconds, quiet);
            System.out.printf("steady state, rate %d/s, %d s, payload %d, %d streams:%n", rate, seconds, node.payload,
                node.streams);
            run(node, rate, seconds, quiet).print(System.out);
        }
        finally
        {
            node.stop();
        }
    }

    private static LoadSummary run(final QuicEndToEnd.Node node, final long rate, final long seconds,
        final PrintStream progress)
    {
        final LoadOptions options = new LoadOptions(node.streams, rate, TimeUnit.SECONDS.toNanos(seconds), 0,
            node.payload, List.of(MessageType.VectorScatterRequest), true, 2, 1, 16, false, LoadGenerator.WINDOW);
        final LoadGenerator generator = new LoadGenerator(options);
        try (QuicClient client = new QuicClient(new ClientContext().cluster("bench").nodeId(2)
            .nodeCertificate(node.ca.issue(2)).clientStreams(node.streams), node.server.localAddress(),
            generator.listener()).connect())
        {
            return generator.run(client, progress);
        }
    }
}
