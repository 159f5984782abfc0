package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;

class ExclusivePublisherTest
{
    private static final int PRODUCER_SHIFT = 48;

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
    @Timeout(30)
    void shouldHandleEveryEnvelopeOnTwoLanesInOrderThroughSmallRings()
    {
        final long[] lastSeen = {-1, -1};
        final boolean[] ordered = {true, true};
        pipeline = launch(new PipelineContext().exclusiveRingSize(8), (envelope, reply) ->
        {
            final int lane = envelope.msgType() == MessageType.TsScatterRequest.code() ? 0 : 1;
            final long value = envelope.payloadBuffer().getLong(envelope.payloadOffset(), LITTLE_ENDIAN);
            ordered[lane] &= value > lastSeen[lane];
            lastSeen[lane] = value;
            sum.addAndGet(value);
            handled.incrementAndGet();
        });
        final ExclusivePublisher publisher = pipeline.newExclusivePublisher();
        final int count = 20_000;
        long expectedSum = 0;
        int backPressured = 0;
        for (int i = 0; i < count; i++)
        {
            final MessageType type = 0 == (i % 3) ? MessageType.GraphAlgoSuperstep : MessageType.TsScatterRequest;
            final UnsafeBuffer envelope = envelope(type, i);
            int result;
            while (Pipeline.BACK_PRESSURED == (result = publisher.offer(envelope, 0, envelope.capacity(), null, 0, 0)))
            {
                backPressured++;
                publisher.endRun();
                Thread.yield();
            }
            assertThat(result).isEqualTo(Pipeline.ACCEPTED);
            expectedSum += i;
            if (0 == (i % 5))
            {
                publisher.endRun();
            }
        }
        publisher.endRun();
        pipeline.close();

        assertThat(handled.get()).isEqualTo(count);
        assertThat(sum.get()).isEqualTo(expectedSum);
        assertThat(ordered).containsExactly(true, true);
        assertThat(backPressured).isPositive();
    }

    @Test
    @Timeout(30)
    void shouldHandToTheLaneWhatARunAcceptedWhenTheRunEnds() throws InterruptedException
    {
        pipeline = launch(new PipelineContext(), (envelope, reply) -> handled.incrementAndGet());
        final ExclusivePublisher publisher = pipeline.newExclusivePublisher();
        final UnsafeBuffer scan = envelope(MessageType.TsScatterRequest, 1);
        final UnsafeBuffer superstep = envelope(MessageType.GraphAlgoSuperstep, 2);
        for (int i = 0; i < 10; i++)
        {
            assertThat(publisher.offer(scan, 0, scan.capacity(), null, 0, 0)).isEqualTo(Pipeline.ACCEPTED);
            assertThat(publisher.offer(superstep, 0, superstep.capacity(), null, 0, 0)).isEqualTo(Pipeline.ACCEPTED);
        }
        assertThat(publisher.offer(scan, 0, scan.capacity() - 1, null, 0, 0))
            .isEqualTo(ErrorCode.MALFORMED.value());
        Thread.sleep(100);
        assertThat(handled.get()).as("nothing published before the run ends").isZero();

        publisher.endRun();
        PipelineTests.awaitTrue(() -> 20 == handled.get(), () -> "handled " + handled.get());
        pipeline.close();
        assertThat(handled.get()).isEqualTo(20);
    }

    @Test
    void shouldRefuseMalformedAndAnswerClosedAfterClose()
    {
        pipeline = launch(new PipelineContext(), (envelope, reply) -> handled.incrementAndGet());
        final ExclusivePublisher publisher = pipeline.newExclusivePublisher();
        final UnsafeBuffer envelope = envelope(MessageType.TsScatterRequest, 1);

        assertThat(publisher.offer(envelope, 0, envelope.capacity() - 1, null, 0, 0))
            .isEqualTo(ErrorCode.MALFORMED.value());
        assertThat(publisher.offer(envelope, 0, envelope.capacity(), null, 0, 0)).isEqualTo(Pipeline.ACCEPTED);
        publisher.endRun();
        pipeline.close();

        assertThat(publisher.offer(envelope, 0, envelope.capacity(), null, 0, 0)).isEqualTo(Pipeline.CLOSED);
        assertThat(handled.get()).isEqualTo(1);
    }

    @Test
    void shouldAnswerClosedOnceThePublisherIsClosedAndStillHandleWhatItAccepted()
    {
        pipeline = launch(new PipelineContext(), (envelope, reply) -> handled.incrementAndGet());
        final ExclusivePublisher publisher = pipeline.newExclusivePublisher();
        final UnsafeBuffer envelope = envelope(MessageType.TsScatterRequest, 1);

        assertThat(publisher.offer(envelope, 0, envelope.capacity(), null, 0, 0)).isEqualTo(Pipeline.ACCEPTED);
        publisher.close();

        assertThat(publisher.offer(envelope, 0, envelope.capacity(), null, 0, 0)).isEqualTo(Pipeline.CLOSED);
        pipeline.close();
        assertThat(handled.get()).isEqualTo(1);
    }

