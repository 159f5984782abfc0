package io.vshard.transport;

import io.vshard.core.pipeline.EnvelopeHandler;
import io.vshard.core.status.CountersFileDescriptor;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import io.vshard.transport.client.QuicClient;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A handler slower than the network on a small ring: the lane refuses, the server stops reading the stream, QUIC flow
 * control holds the client, and the client's sends come back BACK_PRESSURED. What the node holds stays bounded, and
 * every envelope, fire-and-forget or request, is handled exactly once and in order; every request is answered.
 */
class BackPressureTest
{
    private static final int RING = 64;
    private static final int PAYLOAD = 64;
    private static final int FRAME = FrameDescriptor.envelopeFrameLength(PAYLOAD);
    private static final long HANDLER_PARK_NS = TimeUnit.MICROSECONDS.toNanos(50);
    /** What the node may hold unhandled: far below what the client sends, far above the ring and one read. */
    private static final long MAX_HELD_BYTES = 2L * 1024 * 1024;
    private static final int CLIENT_QUEUE_BYTES = 64 * 1024;
    private static final int STREAM_WINDOW_BYTES = 64 * 1024;
    /** What the client may hold accepted but not yet read by the node: its queue, the stream window, one drain. */
    private static final long MAX_CLIENT_HELD_BYTES = 2L * 1024 * 1024;

    static
    {
        LeakDetection.install();
    }

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldHoldBackTheClientAndHandleEveryEnvelopeOnce()
    {
        run(Integer.getInteger("vshard.test.backpressure.count", 200_000));
    }

    @Test
    @Tag("slow")
    @Timeout(600)
    void shouldHoldBackTheClientAndHandleAMillionEnvelopesOnce()
    {
        run(1_000_000);
    }

    @Test
    @Timeout(60)
    void shouldNotAcceptMoreThanItsQueueAndTheStreamWindowWhileTheNodeReadsNothing()
    {
        // The lane is full and the stream paused: the client may take its send queue and about a stream window of
        // requests, then must answer BACK_PRESSURED instead of buffering without bound.
        final CountDownLatch release = new CountDownLatch(1);
        assertClientHoldsBack((envelope, reply) -> release.await(), release);
    }

