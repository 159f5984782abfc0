package io.vshard.transport;

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
        }, (p) -> p.laneRingSize(RING), (t) -> t.streamWindowBytes(64 * 1024).connectionWindowBytes(256 * 1024)))
        {
            final QuicClient client = node.client(node.clientContext(node.ca.issue(TestNode.CLIENT_ID))
                .clientSendQueueBytes(64 * 1024).requestTimeoutMs(120_000), outcomes);
            final HeldBytesSampler held = new HeldBytesSampler(node, handled);
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
                "pauses %d, lane refusals %d, most held by the node %d B%n", count, seconds, count / seconds,
                backPressured, pauses, laneRefusals, held.maxHeldBytes);

            assertThat(backPressured).as("sends the client refused with BACK_PRESSURED").isPositive();
            assertThat(pauses).as("transport back-pressure pauses").isPositive();
            assertThat(laneRefusals).as("lane back-pressured counter").isPositive();
            assertThat(held.maxHeldBytes).as("bytes read by the node but not yet handled, at most")
                .isLessThan(MAX_HELD_BYTES);
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
     * Samples what the node has read from its streams but not yet handled: bytes in, less the bytes of the envelopes
     * handled. Unbounded if the node kept reading while its lane is full.
     */
    private static final class HeldBytesSampler extends Thread
    {
        private final TestNode node;
        private final AtomicLong handled;
        private volatile boolean running = true;
        private volatile long maxHeldBytes;

        HeldBytesSampler(final TestNode node, final AtomicLong handled)
        {
            super("held-bytes-sampler");
            setDaemon(true);
            this.node = node;
            this.handled = handled;
        }

        public void run()
        {
            while (running)
            {
                final long handledBytes = handled.get() * FRAME;
                final long held = node.server.counters().bytesIn.get() - handledBytes;
                if (held > maxHeldBytes)
                {
                    maxHeldBytes = held;
                }
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
