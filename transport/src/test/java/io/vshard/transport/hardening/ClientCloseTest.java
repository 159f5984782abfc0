package io.vshard.transport.hardening;

import io.vshard.core.wire.MessageType;
import io.vshard.transport.TestNode;
import io.vshard.transport.client.QuicClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.vshard.core.wire.VShardEnvelope;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client closed with requests in flight, written or still queued, must report an outcome for every one of them
 * before {@code close()} returns: found by the soak test, where such requests were left pending forever.
 */
class ClientCloseTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldReportEveryRequestWhenClosedWithRequestsInFlight()
    {
        try (TestNode node = new TestNode(dir, Handlers.echo()))
        {
            for (int round = 0; round < 20; round++)
            {
                final int count = 70;
                final RequestLedger ledger = new RequestLedger(count);
                final QuicClient client = node.client(node.clientContext(node.ca.issue(TestNode.CLIENT_ID))
                    .clientStreams(1 + round % 4).requestTimeoutMs(30_000), ledger);
                final int sent = LedgerTraffic.send(client, ledger, 1, count, MessageType.GhostCreate,
                    TestNode.CLIENT_ID, System.nanoTime() + TimeUnit.SECONDS.toNanos(30), count, 70_000);
                client.close();
                final RequestLedger.Tally tally = ledger.tally(sent);
                assertThat(client.pendingRequests()).as("round %d: %s", round, tally).isZero();
                assertThat(tally.responses() + tally.closed() + tally.timedOut()).as("round %d", round).isEqualTo(sent);
                assertThat(tally.problems()).isEmpty();
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldFreeTheSendQueuesOnClose()
    {
        final int streams = 4;
        final int queueBytes = 8 * 1024 * 1024;
        try (TestNode node = new TestNode(dir, Handlers.echo()))
        {
            final QuicClient client = node.client(node.clientContext(node.ca.issue(TestNode.CLIENT_ID))
                .clientStreams(streams).clientSendQueueBytes(queueBytes), null);
            final long openBytes = ResourceProbe.now().directBytes();
            client.close();
            final long closedBytes = ResourceProbe.now().directBytes();

            System.out.printf("client close: direct %.1f -> %.1f MiB%n", openBytes / 1048576.0,
                closedBytes / 1048576.0);
            // The client is still referenced here: only close() can have freed its queues, not the GC.
            assertThat(openBytes - closedBytes).isGreaterThanOrEqualTo((long)streams * queueBytes);
            final UnsafeBuffer envelope = new UnsafeBuffer(VShardEnvelope.of(MessageType.GhostCreate,
                TestNode.CLIENT_ID, 2, 1, new byte[8]).encode());
            assertThat(client.send(0, envelope, 0, envelope.capacity())).isEqualTo(QuicClient.CLOSED);
            assertThat(client.request(0, envelope, 0, envelope.capacity())).isEqualTo(QuicClient.CLOSED);
        }
    }

    @Test
    @Timeout(60)
    void shouldAnswerClosedToSendersRacingWithCloseAndNeverTouchFreedQueues() throws Exception
    {
        final int senders = 4;
        try (TestNode node = new TestNode(dir, Handlers.echo()))
        {
            for (int round = 0; round < 10; round++)
            {
                final QuicClient client = node.client(node.clientContext(node.ca.issue(TestNode.CLIENT_ID))
                    .clientStreams(2).requestTimeoutMs(30_000), null);
                final AtomicLongArray lastResults = new AtomicLongArray(senders);
                final CountDownLatch started = new CountDownLatch(senders);
                final Thread[] threads = new Thread[senders];
                for (int i = 0; i < senders; i++)
                {
                    final int id = i;
                    threads[i] = new Thread(() ->
                    {
                        final UnsafeBuffer envelope = new UnsafeBuffer(VShardEnvelope.of(MessageType.GhostCreate,
                            TestNode.CLIENT_ID, 2, 1, new byte[256]).encode());
                        started.countDown();
                        long result;
                        do
                        {
                            result = 0 == id % 2 ? client.send(id % 2, envelope, 0, envelope.capacity()) :
                                client.request(id % 2, envelope, 0, envelope.capacity());
                            if (QuicClient.BACK_PRESSURED == result)
                            {
                                Thread.yield();
                            }
                        }
                        while (QuicClient.CLOSED != result);
                        lastResults.set(id, result);
                    }, "racing-sender-" + i);
                    threads[i].start();
                }
                assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
                TimeUnit.MILLISECONDS.sleep(20);
                client.close();
                for (final Thread thread : threads)
                {
                    thread.join(10_000);
                    assertThat(thread.isAlive()).as("sender saw CLOSED and stopped").isFalse();
                }
                for (int i = 0; i < senders; i++)
                {
                    assertThat(lastResults.get(i)).isEqualTo(QuicClient.CLOSED);
                }
                assertThat(client.pendingRequests()).as("round %d", round).isZero();
            }
        }
    }
}
