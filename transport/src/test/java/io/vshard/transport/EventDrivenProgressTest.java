package io.vshard.transport;

import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import io.vshard.transport.client.QuicClient;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Progress must come from events (ACKs opening the stream, write completions, lane room signals), never from the
 * periodic safety nets, which are switched off here on both sides. A run that leans on them stalls and fails on the
 * request timeout or the test timeout instead of finishing. The settings make every back-pressure path fire often:
 * 1 KiB answers batched 4 KiB at a time (the server stops reading a stream at 16 KiB of answers not yet taken by
 * the stream), a lane ring of 64 slots (streams stop at a full lane and wait for its room signal), a 64 KiB client
 * send queue (the sender is back-pressured), and more requests in flight than the congestion window carries.
 */
class EventDrivenProgressTest
{
    static
    {
        LeakDetection.install();
    }

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldAnswerEveryRequestWithoutPeriodicSafetyNets()
    {
        final int count = 50_000;
        final int streams = 4;
        final int payload = 1024;
        final AtomicLong responses = new AtomicLong();
        final AtomicLong other = new AtomicLong();
        try (TestNode node = new TestNode(dir, (envelope, reply) -> reply.respond(
            envelope.messageType(), envelope.payloadBuffer(), envelope.payloadOffset(), envelope.payloadLength()),
            (pipelineCtx) -> pipelineCtx.laneRingSize(64).exclusiveRingSize(64),
            (transportCtx) -> transportCtx.safetyNet(false).writeBatchBytes(4096)))
        {
            final QuicClient client = node.client(
                node.clientContext(node.ca.issue(TestNode.CLIENT_ID)).clientStreams(streams).safetyNet(false)
                    .clientSendQueueBytes(64 * 1024).requestTimeoutMs(20_000),
                (correlationId, kind, errorCode, envelope) ->
                {
                    if (FrameDescriptor.KIND_RESPONSE == kind && payload == envelope.payloadLength())
                    {
                        responses.incrementAndGet();
                    }
                    else
                    {
                        other.incrementAndGet();
                    }
                });
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[28 + payload]);
            long backPressured = 0;
            for (int i = 1; i <= count; i++)
            {
                final int length = TestNode.envelope(buffer, MessageType.GraphAlgoSuperstep, TestNode.CLIENT_ID, i,
                    payload);
                long id;
                while ((id = client.request(i % streams, buffer, 0, length)) == QuicClient.BACK_PRESSURED)
                {
                    backPressured++;
                    LockSupport.parkNanos(20_000);
                }
                // A stall that only a periodic re-check would end idles the connection out: NOT_CONNECTED here.
                assertThat(id).as("request %d", i).isPositive();
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (responses.get() + other.get() < count && System.nanoTime() < deadline)
            {
                LockSupport.parkNanos(1_000_000);
            }
            assertThat(backPressured).as("the sender was back-pressured").isPositive();
            assertThat(other.get()).as("timeouts, errors, closed").isZero();
            assertThat(responses.get()).isEqualTo(count);
            assertThat(client.pendingRequests()).isZero();
            assertThat(node.server.counters().backPressurePauses.get()).as("lane pauses").isPositive();
            assertThat(node.errors).isEmpty();
        }
        assertThat(LeakDetection.collect()).isEmpty();
    }
}
