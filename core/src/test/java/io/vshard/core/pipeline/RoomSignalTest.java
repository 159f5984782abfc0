package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.reply.CallbackReplyDestination;
import io.vshard.core.wire.MessageType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static io.vshard.core.pipeline.PipelineTests.envelope;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stress: a publisher that, like a transport, stops after BACK_PRESSURED and resumes only on a room signal is
 * never left waiting. The lane and the publisher meet Dekker style (publisher: ask for room, then look at the
 * lane's sequence; lane: publish its sequence, then look for a request), which needs a full fence on both sides.
 */
class RoomSignalTest
{
    private static final long RUN_NS = TimeUnit.SECONDS.toNanos(3);
    private static final long LOST_SIGNAL_NS = TimeUnit.SECONDS.toNanos(2);

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void shouldSignalRoomAfterEveryBackPressure()
    {
        final AtomicLong signals = new AtomicLong();
        final Pipeline pipeline = Pipeline.launch(PipelineTests.context(dir)
            .lanes("*")
            .laneRingSize(4)
            .laneResumeFreeSlots(1)
            .waitStrategy(WaitStrategyKind.SLEEPING)
            .handler(DispatchTarget.Migration, (envelope, reply) -> {}));
        pipeline.addRoomListener((lane) -> signals.incrementAndGet());
        final CallbackReplyDestination destination = new CallbackReplyDestination((a, b, o, l) -> {});
        final UnsafeBuffer envelope = envelope(MessageType.SegmentChunk, 8);
        long episodes = 0;
        long offers = 0;
        try
        {
            final long endNs = System.nanoTime() + RUN_NS;
            while (System.nanoTime() - endNs < 0)
            {
                final long signalsBefore = signals.get();
                final int result = pipeline.offer(envelope, 0, envelope.capacity(), destination, 0, 0);
                offers++;
                if (Pipeline.BACK_PRESSURED == result)
                {
                    episodes++;
                    final long deadlineNs = System.nanoTime() + LOST_SIGNAL_NS;
                    while (signals.get() == signalsBefore)
                    {
                        assertThat(System.nanoTime() - deadlineNs)
                            .as("room signal lost after %,d back-pressure episodes (%,d offers)", episodes, offers)
                            .isNegative();
                        LockSupport.parkNanos(1000);
                    }
                }
                else
                {
                    assertThat(result).isEqualTo(Pipeline.ACCEPTED);
                }
            }
            System.out.printf("%,d offers, %,d back-pressure episodes, every one signalled%n", offers, episodes);
            assertThat(episodes).as("the test must back-pressure to mean anything").isPositive();
        }
        finally
        {
            PipelineTests.closeAndRelease(pipeline);
        }
    }
}
