package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.wire.MessageType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static io.vshard.core.pipeline.PipelineTests.envelope;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parking wait strategy: an idle lane burns no CPU, a publication wakes a parked lane at once (not at the end of
 * its bounded park), many racing publishers lose no wake-up, and close wakes a parked lane.
 */
@Timeout(60)
class ParkingWaitStrategyTest
{
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final MessageType TYPE = MessageType.TsScatterRequest;

    @TempDir
    Path dir;

    @Test
    void shouldBurnNoCpuWhileIdle() throws InterruptedException
    {
        final Pipeline pipeline = launch(new AtomicLong());
        try
        {
            final long laneTid = pipeline.laneThread(pipeline.laneOf(TYPE.code())).getId();
            Thread.sleep(200);
            final long cpu0 = THREADS.getThreadCpuTime(laneTid);
            Thread.sleep(1_000);
            final long cpuNs = THREADS.getThreadCpuTime(laneTid) - cpu0;

            // Spinning or yielding would take most of the second; Disruptor's sleeping strategy takes tens of ms.
            assertThat(cpuNs).as("lane CPU over 1 s idle, ns").isLessThan(TimeUnit.MILLISECONDS.toNanos(10));
        }
        finally
        {
            PipelineTests.closeAndRelease(pipeline);
        }
    }

    @Test
    void shouldWakeAParkedLaneOnPublicationNotAtTheEndOfItsPark() throws InterruptedException
    {
        final AtomicLong handled = new AtomicLong();
        final Pipeline pipeline = launch(handled);
        try
        {
            final UnsafeBuffer envelope = envelope(TYPE, 16);
            final Thread lane = pipeline.laneThread(pipeline.laneOf(TYPE.code()));
            final int rounds = 100;
            int slow = 0;
            for (int i = 1; i <= rounds; i++)
            {
                awaitParked(lane);
                final long startNs = System.nanoTime();
                assertThat(pipeline.offer(envelope, 0, envelope.capacity(), null, 0, 0)).isEqualTo(Pipeline.ACCEPTED);
                while (handled.get() < i)
                {
                    Thread.onSpinWait();
                    assertThat(System.nanoTime() - startNs).isLessThan(TimeUnit.SECONDS.toNanos(5));
                }
                if (System.nanoTime() - startNs > ParkingWaitStrategy.MAX_PARK_NS / 2)
                {
                    slow++;
                }
            }

            // A missing wake-up leaves every envelope waiting out the bounded park (100 ms); scheduling noise on a
            // busy machine may delay a few.
            assertThat(slow).as("envelopes handled only after half a maximum park").isLessThan(rounds / 10);
        }
        finally
        {
            PipelineTests.closeAndRelease(pipeline);
        }
    }

    @Test
    void shouldLoseNoWakeUpWithRacingPublishers() throws InterruptedException
    {
        final AtomicLong handled = new AtomicLong();
        final Pipeline pipeline = launch(handled);
        try
        {
            final int publishers = 4;
            final int perPublisher = 20_000;
            final CountDownLatch done = new CountDownLatch(publishers);
            for (int p = 0; p < publishers; p++)
            {
                final int seed = p;
                new Thread(() ->
                {
                    final UnsafeBuffer envelope = envelope(TYPE, 16);
                    for (int i = 0; i < perPublisher; i++)
                    {
                        while (Pipeline.ACCEPTED != pipeline.offer(envelope, 0, envelope.capacity(), null, 0, 0))
                        {
                            Thread.yield();
                        }
                        if (0 == (i + seed) % 500)
                        {
                            // Let the lane go idle and park now and then, so publications race its parking.
                            LockSupport.parkNanos(200_000);
                        }
                    }
                    done.countDown();
                }, "publisher-" + p).start();
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (handled.get() < (long)publishers * perPublisher && System.nanoTime() - deadlineNs < 0)
            {
                Thread.sleep(1);
            }

            assertThat(handled.get()).isEqualTo((long)publishers * perPublisher);
        }
        finally
        {
            PipelineTests.closeAndRelease(pipeline);
        }
    }

    @Test
    void shouldWakeAParkedLaneOnClose() throws InterruptedException
    {
        final Pipeline pipeline = launch(new AtomicLong());
        final Thread lane = pipeline.laneThread(pipeline.laneOf(TYPE.code()));
        awaitParked(lane);

        final long startNs = System.nanoTime();
        PipelineTests.closeAndRelease(pipeline);
        lane.join(5_000);

        assertThat(lane.isAlive()).isFalse();
        assertThat(System.nanoTime() - startNs).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    private Pipeline launch(final AtomicLong handled)
    {
        return Pipeline.launch(PipelineTests.context(dir)
            .lanes("TimeseriesScan;*")
            .laneRingSize(1024)
            .waitStrategy(WaitStrategyKind.PARKING)
            .handler(DispatchTarget.TimeseriesScan, (envelope, reply) -> handled.incrementAndGet()));
    }

    private static void awaitParked(final Thread lane) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!(LockSupport.getBlocker(lane) instanceof ParkingWaitStrategy))
        {
            assertThat(System.nanoTime() - deadlineNs).as("lane never parked").isNegative();
            Thread.sleep(1);
        }
    }
}
