package io.vshard.core.status;

import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;

import static io.vshard.core.status.LatencySnapshotDescriptor.COUNT_METRIC_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.INTERVAL_END_FIELD_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.INTERVAL_START_FIELD_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.LANE_ID_FIELD_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.MAX_METRIC_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.P50_METRIC_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.P90_METRIC_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.P999_METRIC_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.P99_METRIC_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.QUEUE_WAIT_BLOCK_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.SEQUENCE_FIELD_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.SERVICE_TIME_BLOCK_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.TOTAL_COUNT_METRIC_OFFSET;
import static io.vshard.core.status.LatencySnapshotDescriptor.TOTAL_SUM_METRIC_OFFSET;

/**
 * One target's latest latency interval as a reader sees it (layout in {@link LatencySnapshotDescriptor}). For tools:
 * reading allocates.
 *
 * @param targetOrdinal   the target.
 * @param laneId          the lane hosting it, or -1.
 * @param intervalStartMs start of the interval, epoch ms.
 * @param intervalEndMs   end of the interval, epoch ms; 0 when no interval was published yet.
 * @param queueWait       from the producer's copy into the slot to the handler's start.
 * @param serviceTime     the handler call.
 */
public record LatencySnapshot(
    int targetOrdinal, int laneId, long intervalStartMs, long intervalEndMs, Metric queueWait, Metric serviceTime)
{
    private static final int MAX_TRIES = 1000;

    /**
     * One metric of an interval, times in nanoseconds.
     *
     * @param count      values in the interval.
     * @param p50Ns      median.
     * @param p90Ns      90th percentile.
     * @param p99Ns      99th percentile.
     * @param p999Ns     99.9th percentile.
     * @param maxNs      largest value.
     * @param totalCount values since the node started.
     * @param totalSumNs sum of the values since the node started.
     */
    public record Metric(
        long count, long p50Ns, long p90Ns, long p99Ns, long p999Ns, long maxNs, long totalCount, long totalSumNs)
    {
        static Metric read(final UnsafeBuffer buffer, final int offset)
        {
            return new Metric(
                buffer.getLong(offset + COUNT_METRIC_OFFSET),
                buffer.getLong(offset + P50_METRIC_OFFSET),
                buffer.getLong(offset + P90_METRIC_OFFSET),
                buffer.getLong(offset + P99_METRIC_OFFSET),
                buffer.getLong(offset + P999_METRIC_OFFSET),
                buffer.getLong(offset + MAX_METRIC_OFFSET),
                buffer.getLong(offset + TOTAL_COUNT_METRIC_OFFSET),
                buffer.getLong(offset + TOTAL_SUM_METRIC_OFFSET));
        }

        /**
         * A quantile of the block by its index in {@link LatencySnapshotDescriptor#QUANTILES}.
         *
         * @param index 0 to 3.
         * @return the value in ns.
         */
        public long quantileNs(final int index)
        {
            return switch (index)
            {
                case 0 -> p50Ns;
                case 1 -> p90Ns;
                case 2 -> p99Ns;
                case 3 -> p999Ns;
                default -> throw new IllegalArgumentException("quantile index in [0, 3]: index=" + index);
            };
        }
    }

    /**
     * Read a target's record consistently (retrying while the writer is in it).
     *
     * @param section       the latency section of a counters file.
     * @param targetOrdinal the target.
     * @return the snapshot, or {@code null} when the writer kept the record busy for every try.
     */
    public static LatencySnapshot read(final UnsafeBuffer section, final int targetOrdinal)
    {
        final int offset = LatencySnapshotDescriptor.recordOffset(targetOrdinal);
        for (int i = 0; i < MAX_TRIES; i++)
        {
            final long before = section.getLongVolatile(offset + SEQUENCE_FIELD_OFFSET);
            if (0 != (before & 1))
            {
                Thread.onSpinWait();
                continue;
            }
            final LatencySnapshot snapshot = new LatencySnapshot(
                targetOrdinal,
                section.getInt(offset + LANE_ID_FIELD_OFFSET),
                section.getLong(offset + INTERVAL_START_FIELD_OFFSET),
                section.getLong(offset + INTERVAL_END_FIELD_OFFSET),
                Metric.read(section, offset + QUEUE_WAIT_BLOCK_OFFSET),
                Metric.read(section, offset + SERVICE_TIME_BLOCK_OFFSET));
            VarHandle.acquireFence();
            if (before == section.getLongVolatile(offset + SEQUENCE_FIELD_OFFSET))
            {
                return snapshot;
            }
        }
        return null;
    }
}
