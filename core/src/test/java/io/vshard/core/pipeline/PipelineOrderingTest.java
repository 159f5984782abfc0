package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.dispatch.LaneLayout;
import io.vshard.core.reply.CallbackReplyDestination;
import io.vshard.core.reply.ReplyDestination;
import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.EnvelopeFlyweight;
import io.vshard.core.wire.EnvelopeView;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static io.vshard.core.pipeline.PipelineTests.counter;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stress: several producer threads offer envelopes of types spread over three lanes. Every envelope is handled
 * exactly once and answered exactly once, and each lane sees each producer's envelopes in the order offered.
 */
class PipelineOrderingTest
{
    private static final String LAYOUT = "TimeseriesScan,VectorSearch;Migration,GraphBsp;*";
    private static final MessageType[] TYPES =
    {
        MessageType.TsScatterRequest, MessageType.SegmentChunk, MessageType.GhostCreate,
        MessageType.VectorScatterRequest, MessageType.GraphAlgoSuperstep, MessageType.CrossShardEvent,
    };
    private static final int PRODUCERS = 4;
    private static final int LANES = 3;
    private static final int PRODUCER_FIELD_OFFSET = EnvelopeDescriptor.PAYLOAD_OFFSET;
    private static final int SEQUENCE_FIELD_OFFSET = PRODUCER_FIELD_OFFSET + 8;
    private static final int PAYLOAD_LENGTH = 16;

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldHandleAndAnswerEveryEnvelopeOnceInEachProducersOrder() throws Exception
    {
        run(1_000_000, 1024, WaitStrategyKind.SLEEPING);
    }

    @Test
    @Timeout(120)
    void shouldKeepOrderAndLoseNothingUnderConstantBackPressure() throws Exception
    {
        run(100_000, 16, WaitStrategyKind.BLOCKING);
    }

    @Test
    @Tag("slow")
    @Timeout(600)
    void shouldHandleAndAnswerFortyMillionEnvelopesOnceInEachProducersOrder() throws Exception
    {
        run(10_000_000, 4096, WaitStrategyKind.SLEEPING);
    }

    private void run(final int perProducer, final int ringSize, final WaitStrategyKind waitStrategy)
        throws Exception
    {
        final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        final LaneChecker[] handled = new LaneChecker[LANES];
        final LaneChecker[] answered = new LaneChecker[LANES];
        final PipelineContext ctx = PipelineTests.context(dir, errors)
            .lanes(LAYOUT)
            .laneRingSize(ringSize)
            .waitStrategy(waitStrategy);
        for (int lane = 0; lane < LANES; lane++)
        {
            handled[lane] = new LaneChecker("handled");
            answered[lane] = new LaneChecker("answered");
        }
        for (final MessageType type : TYPES)
        {
            final LaneChecker checker = handled[ctx.laneLayout().laneOf(type.target())];
            ctx.handler(type.target(), (envelope, reply) -> checker.onEnvelope(envelope));
        }
        final CallbackReplyDestination destination = new CallbackReplyDestination(
            (replyAddress, buffer, offset, length) ->
            {
                final long sequence = sequenceOfAnswer(buffer, offset);
                answered[laneOf(ctx.laneLayout(), (int)replyAddress, sequence)]
                    .onAnswer(buffer, offset, (int)replyAddress, sequence);
            });

        final Pipeline pipeline = Pipeline.launch(ctx);
        final Producer[] producers = new Producer[PRODUCERS];
        final long startNs = System.nanoTime();
        try
        {
            final CyclicBarrier start = new CyclicBarrier(PRODUCERS);
            for (int p = 0; p < PRODUCERS; p++)
            {
                producers[p] = new Producer(pipeline, destination, p, perProducer, start);
                producers[p].start();
            }
            for (final Producer producer : producers)
            {
                producer.join(TimeUnit.SECONDS.toMillis(500));
                assertThat(producer.isAlive()).as("producer %d finished", producer.id).isFalse();
                assertThat(producer.failure).as("producer %d", producer.id).isNull();
            }
            pipeline.close();

            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            long retries = 0;
            for (final Producer producer : producers)
            {
                retries += producer.backPressuredRetries;
            }
            System.out.printf("%,d envelopes, ring %d, %s: %,d ms, %,d back-pressured retries%n",
                (long)PRODUCERS * perProducer, ringSize, waitStrategy.label(), elapsedMs, retries);

            assertThat(errors).isEmpty();
            final long[][] expectedCount = new long[LANES][PRODUCERS];
            final long[][] expectedSum = new long[LANES][PRODUCERS];
            for (int p = 0; p < PRODUCERS; p++)
            {
                for (long s = 0; s < perProducer; s++)
                {
                    final int lane = laneOf(ctx.laneLayout(), p, s);
                    expectedCount[lane][p]++;
                    expectedSum[lane][p] += s;
                }
            }
            long backPressured = 0;
            for (int lane = 0; lane < LANES; lane++)
            {
                handled[lane].assertSaw(lane, expectedCount[lane], expectedSum[lane]);
                answered[lane].assertSaw(lane, expectedCount[lane], expectedSum[lane]);
                long laneTotal = 0;
                for (final long count : expectedCount[lane])
                {
                    laneTotal += count;
                }
                assertThat(counter(pipeline, "lane " + lane, "received")).isEqualTo(laneTotal);
                assertThat(counter(pipeline, "lane " + lane, "handled")).isEqualTo(laneTotal);
                assertThat(counter(pipeline, "lane " + lane, "acks")).isEqualTo(laneTotal);
                backPressured += counter(pipeline, "lane " + lane, "back-pressured");
            }
            assertThat(backPressured).as("every back-pressured offer is counted").isEqualTo(retries);
        }
        finally
        {
            for (final Producer producer : producers)
            {
                if (null != producer)
                {
                    producer.interrupt();
                }
            }
            PipelineTests.closeAndRelease(pipeline);
        }
    }

