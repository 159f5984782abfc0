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
 *  |                   ... up to 128 bytes ...                     |
 *  +---------------------------------------------------------------+
 *  |                    Counters Metadata                         ...
 *  +---------------------------------------------------------------+
 *  |                     Counters Values                          ...
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class CountersFileDescriptor
{
    /** File name inside the node's directory. */
    public static final String FILE_NAME = "counters.dat";

    /** Marks a fully initialised file: "VSHD". */
    public static final int MAGIC = 0x44485356;

    /** Version of this layout. */
    public static final int LAYOUT_VERSION = 1;

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
