package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.wire.MessageType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static io.vshard.core.pipeline.PipelineTests.TIMEOUT;
import static io.vshard.core.pipeline.PipelineTests.counter;
import static io.vshard.core.pipeline.PipelineTests.envelope;
import static io.vshard.core.pipeline.PipelineTests.offer;
import static io.vshard.core.pipeline.PipelineTests.offerAccepted;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A handler stuck in one lane backs up that lane only: the others keep handling, the stuck lane back-pressures its
 * publishers without losing what it accepted, and tells them when it has room again.
 */
@Timeout(60)
class LaneIsolationTest
{
    private static final int RING_SIZE = 16;
    private static final int RESUME_FREE_SLOTS = 8;
    private static final int STUCK_LANE = 0;
    private static final int FREE_LANE = 1;
    private static final int FREE_LANE_ENVELOPES = 10_000;
    private static final long FREE_LANE_FIRST_ID = 1_000_000;

    @TempDir
    Path dir;

    @Test
    void shouldKeepOtherLanesGoingAndBackPressureOnlyTheStuckLane() throws Exception
    {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<Long> stuckLaneOrder = new ArrayList<>();
        final BlockingQueue<Integer> roomSignals = new LinkedBlockingQueue<>();
        final Pipeline pipeline = Pipeline.launch(PipelineTests.context(dir)
            .lanes("GraphBsp;TimeseriesScan;*")
            .laneRingSize(RING_SIZE)
            .laneResumeFreeSlots(RESUME_FREE_SLOTS)
            .handler(DispatchTarget.GraphBsp, (envelope, reply) ->
            {
                entered.countDown();
                assertThat(release.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
                stuckLaneOrder.add(reply.correlationId());
            })
            .handler(DispatchTarget.TimeseriesScan, (envelope, reply) -> {}));
        pipeline.addRoomListener(roomSignals::add);
        final AnswerSink sink = AnswerSink.Kind.CALLBACK.create(pipeline.bufferPool());
        final UnsafeBuffer stuck = envelope(MessageType.GraphAlgoSuperstep, 8);
        try
        {
            assertThat(pipeline.laneOf(MessageType.GraphAlgoSuperstep.code())).isEqualTo(STUCK_LANE);
            assertThat(offer(pipeline, sink, stuck, 1)).isEqualTo(Pipeline.ACCEPTED);
            assertThat(entered.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

            final long accepted = fillUntilBackPressured(pipeline, sink, stuck);
            assertThat(accepted).as("accepted while stuck, besides the one in the handler")
                .isBetween((long)RING_SIZE - 1, (long)RING_SIZE);
            assertThat(pipeline.laneRemainingCapacity(STUCK_LANE)).isZero();
            final int extraRefusals = 10;
            for (int i = 0; i < extraRefusals; i++)
            {
                assertThat(offer(pipeline, sink, stuck, 9_999)).isEqualTo(Pipeline.BACK_PRESSURED);
            }
            assertThat(counter(pipeline, "lane " + STUCK_LANE, "back-pressured")).isEqualTo(1 + extraRefusals);

            for (long i = 0; i < FREE_LANE_ENVELOPES; i++)
            {
                offerAccepted(pipeline, sink, envelope(MessageType.TsScatterRequest, 8), FREE_LANE_FIRST_ID + i);
            }
            assertThat(sink.await(FREE_LANE_ENVELOPES, TIMEOUT))
                .as("the free lane answered all while the other is stuck")
                .allMatch((answer) -> answer.correlationId() >= FREE_LANE_FIRST_ID && answer.isAck());
            assertThat(counter(pipeline, "lane " + FREE_LANE, "handled")).isEqualTo(FREE_LANE_ENVELOPES);
            assertThat(counter(pipeline, "lane " + STUCK_LANE, "handled")).isZero();
            assertThat(roomSignals).as("no room signal while stuck").doesNotContain(STUCK_LANE);

            release.countDown();

            awaitRoomSignal(roomSignals, STUCK_LANE);
            final int total = FREE_LANE_ENVELOPES + 1 + (int)accepted;
            final List<Answer> answers = sink.await(total, TIMEOUT);
            assertThat(answers).hasSize(total);
            assertThat(answers.stream().filter((a) -> a.correlationId() < FREE_LANE_FIRST_ID))
                .extracting(Answer::correlationId)
                .as("every envelope the stuck lane accepted is answered once, in order")
                .containsExactlyElementsOf(LongStream.rangeClosed(1, accepted + 1).boxed().toList());
            pipeline.close();
            assertThat(stuckLaneOrder).containsExactlyElementsOf(LongStream.rangeClosed(1, accepted + 1).boxed().toList());
        }
        finally
        {
            release.countDown();
            PipelineTests.closeAndRelease(pipeline);
        }
    }

    @Test
    void shouldAcceptAgainAfterTheRoomSignal() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final BlockingQueue<Integer> roomSignals = new LinkedBlockingQueue<>();
        final Pipeline pipeline = Pipeline.launch(PipelineTests.context(dir)
            .lanes("*")
            .laneRingSize(RING_SIZE)
            .handler(DispatchTarget.GraphBsp, (envelope, reply) ->
                assertThat(release.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue()));
        pipeline.addRoomListener(roomSignals::add);
        final AnswerSink sink = AnswerSink.Kind.CALLBACK.create(pipeline.bufferPool());
        final UnsafeBuffer stuck = envelope(MessageType.GraphAlgoSuperstep, 8);
        try
        {
            final long accepted = fillUntilBackPressured(pipeline, sink, stuck);
            release.countDown();
            awaitRoomSignal(roomSignals, 0);

            assertThat(pipeline.laneRemainingCapacity(0)).as("at least the low-water mark is free")
                .isGreaterThanOrEqualTo(RING_SIZE / 2);
            assertThat(offer(pipeline, sink, stuck, accepted + 1)).isEqualTo(Pipeline.ACCEPTED);
            assertThat(sink.await((int)accepted + 1, TIMEOUT)).hasSize((int)accepted + 1);
        }
        finally
        {
            release.countDown();
            PipelineTests.closeAndRelease(pipeline);
        }
    }

    /**
     * Wait for a room signal for one lane; other lanes' signals are skipped (the free lane back-pressures too).
     */
    private static void awaitRoomSignal(final BlockingQueue<Integer> roomSignals, final int lane)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT.toNanos();
        Integer signalled;
        do
        {
            signalled = roomSignals.poll(deadlineNs - System.nanoTime(), TimeUnit.NANOSECONDS);
            assertThat(signalled).as("room signal for lane %d", lane).isNotNull();
        }
        while (signalled != lane);
    }

    /**
     * Offer to a stuck lane until it refuses; the first correlation id used is that after the one in the handler.
     *
     * @return how many were accepted.
     */
    private static long fillUntilBackPressured(final Pipeline pipeline, final AnswerSink sink, final UnsafeBuffer env)
    {
        long id = 2;
        int result;
        while (Pipeline.ACCEPTED == (result = offer(pipeline, sink, env, id)))
        {
            id++;
            assertThat(id).as("a stuck lane of %d slots must refuse", RING_SIZE).isLessThan(RING_SIZE * 4);
        }
        assertThat(result).isEqualTo(Pipeline.BACK_PRESSURED);
        return id - 2;
    }
}
