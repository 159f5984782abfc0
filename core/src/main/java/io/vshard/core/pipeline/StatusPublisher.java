package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.status.CountersFile;
import io.vshard.core.status.LatencySnapshotDescriptor;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.vshard.core.status.LatencySnapshotDescriptor.COUNT_METRIC_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.INTERVAL_END_FIELD_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.INTERVAL_START_FIELD_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.LANE_ID_FIELD_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.MAX_METRIC_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.P50_METRIC_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.QUANTILES;
import static io.vshard.core.status.LatencySnapshotDescriptor.QUEUE_WAIT_BLOCK_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.SEQUENCE_FIELD_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.SERVICE_TIME_BLOCK_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.TOTAL_COUNT_METRIC_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.TOTAL_SUM_METRIC_OFFSET;

/**
 * The node's status thread, a control thread that never touches a lane's ring: keeps the counters file's heartbeat
 * fresh, and once per latency interval flips each lane's {@link LatencyRecorder} and publishes the interval's
 * percentiles per target into the file's latency section under a sequence lock.
 * <p>
 * Threading: {@link #start()} and {@link #stop()} from the pipeline's control thread; everything else on the status
 * thread (or, after {@link #stop()}, on the thread that stopped it).
 */
final class StatusPublisher implements Runnable
{
    private final CountersFile file;
    private final Lane[] lanes;
    private final long heartbeatIntervalNs;
    private final long latencyIntervalMs;
    private final ErrorHandler errorHandler;
    private final UnsafeBuffer section;
    private final long[] totalCounts = new long[2 * DispatchTarget.COUNT];
    private final long[] totalSums = new long[2 * DispatchTarget.COUNT];
    private final long[] quantileValues = new long[QUANTILES.length];
    private final Thread thread;
    private long nextFlipMs;
    private volatile boolean running = true;

    StatusPublisher(
        final CountersFile file,
        final Lane[] lanes,
        final long heartbeatIntervalMs,
        final long latencyIntervalMs,
        final ErrorHandler errorHandler,
        final String name)
    {
        this.file = file;
        this.lanes = lanes;
        this.heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(heartbeatIntervalMs);
        this.latencyIntervalMs = latencyIntervalMs;
        this.errorHandler = errorHandler;
        this.section = file.latencySection();
        this.nextFlipMs = System.currentTimeMillis() + latencyIntervalMs;
        for (final Lane lane : lanes)
        {
            for (final int target : lane.recorder().hostedTargets())
            {
                section.putInt(LatencySnapshotDescriptor.recordOffset(target) + LANE_ID_FIELD_OFFSET, lane.laneId());
            }
        }
        thread = new Thread(this, name + "-status");
        thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    /**
     * Stop the thread, then publish the last interval of every lane (the lanes have stopped, so flips complete).
     */
    void stop()
    {
        running = false;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive())
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        final long nowMs = System.currentTimeMillis();
        for (final Lane lane : lanes)
        {
            final LatencyRecorder recorder = lane.recorder();
            if (recorder.isEnabled())
            {
                recorder.requestFlip(nowMs);
                if (recorder.isFlipComplete(!lane.thread().isAlive()))
                {
                    publish(lane.laneId(), recorder);
                }
            }
        }
        file.heartbeat(nowMs);
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The status thread's loop; errors are caught at its boundary and handed to the error handler.
     */
    public void run()
    {
        while (running)
        {
            try
            {
                tick(System.currentTimeMillis());
            }
            catch (final Throwable ex)
            {
                errorHandler.onError(ex);
            }
            LockSupport.parkNanos(heartbeatIntervalNs);
        }
    }

    void tick(final long nowMs)
    {
        file.heartbeat(nowMs);
        final boolean flipDue = nowMs >= nextFlipMs;
        if (flipDue)
        {
            nextFlipMs = nowMs + latencyIntervalMs;
        }
        for (final Lane lane : lanes)
        {
            final LatencyRecorder recorder = lane.recorder();
            if (!recorder.isEnabled())
            {
                continue;
            }
            if (flipDue && recorder.requestFlip(nowMs))
            {
                // A parked lane takes the flip up when it wakes: now rather than at the end of its longest park.
                LockSupport.unpark(lane.thread());
            }
            if (recorder.isFlipComplete(!lane.thread().isAlive()))
            {
                publish(lane.laneId(), recorder);
            }
        }
    }

    private void publish(final int laneId, final LatencyRecorder recorder)
    {
        final UnsafeBuffer arena = recorder.arena();
        final int phase = recorder.inactivePhaseOffset();
        final long startMs = recorder.intervalStartMs();
        final long endMs = recorder.flipMs();
        for (final int target : recorder.hostedTargets())
        {
            final int record = LatencySnapshotDescriptor.recordOffset(target);
            final long sequence = section.getLong(record + SEQUENCE_FIELD_OFFSET);
            section.putLongRelease(record + SEQUENCE_FIELD_OFFSET, sequence + 1);
            VarHandle.storeStoreFence();
            section.putInt(record + LANE_ID_FIELD_OFFSET, laneId);
            section.putLong(record + INTERVAL_START_FIELD_OFFSET, startMs);
            section.putLong(record + INTERVAL_END_FIELD_OFFSET, endMs);
            writeMetric(arena, phase + recorder.waitOffset(target), record + QUEUE_WAIT_BLOCK_OFFSET, 2 * target);
            writeMetric(arena, phase + recorder.serviceOffset(target), record + SERVICE_TIME_BLOCK_OFFSET,
                2 * target + 1);
            section.putLongRelease(record + SEQUENCE_FIELD_OFFSET, sequence + 2);
        }
        recorder.finishFlip();
    }

    private void writeMetric(final UnsafeBuffer arena, final int histogram, final int block, final int total)
    {
        final long count = LatencyHistogram.count(arena, histogram);
        totalCounts[total] += count;
        totalSums[total] += LatencyHistogram.sum(arena, histogram);
        LatencyHistogram.valuesAt(arena, histogram, QUANTILES, quantileValues);
        section.putLong(block + COUNT_METRIC_OFFSET, count);
        for (int q = 0; q < QUANTILES.length; q++)
        {
            section.putLong(block + P50_METRIC_OFFSET + q * Long.BYTES, quantileValues[q]);
        }
        section.putLong(block + MAX_METRIC_OFFSET, LatencyHistogram.max(arena, histogram));
        section.putLong(block + TOTAL_COUNT_METRIC_OFFSET, totalCounts[total]);
        section.putLong(block + TOTAL_SUM_METRIC_OFFSET, totalSums[total]);
    }
}
