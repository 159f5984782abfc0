package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.wire.MessageType;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The flip handshake between the lane (the one writer) and the status thread (the reader), driven step by step on one
 * thread: what the lane recorded before it took a flip is in the phase the reader reads, what it records after is not.
 */
class LatencyRecorderPhaseTest
{
    private static final DispatchTarget TARGET = DispatchTarget.GraphBsp;
    private static final long NEVER_SLOW_NS = Long.MAX_VALUE;

    private final SlotView view = new SlotView();
    private final Slot slot = new Slot();
    private final LatencyRecorder recorder = newRecorder();

    LatencyRecorderPhaseTest()
    {
        // Off-heap, as a lane's arena is: the view re-points by address.
        final UnsafeBuffer onHeap = PipelineTests.envelope(MessageType.GraphAlgoSuperstep, 8);
        slot.inline.wrap(ByteBuffer.allocateDirect(onHeap.capacity()));
        slot.inline.putBytes(0, onHeap, 0, onHeap.capacity());
        view.wrap(slot);
    }

    @Test
    void shouldReadWhatTheLaneRecordedBeforeItTookTheFlipAndNothingAfter()
    {
        recordBatch(3);
        assertThat(recorder.requestFlip(1_000)).isTrue();
        assertThat(recorder.requestFlip(1_001)).as("one flip at a time").isFalse();
        assertThat(recorder.isFlipComplete(false)).as("the lane has not taken the flip up").isFalse();

        recordCalls(2);
        assertThat(recorder.isFlipComplete(false)).as("still in the batch it began before the request").isFalse();
        recorder.onBatchEnd();

        recorder.onIdle();
        assertThat(recorder.isFlipComplete(false)).isTrue();
        assertThat(serviceCount(recorder.inactivePhaseOffset())).as("the 3 + 2 calls before the flip").isEqualTo(5);

        recordBatch(4);
        assertThat(serviceCount(recorder.inactivePhaseOffset())).as("later calls go to the other phase").isEqualTo(5);
        assertThat(recorder.finishFlip()).isEqualTo(1_000);
        assertThat(serviceCount(recorder.inactivePhaseOffset())).as("zeroed after the read").isZero();

        assertThat(recorder.requestFlip(2_000)).isTrue();
        recordBatch(1);
        assertThat(recorder.isFlipComplete(false)).isTrue();
        assertThat(serviceCount(recorder.inactivePhaseOffset())).as("the 4 calls of the second interval").isEqualTo(4);
    }

    @Test
    void shouldCompleteAFlipOfAStoppedLaneWithoutItsAcknowledgement()
    {
        recordBatch(2);
        recorder.requestFlip(1_000);

        assertThat(recorder.isFlipComplete(false)).isFalse();
        assertThat(recorder.isFlipComplete(true)).isTrue();
        assertThat(serviceCount(recorder.inactivePhaseOffset())).isEqualTo(2);
    }

    private void recordBatch(final int calls)
    {
        recorder.onBatchStart();
        recordCalls(calls);
        recorder.onBatchEnd();
    }

    private void recordCalls(final int calls)
    {
        for (int i = 0; i < calls; i++)
        {
            recorder.onCallStart(TARGET.ordinal(), LatencyRecorder.NO_TIMESTAMP);
            recorder.onCallEnd(TARGET.ordinal(), view);
        }
    }

    private long serviceCount(final int phaseOffset)
    {
        return LatencyHistogram.count(recorder.arena(), phaseOffset + recorder.serviceOffset(TARGET.ordinal()));
    }

    private static LatencyRecorder newRecorder()
    {
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(new byte[64 * 1024]), new UnsafeBuffer(new byte[16 * 1024]));
        final AtomicCounter[] slowCalls = new AtomicCounter[DispatchTarget.COUNT];
        slowCalls[TARGET.ordinal()] = manager.newCounter("slow");
        return new LatencyRecorder(true, NEVER_SLOW_NS, List.of(TARGET), slowCalls, 1_000);
    }
}
