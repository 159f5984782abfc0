package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.reply.CallbackReplyDestination;
import io.vshard.core.reply.OutboundQueue;
import io.vshard.core.reply.ReplyCallback;
import io.vshard.core.reply.ReplyDestination;
import io.vshard.core.reply.ReplyFrameHandler;
import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.EnvelopeView;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import static io.vshard.core.pipeline.PipelineTests.envelope;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * After warm-up, a million envelopes through offer, handler and reply allocate no heap on the publishing thread,
 * the lane thread, or the thread draining an outbound queue. Measured with the per-thread allocation counter
 * ({@code ThreadMXBean.getThreadAllocatedBytes}), which counts every TLAB and outside-TLAB allocation exactly.
 * <p>
 * A round of a million is measured up to {@link #ROUNDS} times and one round must be clean on every thread. The
 * reason: when a thread trips a C2 compilation threshold, HotSpot resolves all not-yet-resolved String literals of
 * the method's class on that thread ({@code CompileBroker::compile_method}, {@code resolve_string_constants}), which
 * allocates a String and its byte[] (56 or 72 B) once per literal, ever. A late recompilation (after a deopt of a
 * rarely taken back-pressure branch, say) can land in a measured round; it cannot land in every round. An
 * allocation per envelope, or every 10,000 envelopes, would show in every round. With C2 off
 * ({@code -XX:TieredStopAtLevel=1}) the first round is always 0 B.
 */
@Timeout(120)
class ZeroAllocationTest
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private static final int BATCH = 1000;
    private static final int WARM_UP_BATCHES = 300;
    private static final int MEASURED_BATCHES = 1000;
    private static final int PAYLOAD_LENGTH = 64;
    private static final int ROUNDS = 3;
    private static final MessageType REQUEST = MessageType.TsScatterRequest;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = WaitStrategyKind.class, names = {"SLEEPING", "PARKING", "BLOCKING"})
    void shouldAllocateNothingPerEnvelopeWithACallbackDestination(final WaitStrategyKind waitStrategy)
    {
        final AnswerCounter answers = new AnswerCounter();
        final Pipeline pipeline = launch(waitStrategy);
        try
        {
            final List<Measurement> rounds =
                measure(pipeline, new CallbackReplyDestination(answers), answers, null, "callback, " + waitStrategy);

            assertThat(rounds).as("rounds of %,d envelopes", (long)MEASURED_BATCHES * BATCH)
                .anyMatch(Measurement::allocatedNothing);
        }
        finally
        {
            PipelineTests.closeAndRelease(pipeline);
        }
    }

    @Test
    void shouldAllocateNothingWhileRecordingLatencyAndCountingEveryCallSlow()
    {
        final AnswerCounter answers = new AnswerCounter();
        final Pipeline pipeline = Pipeline.launch(PipelineTests.context(dir)
            .lanes("TimeseriesScan;*")
            .laneRingSize(1024)
            .waitStrategy(WaitStrategyKind.SLEEPING)
            .latencyRecording(true)
            .latencyIntervalMs(50)
            .slowHandlerThresholdNs(1)
            .handler(DispatchTarget.TimeseriesScan, new EchoHandler()));
        try
        {
            final List<Measurement> rounds =
                measure(pipeline, new CallbackReplyDestination(answers), answers, null, "recording, all slow");

            assertThat(rounds).as("rounds of %,d envelopes", (long)MEASURED_BATCHES * BATCH)
                .anyMatch(Measurement::allocatedNothing);
            assertThat(PipelineTests.counter(pipeline, "target TimeseriesScan", "slow"))
                .as("the slow path ran").isPositive();
        }
        finally
        {
            PipelineTests.closeAndRelease(pipeline);
        }
    }

    @Test
    void shouldAllocateNothingPerEnvelopeWithAnOutboundQueueDrainedByAThread() throws InterruptedException
    {
        final AnswerCounter answers = new AnswerCounter();
        final Pipeline pipeline = launch(WaitStrategyKind.SLEEPING);
        final OutboundQueue queue = new OutboundQueue(
            4 * 1024 * 1024, pipeline.bufferPool(), null);
        final Drainer drainer = new Drainer(queue, answers);
        drainer.start();
        try
        {
            final List<Measurement> rounds = measure(pipeline, queue, answers, drainer, "outbound queue");

            assertThat(rounds).as("rounds of %,d envelopes", (long)MEASURED_BATCHES * BATCH)
                .anyMatch(Measurement::allocatedNothing);
        }
        finally
        {
            drainer.running = false;
            drainer.join();
            PipelineTests.closeAndRelease(pipeline);
        }
    }

    private Pipeline launch(final WaitStrategyKind waitStrategy)
    {
        return Pipeline.launch(PipelineTests.context(dir)
            .lanes("TimeseriesScan;*")
            .laneRingSize(1024)
            .waitStrategy(waitStrategy)
            .handler(DispatchTarget.TimeseriesScan, new EchoHandler()));
    }

    /**
     * Warm up, then publish rounds on this thread until one allocates nothing, measuring this thread, the lane
     * thread and the drainer, if any.
     */
    private static List<Measurement> measure(
        final Pipeline pipeline,
        final ReplyDestination destination,
        final AnswerCounter answers,
        final Thread drainer,
        final String label)
    {
        final UnsafeBuffer envelope = envelope(REQUEST, PAYLOAD_LENGTH);
        final Thread lane = pipeline.laneThread(pipeline.laneOf(REQUEST.code()));
        final Publisher publisher = new Publisher(pipeline, destination, envelope);

        for (int i = 0; i < WARM_UP_BATCHES; i++)
        {
            publisher.publish(BATCH);
        }
        awaitAnswers(answers, publisher.published);

        final List<Measurement> rounds = new ArrayList<>();
        final long measurementCost = measurementCost();
        do
        {
            final long retriesBefore = publisher.backPressuredRetries;
            final long laneBefore = allocatedBytes(lane);
            final long drainerBefore = allocatedBytes(drainer);
            final long publisherBefore = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < MEASURED_BATCHES; i++)
            {
                publisher.publish(BATCH);
            }
            final long publisherAfter = THREADS.getCurrentThreadAllocatedBytes();
            awaitAnswers(answers, publisher.published);

            final Measurement round = new Measurement(
                publisherAfter - publisherBefore - measurementCost,
                allocatedBytes(lane) - laneBefore,
                allocatedBytes(drainer) - drainerBefore,
                publisher.backPressuredRetries - retriesBefore);
            rounds.add(round);
            System.out.println(label + ", round " + rounds.size() + ": " + round);
        }
        while (!rounds.get(rounds.size() - 1).allocatedNothing() && rounds.size() < ROUNDS);

        assertThat(answers.checksum).as("every answer is the echo of its request")
            .isEqualTo(publisher.published * (publisher.published + 1) / 2);
        return rounds;
    }

    private static long allocatedBytes(final Thread thread)
    {
        return null == thread ? 0 : THREADS.getThreadAllocatedBytes(thread.getId());
    }

    private static long measurementCost()
    {
        final long first = THREADS.getCurrentThreadAllocatedBytes();
        return THREADS.getCurrentThreadAllocatedBytes() - first;
    }

    private static void awaitAnswers(final AnswerCounter answers, final long expected)
    {
        PipelineTests.awaitTrue(() -> answers.answered == expected,
            () -> "answers: expected " + expected + ", got " + answers.answered);
    }

    private record Measurement(long publisherBytes, long laneBytes, long drainerBytes, long backPressuredRetries)
    {
        boolean allocatedNothing()
        {
            return 0 == publisherBytes && 0 == laneBytes && 0 == drainerBytes;
        }

        public String toString()
        {
            return String.format("publisher %d B, lane %d B, drainer %d B (%,d back-pressured retries)",
                publisherBytes, laneBytes, drainerBytes, backPressuredRetries);
        }
    }

    private static final class Publisher
    {
        private final Pipeline pipeline;
        private final ReplyDestination destination;
        private final UnsafeBuffer envelope;
        long published;
        long backPressuredRetries;

        Publisher(final Pipeline pipeline, final ReplyDestination destination, final UnsafeBuffer envelope)
        {
            this.pipeline = pipeline;
            this.destination = destination;
            this.envelope = envelope;
        }

        void publish(final int count)
        {
            for (int i = 0; i < count; i++)
            {
                final long correlationId = ++published;
                envelope.putLong(EnvelopeDescriptor.PAYLOAD_OFFSET, correlationId, LITTLE_ENDIAN);
                int result;
                while (Pipeline.BACK_PRESSURED ==
                    (result = pipeline.offer(envelope, 0, envelope.capacity(), destination, 1, correlationId)))
                {
                    backPressuredRetries++;
                    Thread.yield();
                }
                if (Pipeline.ACCEPTED != result)
                {
                    throw new IllegalStateException("offer refused: " + result);
                }
            }
        }
    }

    private static final class EchoHandler implements EnvelopeHandler
    {
        public void onEnvelope(final EnvelopeView envelope, final Reply reply)
        {
            reply.respond(MessageType.TsScatterResponse, envelope.payloadBuffer(), envelope.payloadOffset(),
                envelope.payloadLength());
        }
    }

    /**
     * Counts answers and sums the echoed payloads' first long, allocating nothing. One writer thread at a time.
     */
    private static final class AnswerCounter implements ReplyCallback, ReplyFrameHandler
    {
        volatile long answered;
        volatile long checksum;

        public void onReply(final long replyAddress, final DirectBuffer buffer, final int offset, final int length)
        {
            count(buffer, offset);
        }

        public void onReplyFrame(final long replyAddress, final DirectBuffer buffer, final int offset, final int length)
        {
            count(buffer, offset);
        }

        private void count(final DirectBuffer buffer, final int offset)
        {
            if (FrameDescriptor.KIND_RESPONSE == buffer.getByte(offset + FrameDescriptor.KIND_FIELD_OFFSET))
            {
                checksum = checksum + buffer.getLong(offset + FrameDescriptor.BODY_OFFSET +
                    EnvelopeDescriptor.PAYLOAD_OFFSET, LITTLE_ENDIAN);
            }
            answered = answered + 1;
        }
    }

    private static final class Drainer extends Thread
    {
        private final OutboundQueue queue;
        private final AnswerCounter answers;
        volatile boolean running = true;

        Drainer(final OutboundQueue queue, final AnswerCounter answers)
        {
            super("drainer");
            this.queue = queue;
            this.answers = answers;
        }

        public void run()
        {
            while (running)
            {
                if (0 == queue.drain(answers, 256))
                {
                    LockSupport.parkNanos(1000);
                }
            }
        }
    }
}
