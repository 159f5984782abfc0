package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;

class BatchPublisherTest
{
    @TempDir
    Path dir;

    private final AtomicLong handled = new AtomicLong();
    private final AtomicLong sum = new AtomicLong();
    private Pipeline pipeline;

    @AfterEach
    void release()
    {
        if (null != pipeline)
        {
            pipeline.release();
        }
    }

    @Test
    void shouldHandleEveryEnvelopeOfRunsOnTwoLanesInOrderOnceFlushed()
    {
        final long[] lastSeen = {-1, -1};
        final boolean[] ordered = {true, true};
        pipeline = launch(64, (envelope, reply) ->
        {
            final int lane = envelope.msgType() == MessageType.TsScatterRequest.code() ? 0 : 1;
            final long value = envelope.payloadBuffer().getLong(envelope.payloadOffset(), LITTLE_ENDIAN);
            ordered[lane] &= value > lastSeen[lane];
            lastSeen[lane] = value;
            sum.addAndGet(value);
            handled.incrementAndGet();
        });
        final BatchPublisher publisher = pipeline.newBatchPublisher(7);
        final int count = 10_000;
        long expectedSum = 0;
        for (int i = 0; i < count; i++)
        {
            final MessageType type = 0 == (i % 3) ? MessageType.GraphAlgoSuperstep : MessageType.TsScatterRequest;
            final UnsafeBuffer envelope = envelope(type, i);
            int result;
            while (Pipeline.BACK_PRESSURED == (result = publisher.offer(envelope, 0, envelope.capacity(), null, 0, 0)))
            {
                publisher.flush();
                Thread.yield();
            }
            assertThat(result).isEqualTo(Pipeline.ACCEPTED);
            expectedSum += i;
            if (0 == (i % 5))
            {
                publisher.flush();
            }
        }
        publisher.flush();
        pipeline.close();

        assertThat(handled.get()).isEqualTo(count);
        assertThat(sum.get()).isEqualTo(expectedSum);
        assertThat(ordered).containsExactly(true, true);
    }

    @Test
    void shouldRefuseMalformedAndAnswerClosedAfterClose()
    {
        pipeline = launch(64, (envelope, reply) -> handled.incrementAndGet());
        final BatchPublisher publisher = pipeline.newBatchPublisher(16);
        final UnsafeBuffer envelope = envelope(MessageType.TsScatterRequest, 1);

        assertThat(publisher.offer(envelope, 0, envelope.capacity() - 1, null, 0, 0))
            .isEqualTo(ErrorCode.MALFORMED.value());
        assertThat(publisher.offer(envelope, 0, envelope.capacity(), null, 0, 0)).isEqualTo(Pipeline.ACCEPTED);
        publisher.flush();
        pipeline.close();

        assertThat(publisher.offer(envelope, 0, envelope.capacity(), null, 0, 0)).isEqualTo(Pipeline.CLOSED);
        assertThat(handled.get()).isEqualTo(1);
    }

    @Test
    void shouldFallBackToSingleSlotsWhenTheRingHasLessRoomThanABatch()
    {
        pipeline = launch(8, (envelope, reply) -> handled.incrementAndGet());
        final BatchPublisher publisher = pipeline.newBatchPublisher(8);
        final UnsafeBuffer envelope = envelope(MessageType.TsScatterRequest, 1);
        final int count = 1_000;
        for (int i = 0; i < count; i++)
        {
            while (Pipeline.BACK_PRESSURED == publisher.offer(envelope, 0, envelope.capacity(), null, 0, 0))
            {
                publisher.flush();
                Thread.yield();
            }
            if (0 == (i % 3))
            {
                publisher.flush();
            }
        }
        publisher.flush();
        pipeline.close();

        assertThat(handled.get()).isEqualTo(count);
    }

    private Pipeline launch(final int ringSize, final EnvelopeHandler handler)
    {
        final PipelineContext ctx = new PipelineContext()
            .dir(dir.toFile())
            .laneRingSize(ringSize)
            .lanes("TimeseriesScan;*")
            .waitStrategy(WaitStrategyKind.BLOCKING)
            .errorHandler((t) -> {});
        for (final DispatchTarget target : DispatchTarget.values())
        {
            ctx.handler(target, handler);
        }
        return Pipeline.launch(ctx);
    }

    private static UnsafeBuffer envelope(final MessageType type, final long value)
    {
        final byte[] payload = new byte[16];
        new UnsafeBuffer(payload).putLong(0, value, LITTLE_ENDIAN);
        return new UnsafeBuffer(VShardEnvelope.of(type, 1, 2, 3, payload).encode());
    }
}
