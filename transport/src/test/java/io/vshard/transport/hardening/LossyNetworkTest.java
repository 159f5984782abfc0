package io.vshard.transport.hardening;

import io.vshard.core.wire.MessageType;
import io.vshard.transport.TestNode;
import io.vshard.transport.ServerContext;
import io.vshard.transport.client.QuicClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests through a {@link LossyUdpRelay} that drops, duplicates and reorders datagrams: QUIC must recover every
 * loss, so that each request is answered exactly once, with its own correlation id, and nothing stalls. A run that
 * makes no progress for {@link #STALL_MS} fails with the client, server and relay figures: that is the stall the
 * transport was once seen to fall into on a lossy loopback.
 */
class LossyNetworkTest
{
    private static final long STALL_MS = 20_000;
    private static final int DEFAULT_COUNT = Integer.getInteger("vshard.test.lossy.count", 200_000);
    private static final int SMALL_SOCKET_BUFFER = 32 * 1024;

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void shouldAnswerEveryRequestExactlyOnceAtOnePercentLoss()
    {
        run(DEFAULT_COUNT, 0.01, 11, ServerContext.SOCKET_BUFFER_DEFAULT);
    }

    @Test
    @Timeout(180)
    void shouldAnswerEveryRequestExactlyOnceAtFivePercentLoss()
    {
        run(DEFAULT_COUNT, 0.05, 12, ServerContext.SOCKET_BUFFER_DEFAULT);
    }

    @Test
    @Timeout(180)
    void shouldNotStallWithSmallSocketBuffersAtFivePercentLoss()
    {
        // Small buffers add the kernel's own drops to the relay's, in bursts.
        run(DEFAULT_COUNT, 0.05, 13, SMALL_SOCKET_BUFFER);
    }

    @Test
    @Tag("slow")
    @Timeout(900)
    void shouldAnswerAMillionRequestsExactlyOnceAtFivePercentLossWithSmallSocketBuffers()
    {
        run(1_000_000, 0.05, 22, SMALL_SOCKET_BUFFER);
    }

    private void run(final int count, final double lossRate, final long seed, final int socketBufferBytes)
    {
        final RequestLedger ledger = new RequestLedger(count);
        try (TestNode node = new TestNode(dir, Handlers.echo(), (pipeline) -> { },
            (transport) -> transport.socketReceiveBufferBytes(socketBufferBytes).socketSendBufferBytes(socketBufferBytes));
            LossyUdpRelay relay = new LossyUdpRelay(node.server.localAddress(), seed, lossRate, 0.01, 0.02, 5))
        {
            final QuicClient client = new QuicClient(
                node.clientContext(node.ca.issue(TestNode.CLIENT_ID)).clientStreams(4).requestTimeoutMs(120_000)
                    .idleTimeoutMs(30_000).socketReceiveBufferBytes(socketBufferBytes)
                    .socketSendBufferBytes(socketBufferBytes),
                relay.address(), ledger).connect();
            try
            {
                final long startNs = System.nanoTime();
                final int sent = LedgerTraffic.send(client, ledger, 1, count, MessageType.GraphAlgoSuperstep,
                    TestNode.CLIENT_ID, startNs + TimeUnit.SECONDS.toNanos(600));
                assertThat(sent).isEqualTo(count);
                ledger.awaitOutcomes(count, STALL_MS, () -> "client pending=" + client.pendingRequests() +
                    " connects=" + client.connectCount() + " server framesIn=" + node.server.counters().framesIn.get() +
                    " framesOut=" + node.server.counters().framesOut.get() + " " + relay.describe());
                final double seconds = (System.nanoTime() - startNs) / 1e9;
                System.out.printf("lossy %.0f %%, socket buffers %d B: %d requests in %.1f s (%.0f/s), connects=%d, %s%n",
                    lossRate * 100, socketBufferBytes, count, seconds, count / seconds, client.connectCount(), relay.describe());

                assertThat(ledger.exactlyOnceViolations(count)).isEmpty();
                assertThat(client.pendingRequests()).isZero();
                assertThat(client.connectCount()).as("one connection, never lost").isEqualTo(1);
                assertThat(relay.dropped()).as("the relay did drop").isGreaterThan(0);
                assertThat(relay.duplicated()).isGreaterThan(0);
                assertThat(relay.reordered()).isGreaterThan(0);
                assertThat(node.errors).isEmpty();
            }
            finally
            {
                client.close();
            }
        }
    }
}
