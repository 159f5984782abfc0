package io.vshard.core.status;

/**
 * Layout of the latency snapshot section of the counters file: one record per dispatch target (by ordinal), written
 * by the node's status thread once per interval under a sequence lock, read by any process.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |            Sequence (odd while being written, release)        |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |               Lane Id (-1: no lane hosts the target)          |
 *  +---------------------------------------------------------------+
 *  |                           Reserved                            |
 *  +---------------------------------------------------------------+
 *  |                 Interval Start (epoch ms)                     |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Interval End (epoch ms)                      |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |      Queue Wait: 8 longs (see *_METRIC_OFFSET), 64 bytes     ...
 *  +---------------------------------------------------------------+
 *  |      Service Time: 8 longs, 64 bytes                         ...
 *  +---------------------------------------------------------------+
 *  |      Reserved to 192 bytes                                   ...
 *  +---------------------------------------------------------------+
 * </pre>
 * A metric block holds, in nanoseconds where a time: the interval's count, p50, p90, p99, p99.9 and max, then the
 * count and the sum of every value since the node started.
 */
public final class LatencySnapshotDescriptor
{
    /** Offset of the long sequence: even when the record is stable. */
    public static final int SEQUENCE_FIELD_OFFSET = 0;

    /** Offset of the int lane id hosting the target, or -1. */
    public static final int LANE_ID_FIELD_OFFSET = 8;

    /** Offset of the long interval start in epoch milliseconds. */
    public static final int INTERVAL_START_FIELD_OFFSET = 16;

    /** Offset of the long interval end in epoch milliseconds (0: no interval yet). */
    public static final int INTERVAL_END_FIELD_OFFSET = 24;

    /** Offset of the queue wait metric block: from the producer's copy into the slot to the handler's start. */
    public static final int QUEUE_WAIT_BLOCK_OFFSET = 32;

    /** Offset of the service time metric block: the handler call. */
    public static final int SERVICE_TIME_BLOCK_OFFSET = 96;

    /** Offset within a metric block of the long interval count. */
    public static final int COUNT_METRIC_OFFSET = 0;

    /** Offset within a metric block of the long interval median, ns. */
    public static final int P50_METRIC_OFFSET = 8;

    /** Offset within a metric block of the long interval 90th percentile, ns. */
    public static final int P90_METRIC_OFFSET = 16;

    /** Offset within a metric block of the long interval 99th percentile, ns. */
    public static final int P99_METRIC_OFFSET = 24;

    /** Offset within a metric block of the long interval 99.9th percentile, ns. */
    public static final int P999_METRIC_OFFSET = 32;

    /** Offset within a metric block of the long interval maximum, ns. */
    public static final int MAX_METRIC_OFFSET = 40;

    /** Offset within a metric block of the long count since start. */
    public static final int TOTAL_COUNT_METRIC_OFFSET = 48;

    /** Offset within a metric block of the long sum since start, ns. */
    public static final int TOTAL_SUM_METRIC_OFFSET = 56;

    /** Length of one metric block. */
    public static final int METRIC_BLOCK_LENGTH = 64;

    /** Length of one target's record: three cache lines. */
    public static final int RECORD_LENGTH = 192;

    /** The quantiles of a metric block, in block order after the count. */
    public static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};

    private LatencySnapshotDescriptor()
    {
    }

    /**
     * Length of the section for a number of targets.
     *
     * @param targets records.
     * @return bytes.
     */
    public static int sectionLength(final int targets)
    {
        return targets * RECORD_LENGTH;
    }

    /**
     * Offset of a target's record in the section.
     *
     * @param targetOrdinal the target.
     * @return bytes from the section's start.
     */
    public static int recordOffset(final int targetOrdinal)
    {
        return targetOrdinal * RECORD_LENGTH;
    }
}
