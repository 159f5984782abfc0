package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.reply.CallbackReplyDestination;
import io.vshard.core.reply.ReplyDestination;
import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

import static io.vshard.core.pipeline.PipelineTests.envelope;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * close() while publishers keep offering: every envelope accepted is handled and answered exactly once before close()
 * returns, every offer after it is refused CLOSED, and nothing hangs.
 */
@Timeout(60)
class PipelineCloseTest
{
    private static final int PRODUCERS = 2;
    private static final int MAX_PER_PRODUCER = 1 << 20;
    private static final int CLOSE_AFTER_ACCEPTED = 2000;
    private static final MessageType[] TYPES = {MessageType.SegmentChunk, MessageType.TsScatterRequest};

    @TempDir
    Path dir;

    @Test
    void shouldDrainEverythingAcceptedWhenClosedUnderLoad() throws Exception
    {
        final AtomicLongArray handled = new AtomicLongArray(PRODUCERS * MAX_PER_PRODUCER);
        final AtomicLongArray answered = new AtomicLongArray(PRODUCERS * MAX_PER_PRODUCER);
        final EnvelopeHandler slowish = (envelope, reply) ->
        {
            handled.incrementAndGet((int)envelope.payloadBuffer().getLong(envelope.payloadOffset(), LITTLE_ENDIAN));
            LockSupport.parkNanos(20_000);
        };
        final Pipeline pipeline = Pipeline.launch(PipelineTests.context(dir)
            .lanes("Migration;*")
            .laneRingSize(256)
            .handler(DispatchTarget.Migration, slowish)
            .handler(DispatchTarget.TimeseriesScan, slowish));
        final CallbackReplyDestination destination = new CallbackReplyDestination((address, buffer, offset, length) ->
        {
            assertThat(buffer.getByte(offset + FrameDescriptor.KIND_FIELD_OFFSET)).isEqualTo(FrameDescriptor.KIND_ACK);
            answered.incrementAndGet(
                (int)buffer.getLong(offset + FrameDescriptor.CORRELATION_ID_FIELD_OFFSET, LITTLE_ENDIAN) - 1);
        });
        final CountDownLatch enoughAccepted = new CountDownLatch(CLOSE_AFTER_ACCEPTED);
        final Producer[] producers = new Producer[PRODUCERS];
        try
        {
            for (int p = 0; p < PRODUCERS; p++)
            {
                producers[p] = new Producer(pipeline, destination, p, enoughAccepted);
                producers[p].start();
            }
            assertThat(enoughAccepted.await(20, TimeUnit.SECONDS)).isTrue();
            final Thread closer = new Thread(pipeline::close, "closer");
            closer.start();
            closer.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(closer.isAlive()).as("close() returned").isFalse();

            final ConcurrentHashMap.KeySetView<Integer, Boolean> wrong = ConcurrentHashMap.newKeySet();
            long accepted = 0;
            for (final Producer producer : producers)
            {
                producer.join(TimeUnit.SECONDS.toMillis(20));
                assertThat(producer.isAlive()).as("producer %d stopped", producer.id).isFalse();
                assertThat(producer.lastResult).as("producer %d's last offer", producer.id).isEqualTo(Pipeline.CLOSED);
                for (int i = 0; i < producer.accepted; i++)
                {
                    final int index = producer.id * MAX_PER_PRODUCER + i;
                    if (1 != handled.get(index) || 1 != answered.get(index))
                    {
                        wrong.add(index);
                    }
                }
                for (int i = producer.accepted; i < MAX_PER_PRODUCER; i++)
                {
                    final int index = producer.id * MAX_PER_PRODUCER + i;
                    if (0 != handled.get(index) || 0 != answered.get(index))
                    {
                        wrong.add(index);
                    }
                }
                accepted += producer.accepted;
            }
            System.out.println("accepted before close: " + accepted);
            assertThat(accepted).isGreaterThanOrEqualTo(CLOSE_AFTER_ACCEPTED);
            assertThat(wrong).as("envelopes not handled and answered exactly once iff accepted").isEmpty();

            final UnsafeBuffer late = envelope(MessageType.SegmentChunk, 8);
            assertThat(pipeline.offer(late, 0, late.capacity(), destination, 0, 1)).isEqualTo(Pipeline.CLOSED);
            assertThat(pipeline.isClosed()).isTrue();
        }
        finally
        {
            for (final Producer producer : producers)
            {
                if (null != producer)
                {
                    producer.join(TimeUnit.SECONDS.toMillis(5));
                }
            }
            PipelineTests.closeAndRelease(pipeline);
        }
    }

    private static final class Producer extends Thread
    {
        private final Pipeline pipeline;
        private final ReplyDestination destination;
        private final int id;
        private final CountDownLatch acceptedLatch;
        private final UnsafeBuffer envelope = envelope(TYPES[0], 8);
        private int accepted;
        private volatile int lastResult;

        Producer(
            final Pipeline pipeline, final ReplyDestination destination, final int id, final CountDownLatch latch)
        {
            super("close-producer-" + id);
            this.pipeline = pipeline;
            this.destination = destination;
            this.id = id;
            this.acceptedLatch = latch;
        }

        public void run()
        {
            int result = Pipeline.ACCEPTED;
            while (accepted < MAX_PER_PRODUCER)
            {
                final int index = id * MAX_PER_PRODUCER + accepted;
                envelope.putShort(EnvelopeDescriptor.MSG_TYPE_FIELD_OFFSET,
                    (short)TYPES[accepted % TYPES.length].code(), LITTLE_ENDIAN);
                envelope.putLong(EnvelopeDescriptor.PAYLOAD_OFFSET, index, LITTLE_ENDIAN);
                result = pipeline.offer(envelope, 0, envelope.capacity(), destination, id, index + 1);
                if (Pipeline.ACCEPTED == result)
                {
                    accepted++;
                    acceptedLatch.countDown();
                }
                else if (Pipeline.BACK_PRESSURED == result)
                {
                    Thread.yield();
                }
                else
                {
                    break;
                }
            }
            lastResult = result;
        }
    }
}