    private static int laneOf(final LaneLayout layout, final int producer, final long sequence)
    {
        return layout.laneOf(typeOf(producer, sequence).target());
    }

    private static MessageType typeOf(final int producer, final long sequence)
    {
        return TYPES[(int)((sequence + producer) % TYPES.length)];
    }

    private static long sequenceOfAnswer(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + FrameDescriptor.CORRELATION_ID_FIELD_OFFSET, LITTLE_ENDIAN) - 1;
    }

    /**
     * What one lane saw, per producer; touched only by that lane's thread, read after the lanes stopped.
     */
    private static final class LaneChecker
    {
        private final String what;
        private final long[] last = new long[PRODUCERS];
        private final long[] count = new long[PRODUCERS];
        private final long[] sum = new long[PRODUCERS];
        private final List<String> violations = new ArrayList<>();

        LaneChecker(final String what)
        {
            this.what = what;
            Arrays.fill(last, -1);
        }

        void onEnvelope(final EnvelopeView envelope)
        {
            final DirectBuffer buffer = envelope.payloadBuffer();
            final int producer = (int)buffer.getLong(envelope.payloadOffset(), LITTLE_ENDIAN);
            final long sequence = buffer.getLong(envelope.payloadOffset() + 8, LITTLE_ENDIAN);
            if (envelope.msgType() != typeOf(producer, sequence).code())
            {
                violation("type " + envelope.msgType() + " for producer " + producer + " sequence " + sequence);
            }
            see(producer, sequence);
        }

        void onAnswer(final DirectBuffer buffer, final int offset, final int producer, final long sequence)
        {
            if (FrameDescriptor.KIND_ACK != buffer.getByte(offset + FrameDescriptor.KIND_FIELD_OFFSET))
            {
                violation("answer kind " + buffer.getByte(offset + FrameDescriptor.KIND_FIELD_OFFSET));
            }
            see(producer, sequence);
        }

        private void see(final int producer, final long sequence)
        {
            if (sequence <= last[producer])
            {
                violation("producer " + producer + " sequence " + sequence + " after " + last[producer]);
            }
            last[producer] = sequence;
            count[producer]++;
            sum[producer] += sequence;
        }

        private void violation(final String message)
        {
            if (violations.size() < 10)
            {
                violations.add(message);
            }
        }

        void assertSaw(final int lane, final long[] expectedCount, final long[] expectedSum)
        {
            assertThat(violations).as("lane %d %s out of order or wrong", lane, what).isEmpty();
            assertThat(count).as("lane %d %s per producer", lane, what).containsExactly(expectedCount);
            assertThat(sum).as("lane %d sum of sequences %s per producer", lane, what).containsExactly(expectedSum);
        }
    }

    private static final class Producer extends Thread
    {
        private final Pipeline pipeline;
        private final ReplyDestination destination;
        private final int id;
        private final int count;
        private final CyclicBarrier start;
        private final UnsafeBuffer buffer =
            new UnsafeBuffer(new byte[EnvelopeDescriptor.HEADER_LENGTH + PAYLOAD_LENGTH]);
        private long backPressuredRetries;
        private volatile Throwable failure;

        Producer(
            final Pipeline pipeline,
            final ReplyDestination destination,
            final int id,
            final int count,
            final CyclicBarrier start)
        {
            super("producer-" + id);
            this.pipeline = pipeline;
            this.destination = destination;
            this.id = id;
            this.count = count;
            this.start = start;
            new EnvelopeFlyweight().wrap(buffer, 0).header(0, id, 0, id, PAYLOAD_LENGTH);
            buffer.putLong(PRODUCER_FIELD_OFFSET, id, LITTLE_ENDIAN);
        }

        public void run()
        {
            try
            {
                start.await();
                for (long sequence = 0; sequence < count; sequence++)
                {
                    buffer.putShort(
                        EnvelopeDescriptor.MSG_TYPE_FIELD_OFFSET, (short)typeOf(id, sequence).code(), LITTLE_ENDIAN);
                    buffer.putLong(SEQUENCE_FIELD_OFFSET, sequence, LITTLE_ENDIAN);
                    int result;
                    while (Pipeline.BACK_PRESSURED ==
                        (result = pipeline.offer(buffer, 0, buffer.capacity(), destination, id, sequence + 1)))
                    {
                        backPressuredRetries++;
                        Thread.yield();
                    }
                    if (Pipeline.ACCEPTED != result)
                    {
                        throw new AssertionError("offer refused: result=" + result + " sequence=" + sequence);
                    }
                }
            }
            catch (final Throwable ex)
            {
                failure = ex;
            }
        }
    }
}