    @Test
    @Timeout(60)
    void shouldNotAcceptMoreThanItsQueueAndTheStreamWindowWhileTheNodeReadsSlowly()
    {
        final CountDownLatch release = new CountDownLatch(1);
        assertClientHoldsBack((envelope, reply) -> LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(20)), release);
    }

    private void assertClientHoldsBack(final EnvelopeHandler handler, final CountDownLatch release)
    {
        final long bound = ClientContext.CLIENT_SEND_QUEUE_BYTES_DEFAULT + ClientContext.STREAM_WINDOW_DEFAULT +
            MAX_CLIENT_HELD_BYTES;
        try (TestNode node = new TestNode(dir, handler))
        {
            final QuicClient client = node.client(node.clientContext(node.ca.issue(TestNode.CLIENT_ID))
                .requestTimeoutMs(120_000), (id, kind, code, envelope) -> { });
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[FRAME]);
            final int length = TestNode.envelope(buffer, MessageType.GraphAlgoSuperstep, TestNode.CLIENT_ID, 1, PAYLOAD);
            long accepted = 0;
            long refused = 0;
            long maxHeld = 0;
            final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() - endNs < 0 && maxHeld <= 2 * bound)
            {
                if (client.request(0, buffer, 0, length) > 0)
                {
                    accepted++;
                    maxHeld = Math.max(maxHeld, accepted * FRAME - node.server.counters().bytesIn.get());
                }
                else
                {
                    refused++;
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
                }
            }
            System.out.printf("client holding back: accepted %d requests, refused %d, held at most %d B; node " +
                "read %d B%n", accepted, refused, maxHeld, node.server.counters().bytesIn.get());
            release.countDown();
            assertThat(refused).as("sends refused with BACK_PRESSURED").isPositive();
            assertThat(maxHeld).as("bytes the client accepted that the node had not read, at most").isLessThan(bound);
        }
    }

    private void run(final int count)
    {
        final byte[] seen = new byte[count + 1];
        final AtomicLong handled = new AtomicLong();
        final AtomicLong outOfOrder = new AtomicLong();
        final long[] last = new long[1];
        final OutcomeRecorder outcomes = new OutcomeRecorder();
        try (TestNode node = new TestNode(dir, (envelope, reply) ->
        {
            final long seq = envelope.payloadBuffer().getLong(envelope.payloadOffset(), ByteOrder.LITTLE_ENDIAN);
            if (seq != last[0] + 1)
            {
                outOfOrder.incrementAndGet();
            }
            last[0] = seq;
            if (seq > 0 && seq <= count)
            {
                seen[(int)seq]++;
            }
            LockSupport.parkNanos(HANDLER_PARK_NS);
            if (reply.expectsAnswer())
            {
                reply.respond(envelope.messageType());
            }
            handled.incrementAndGet();
        }, (p) -> p.laneRingSize(RING).exclusiveRingSize(RING), (t) -> t.streamWindowBytes(STREAM_WINDOW_BYTES).connectionWindowBytes(4 * STREAM_WINDOW_BYTES)))
        {
            final QuicClient client = node.client(node.clientContext(node.ca.issue(TestNode.CLIENT_ID))
                .clientSendQueueBytes(CLIENT_QUEUE_BYTES).requestTimeoutMs(120_000), outcomes);
            final AtomicLong accepted = new AtomicLong();
            final HeldBytesSampler held = new HeldBytesSampler(node, handled, accepted);
            held.start();

            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[FRAME]);
            long backPressured = 0;
            final long startNs = System.nanoTime();
            for (int i = 1; i <= count; i++)
            {
                // Odd: a request, even: fire-and-forget; one stream and one target, so the lane sees them in order.
                final int length = TestNode.envelope(buffer, MessageType.GraphAlgoSuperstep, TestNode.CLIENT_ID, 1,
                    PAYLOAD);
                buffer.putLong(28, i, ByteOrder.LITTLE_ENDIAN);
                while (true)
                {
                    final long result = 0 != (i & 1) ?
                        client.request(0, buffer, 0, length) : client.send(0, buffer, 0, length);
                    if (QuicClient.BACK_PRESSURED != result)
                    {
                        assertThat(result).as("send result of envelope " + i).isNotNegative();
                        if (result > 0)
                        {
                            outcomes.sent(result);
                        }
                        accepted.lazySet(i);
                        break;
                    }
                    backPressured++;
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
                }
            }
            Await.until("every envelope handled (" + count + ")", 90_000, () -> handled.get() == count);
            Await.until("every request answered", 30_000, () -> outcomes.outcomeCount() == outcomes.sentCount());
            final double seconds = (System.nanoTime() - startNs) / 1e9;
            held.finish();

            final long pauses = node.server.counters().backPressurePauses.get();
            final long laneRefusals = laneBackPressured(node.pipeline.countersManager());
            System.out.printf("back-pressure: %d envelopes in %.1f s (%.0f/s); client BACK_PRESSURED %d, server " +
                "pauses %d, lane refusals %d, most held by the node %d B, by the client %d B%n", count, seconds,
                count / seconds, backPressured, pauses, laneRefusals, held.maxHeldBytes, held.maxClientHeldBytes);

            assertThat(backPressured).as("sends the client refused with BACK_PRESSURED").isPositive();
            assertThat(pauses).as("transport back-pressure pauses").isPositive();
            assertThat(laneRefusals).as("lane back-pressured counter").isPositive();
            assertThat(held.maxHeldBytes).as("bytes read by the node but not yet handled, at most")
                .isLessThan(MAX_HELD_BYTES);
            assertThat(held.maxClientHeldBytes).as("bytes the client accepted but the node had not read, at most")
                .isLessThan(MAX_CLIENT_HELD_BYTES);
            assertThat(handled.get()).as("envelopes handled").isEqualTo(count);
            assertThat(outOfOrder.get()).as("envelopes handled out of order").isZero();
            for (int i = 1; i <= count; i++)
            {
                if (1 != seen[i])
                {
                    assertThat(seen[i]).as("times envelope " + i + " was handled").isEqualTo((byte)1);
                }
            }
            assertThat(outcomes.sentCount()).isEqualTo((count + 1) / 2);
            assertThat(outcomes.counts()).as("request outcomes").isEqualTo(Map.of("RESPONSE", outcomes.sentCount()));
            assertThat(outcomes.duplicates()).isZero();
            assertThat(node.server.counters().repliesDropped.get()).isZero();
            assertThat(node.errors).isEmpty();
        }
        assertThat(LeakDetection.collect()).as("Netty buffer leaks").isEmpty();
    }

    private static long laneBackPressured(final CountersManager counters)
    {
        final long[] sum = new long[1];
        counters.forEach((id, typeId, key, label) ->
        {
            if (CountersFileDescriptor.LANE_TYPE_ID == typeId && label.endsWith(": back-pressured"))
            {
                sum[0] += counters.getCounterValue(id);
            }
        });
        return sum[0];
    }

    /**
     * Samples what the node has read from its streams but not yet handled (bytes in, less the bytes of the envelopes
     * handled), unbounded if the node kept reading while its lane is full; and what the client has accepted from the
     * sender but the node has not read, unbounded if the client kept writing into a stream QUIC does not let it send.
     */
    private static final class HeldBytesSampler extends Thread
    {
        private final TestNode node;
        private final AtomicLong handled;
        private final AtomicLong accepted;
        private volatile boolean running = true;
        private volatile long maxHeldBytes;
        private volatile long maxClientHeldBytes;

        HeldBytesSampler(final TestNode node, final AtomicLong handled, final AtomicLong accepted)
        {
            super("held-bytes-sampler");
            setDaemon(true);
            this.node = node;
            this.handled = handled;
            this.accepted = accepted;
        }

        public void run()
        {
            while (running)
            {
                final long handledBytes = handled.get() * FRAME;
                final long bytesIn = node.server.counters().bytesIn.get();
                maxHeldBytes = Math.max(maxHeldBytes, bytesIn - handledBytes);
                maxClientHeldBytes = Math.max(maxClientHeldBytes, accepted.get() * FRAME - bytesIn);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
        }

        void finish()
        {
            running = false;
            try
            {
                join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
