package io.vshard.core.status;

import org.agrona.concurrent.status.CountersReader;

/**
 * Layout of the counters file: a header, then the counters' metadata, then their values.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Magic (written last, release)                 |
 *  +---------------------------------------------------------------+
 *  |                        Layout Version                         |
 *  +---------------------------------------------------------------+
 *  |                          Process Id                           |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Start Time (epoch ms)                     |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Metadata Length                        |
 *  +---------------------------------------------------------------+
 *  |                         Values Length                         |
 *  +---------------------------------------------------------------+
 *  |               Heartbeat (epoch ms, written release)           |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Liveness Timeout (ms)                     |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     State (1 running, 2 closed)               |
 *  +---------------------------------------------------------------+
 *  |                        Latency Length                         |
 *  +---------------------------------------------------------------+
 *  |                     Latency Interval (ms)                     |
 *  +---------------------------------------------------------------+
 *  |                   ... up to 128 bytes ...                     |
 *  +---------------------------------------------------------------+
 *  |                    Counters Metadata                         ...
 *  +---------------------------------------------------------------+
 *  |                     Counters Values                          ...
 *  +---------------------------------------------------------------+
 *  |      Latency Snapshots (one record per target, see            |
 *  |      {@link LatencySnapshotDescriptor})                      ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The owner keeps the heartbeat fresh from a control thread; a file whose owner's process is gone, whose heartbeat
 * is older than the liveness timeout, or whose state is closed belongs to no running node.
 */
public final class CountersFileDescriptor
{
    /** File name inside the node's directory. */
    public static final String FILE_NAME = "counters.dat";

    /** The file in a node's directory whose lock the owning node holds while it runs. */
    public static final String LOCK_FILE_NAME = "counters.lock";

    /** Marks a fully initialised file: "VSHD". */
    public static final int MAGIC = 0x44485356;

    /** Version of this layout. */
    public static final int LAYOUT_VERSION = 2;

    /** Offset of the int magic. */
    public static final int MAGIC_FIELD_OFFSET = 0;

    /** Offset of the int layout version. */
    public static final int LAYOUT_VERSION_FIELD_OFFSET = 4;

    /** Offset of the long process id of the writer. */
    public static final int PID_FIELD_OFFSET = 8;

    /** Offset of the long start time in epoch milliseconds. */
    public static final int START_TIME_FIELD_OFFSET = 16;

    /** Offset of the int metadata section length. */
    public static final int METADATA_LENGTH_FIELD_OFFSET = 24;

    /** Offset of the int values section length. */
    public static final int VALUES_LENGTH_FIELD_OFFSET = 28;

    /** Offset of the long heartbeat in epoch milliseconds, kept fresh by the owner (release stores). */
    public static final int HEARTBEAT_FIELD_OFFSET = 32;

    /** Offset of the long liveness timeout in milliseconds: a heartbeat older than this is stale. */
    public static final int LIVENESS_TIMEOUT_FIELD_OFFSET = 40;

    /** Offset of the int state: {@link #STATE_RUNNING} or {@link #STATE_CLOSED}. */
    public static final int STATE_FIELD_OFFSET = 48;

    /** Offset of the int length of the latency snapshot section, after the values (0 when absent). */
    public static final int LATENCY_LENGTH_FIELD_OFFSET = 52;

    /** Offset of the int interval of the latency snapshots in milliseconds. */
    public static final int LATENCY_INTERVAL_FIELD_OFFSET = 56;

    /** State: the owner runs (subject to its heartbeat and process). */
    public static final int STATE_RUNNING = 1;

    /** State: the owner closed the file and stopped. */
    public static final int STATE_CLOSED = 2;

    /** Length of the header. */
    public static final int HEADER_LENGTH = 128;

    /** Counter type of pipeline-wide counters. */
    public static final int PIPELINE_TYPE_ID = 1001;

    /** Counter type of per-lane counters; the key is the lane id. */
    public static final int LANE_TYPE_ID = 1002;

    /** Counter type of per-target counters; the key is the target ordinal. */
    public static final int TARGET_TYPE_ID = 1003;

    /** Counter type of transport counters. */
    public static final int TRANSPORT_TYPE_ID = 1004;

    /** Separates scope and metric in counter labels: {@code "lane 0: received"}. */
    public static final String LABEL_SEPARATOR = ": ";

    /**
     * File length for a number of counters.
     *
     * @param maxCounters the capacity.
     * @return bytes.
     */
    public static int fileLength(final int maxCounters)
    {
        return HEADER_LENGTH + metadataLength(maxCounters) + valuesLength(maxCounters);
    }

    /**
     * File length for a number of counters followed by the latency snapshot section.
     *
     * @param maxCounters   the capacity.
     * @param latencyLength bytes of the latency snapshot section.
     * @return bytes.
     */
    public static int fileLength(final int maxCounters, final int latencyLength)
    {
        return fileLength(maxCounters) + latencyLength;
    }

    /**
     * Metadata section length for a number of counters.
     *
     * @param maxCounters the capacity.
     * @return bytes.
     */
    public static int metadataLength(final int maxCounters)
    {
        return maxCounters * CountersReader.METADATA_LENGTH;
    }

    /**
     * Values section length for a number of counters.
     *
     * @param maxCounters the capacity.
     * @return bytes.
     */
    public static int valuesLength(final int maxCounters)
    {
        return maxCounters * CountersReader.COUNTER_LENGTH;
    }

    private CountersFileDescriptor()
    {
    }
}