    @Test
    @Timeout(30)
    void shouldSignalRoomForAFullExclusiveRing() throws InterruptedException
    {
        final Semaphore gate = new Semaphore(0);
        final CountDownLatch room = new CountDownLatch(1);
        pipeline = launch(new PipelineContext().exclusiveRingSize(4), (envelope, reply) ->
        {
            gate.acquireUninterruptibly();
            handled.incrementAndGet();
        });
        pipeline.addRoomListener((laneId) -> room.countDown());
        final ExclusivePublisher publisher = pipeline.newExclusivePublisher();
        final UnsafeBuffer envelope = envelope(MessageType.TsScatterRequest, 1);
        int accepted = 0;
        while (Pipeline.ACCEPTED == publisher.offer(envelope, 0, envelope.capacity(), null, 0, 0))
        {
            accepted++;
        }
        publisher.endRun();
        assertThat(accepted).isBetween(4, 5);

        gate.release(accepted);
        assertThat(room.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(publisher.offer(envelope, 0, envelope.capacity(), null, 0, 0)).isEqualTo(Pipeline.ACCEPTED);
        publisher.endRun();
        gate.release(1);
        pipeline.close();
        assertThat(handled.get()).isEqualTo(accepted + 1);
    }

    @Test
    @Timeout(60)
    void shouldHandleExactlyWhatWasAcceptedWhenClosedUnderLoadFromExclusiveAndSharedPublishers()
        throws InterruptedException
    {
        final int producers = 3;
        final AtomicLongArray handledBy = new AtomicLongArray(producers);
        final AtomicLongArray lastBy = new AtomicLongArray(producers);
        final AtomicLong outOfOrder = new AtomicLong();
        for (int p = 0; p < producers; p++)
        {
            lastBy.set(p, -1);
        }
        pipeline = launch(new PipelineContext().exclusiveRingSize(64).laneRingSize(64), (envelope, reply) ->
        {
            final long value = envelope.payloadBuffer().getLong(envelope.payloadOffset(), LITTLE_ENDIAN);
            final int producer = (int)(value >>> PRODUCER_SHIFT);
            final long sequence = value & ((1L << PRODUCER_SHIFT) - 1);
            if (sequence <= lastBy.get(producer))
            {
                outOfOrder.incrementAndGet();
            }
            lastBy.set(producer, sequence);
            handledBy.incrementAndGet(producer);
        });
        final long[] acceptedBy = new long[producers];
        final CountDownLatch running = new CountDownLatch(producers);
        final Thread[] threads = new Thread[producers];
        for (int p = 0; p < producers; p++)
        {
            final int producer = p;
            threads[p] = new Thread(() ->
            {
                // Producer 0 offers through the shared ring, the others through their own.
                final ExclusivePublisher publisher = 0 == producer ? null : pipeline.newExclusivePublisher();
                long sequence = 0;
                running.countDown();
                while (true)
                {
                    final UnsafeBuffer envelope = envelope(
                        MessageType.TsScatterRequest, ((long)producer << PRODUCER_SHIFT) | sequence);
                    final int result = null == publisher ?
                        pipeline.offer(envelope, 0, envelope.capacity(), null, 0, 0) :
                        publisher.offer(envelope, 0, envelope.capacity(), null, 0, 0);
                    if (Pipeline.ACCEPTED == result)
                    {
                        acceptedBy[producer]++;
                        sequence++;
                    }
                    else if (Pipeline.CLOSED == result)
                    {
                        break;
                    }
                    if (null != publisher && (Pipeline.ACCEPTED != result || 0 == (sequence & 15)))
                    {
                        publisher.endRun();
                    }
                    if (Pipeline.ACCEPTED != result)
                    {
                        Thread.yield();
                    }
                }
                if (null != publisher)
                {
                    publisher.endRun();
                }
            });
            threads[p].start();
        }
        running.await();
        Thread.sleep(200);
        pipeline.close();
        for (final Thread thread : threads)
        {
            thread.join();
        }

        for (int p = 0; p < producers; p++)
        {
            assertThat(acceptedBy[p]).as("producer %d", p).isPositive();
            assertThat(handledBy.get(p)).as("producer %d", p).isEqualTo(acceptedBy[p]);
        }
        assertThat(outOfOrder.get()).isZero();
    }

    private Pipeline launch(final PipelineContext ctx, final EnvelopeHandler handler)
    {
        ctx.dir(dir.toFile())
            .lanes("TimeseriesScan;*")
            .waitStrategy(WaitStrategyKind.PARKING)
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
