package io.vshard.transport.hardening;

import io.vshard.core.wire.MessageType;
import io.vshard.transport.TestNode;
import io.vshard.transport.client.QuicClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node that stops answering without closing anything (its engine is stuck): its lane fills, it stops reading, and
 * QUIC flow control stops the client's writes, so requests wait in the client's send queue. Each must still fail with
 * TIMED_OUT within the request timeout, whether it was written or not.
 */
class StuckNodeTest
{
    private static final long TIMEOUT_MS = 500;

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void shouldTimeOutRequestsStillQueuedBehindFlowControl()
    {
        final CountDownLatch unstick = new CountDownLatch(1);
        final int count = 8_000;
        final RequestLedger ledger = new RequestLedger(count);
        try (TestNode node = new TestNode(dir, (envelope, reply) -> unstick.await(), (p) -> p.laneRingSize(64).exclusiveRingSize(64),
            (t) -> t.streamWindowBytes(16 * 1024).connectionWindowBytes(64 * 1024)))
        {
            try
            {
                final QuicClient client = node.client(node.clientContext(node.ca.issue(TestNode.CLIENT_ID))
                    .requestTimeoutMs(TIMEOUT_MS), ledger);
                final long startNs = System.nanoTime();
                final int sent = LedgerTraffic.send(client, ledger, 1, count, MessageType.GhostCreate, TestNode.CLIENT_ID,
                    startNs + TimeUnit.SECONDS.toNanos(10));
                final long sentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                ledger.awaitOutcomes(sent, 10 * TIMEOUT_MS, () -> "pending=" + client.pendingRequests() +
                    " (requests still queued in the client never time out)");
                final long doneMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                final RequestLedger.Tally tally = ledger.tally(sent);
                System.out.printf("stuck node: %d requests sent in %d ms, all failed by %d ms: timedOut=%d closed=%d%n",
                    sent, sentMs, doneMs, tally.timedOut(), tally.closed());
                assertThat(tally.timedOut()).isEqualTo(sent);
                assertThat(doneMs - sentMs).isLessThan(5 * TIMEOUT_MS);
            }
            finally
            {
                // The node's close waits for its lanes to drain.
                unstick.countDown();
            }
        }
    }
}
