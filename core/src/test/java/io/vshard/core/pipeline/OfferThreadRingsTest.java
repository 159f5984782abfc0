package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.wire.MessageType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

import static io.vshard.core.pipeline.PipelineTests.TIMEOUT;
import static io.vshard.core.pipeline.PipelineTests.envelope;
import static io.vshard.core.pipeline.PipelineTests.offer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rings of their own that the first threads to call {@link Pipeline#offer} get: a lane of 16 slots whose handler is
 * held shows, by when offers are refused, which ring a thread fills.
 */
@Timeout(60)
class OfferThreadRingsTest
{
    private static final int RING_SIZE = 16;

    @TempDir
    Path dir;

    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final UnsafeBuffer envelope = envelope(MessageType.GraphAlgoSuperstep, 8);

    @Test
    void shouldGiveLaterThreadsTheSharedRingOnceTheThreadRingsAreTaken() throws Exception
    {
        final Pipeline pipeline = launch(1);
        final AnswerSink sink = AnswerSink.Kind.CALLBACK.create(pipeline.bufferPool());
        try
        {
            final long ownRing = holdLaneAndFill(pipeline, sink, 1);
            assertThat(ownRing).as("the first thread's own ring, besides the one in the handler")
                .isBetween((long)RING_SIZE - 1, (long)RING_SIZE);
            assertThat(offer(pipeline, sink, envelope, 999)).isEqualTo(Pipeline.BACK_PRESSURED);

            final AtomicLong sharedRing = new AtomicLong();
            runOnNewThread(() -> sharedRing.set(fill(pipeline, sink, 1_000)));
            assertThat(sharedRing.get()).as("a second thread fills the shared ring, not the first thread's")
                .isEqualTo(RING_SIZE);

            release.countDown();
            final List<Answer> answers = sink.await((int)(1 + ownRing + RING_SIZE), TIMEOUT);
            assertThat(answers.stream().filter((a) -> a.correlationId() < 1_000).map(Answer::correlationId))
                .as("the first thread's envelopes, once each and in order")
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 1 + ownRing).boxed().toList());
            assertThat(answers.stream().filter((a) -> a.correlationId() >= 1_000).map(Answer::correlationId))
                .as("the second thread's, once each and in order")
                .containsExactlyElementsOf(LongStream.range(1_000, 1_000 + RING_SIZE).boxed().toList());
        }
        finally
        {
            release.countDown();
            PipelineTests.closeAndRelease(pipeline);
        }
    }

    @Test
    void shouldPassTheRingsOfAnEndedThreadToTheNextThreadThatOffers() throws Exception
    {
        final Pipeline pipeline = launch(1);
        final AnswerSink sink = AnswerSink.Kind.CALLBACK.create(pipeline.bufferPool());
        try
        {
            final AtomicLong accepted = new AtomicLong();
            runOnNewThread(() -> accepted.set(holdLaneAndFill(pipeline, sink, 1)));
            assertThat(accepted.get()).isBetween((long)RING_SIZE - 1, (long)RING_SIZE);

            final AtomicInteger nextThreadResult = new AtomicInteger(Integer.MIN_VALUE);
            runOnNewThread(() -> nextThreadResult.set(offer(pipeline, sink, envelope, 1_000)));
            assertThat(nextThreadResult.get()).as("the next thread took over the ended thread's full ring")
                .isEqualTo(Pipeline.BACK_PRESSURED);

            release.countDown();
            assertThat(sink.await((int)(1 + accepted.get()), TIMEOUT)).extracting(Answer::correlationId)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 1 + accepted.get()).boxed().toList());
        }
        finally
        {
            release.countDown();
            PipelineTests.closeAndRelease(pipeline);
        }
    }

    @Test
    void shouldShareOneRingAmongAllThreadsWithoutThreadRings() throws Exception
    {
        final Pipeline pipeline = launch(0);
        final AnswerSink sink = AnswerSink.Kind.CALLBACK.create(pipeline.bufferPool());
        try
        {
            final long accepted = holdLaneAndFill(pipeline, sink, 1);
            assertThat(accepted).isBetween((long)RING_SIZE - 1, (long)RING_SIZE);

            final AtomicInteger otherThreadResult = new AtomicInteger(Integer.MIN_VALUE);
            runOnNewThread(() -> otherThreadResult.set(offer(pipeline, sink, envelope, 1_000)));
            assertThat(otherThreadResult.get()).as("the shared ring is full for every thread")
                .isEqualTo(Pipeline.BACK_PRESSURED);

            release.countDown();
            assertThat(sink.await((int)(1 + accepted), TIMEOUT)).hasSize((int)(1 + accepted));
        }
        finally
        {
            release.countDown();
            PipelineTests.closeAndRelease(pipeline);
        }
    }

    private Pipeline launch(final int offerThreadRings)
    {
        return Pipeline.launch(PipelineTests.context(dir)
            .lanes("*")
            .laneRingSize(RING_SIZE)
            .offerThreadRings(offerThreadRings)
            .handler(DispatchTarget.GraphBsp, (envelope, reply) ->
            {
                entered.countDown();
                assertThat(release.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            }));
    }

    /**
     * Offer one envelope that the held handler takes, then fill until refused.
     *
     * @return how many were accepted after the one in the handler.
     */
    private long holdLaneAndFill(final Pipeline pipeline, final AnswerSink sink, final long firstId)
    {
        assertThat(offer(pipeline, sink, envelope, firstId)).isEqualTo(Pipeline.ACCEPTED);
        try
        {
            assertThat(entered.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError(ex);
        }
        return fill(pipeline, sink, firstId + 1);
    }

    /**
     * Offer until refused, from correlation id {@code firstId} on.
     *
     * @return how many were accepted.
     */
    private long fill(final Pipeline pipeline, final AnswerSink sink, final long firstId)
    {
        long id = firstId;
        int result;
        while (Pipeline.ACCEPTED == (result = offer(pipeline, sink, envelope, id)))
        {
            id++;
            assertThat(id - firstId).as("a held lane must refuse").isLessThan(RING_SIZE * 4);
        }
        assertThat(result).isEqualTo(Pipeline.BACK_PRESSURED);
        return id - firstId;
    }

    private static void runOnNewThread(final Runnable task) throws Exception
    {
        final Throwable[] failure = new Throwable[1];
        final Thread thread = new Thread(() ->
        {
            try
            {
                task.run();
            }
            catch (final Throwable ex)
            {
                failure[0] = ex;
            }
        }, "offer-thread-rings-test");
        thread.start();
        thread.join(TIMEOUT.toMillis());
        assertThat(thread.isAlive()).as("the offering thread ended").isFalse();
        if (null != failure[0])
        {
            throw new AssertionError(failure[0]);
        }
    }
}
