package io.vshard.core.pipeline;

import io.vshard.core.dispatch.LaneLayout;
import io.vshard.core.wire.EnvelopeDescriptor;

import java.io.File;

/**
 * Property names and defaults of the pipeline's settings. Every setting of {@link PipelineContext} starts from the
 * system property named here, or the {@code _DEFAULT} when the property is unset.
 */
public final class Configuration
{
    /** Lane layout in {@link LaneLayout} syntax. */
    public static final String LANES_PROP_NAME = "vshard.lanes";

    /** Default lane layout for a small machine: coordinators and events in one lane, engine work in the other. */
    public static final String LANES_DEFAULT =
        "TimeseriesCoordinator,VectorCoordinator,SpatialCoordinator,ArrayCoordinator,EventPlane;*";

    /** Slots in each lane's ring: a power of two. */
    public static final String LANE_RING_SIZE_PROP_NAME = "vshard.lane.ring.size";

    /** Default slots per lane. */
    public static final int LANE_RING_SIZE_DEFAULT = 4096;

    /** Slots in each exclusive publisher's own ring into each lane: a power of two. */
    public static final String LANE_EXCLUSIVE_RING_SIZE_PROP_NAME = "vshard.lane.exclusive.ring.size";

    /** Default slots per exclusive ring. */
    public static final int LANE_EXCLUSIVE_RING_SIZE_DEFAULT = 4096;

    /**
     * Most envelopes a lane takes from one ring before it publishes its counters, signals room and looks at its
     * other rings (Disruptor's {@code maxBatchSize}).
     */
    public static final String LANE_BATCH_SIZE_PROP_NAME = "vshard.lane.batch.size";

    /** Default lane batch. */
    public static final int LANE_BATCH_SIZE_DEFAULT = 256;

    /** Bytes of off-heap arena per slot: envelopes up to this length (header included) are held inline. */
    public static final String SLOT_LENGTH_PROP_NAME = "vshard.slot.length";

    /** Default slot length: 256 bytes, 228 bytes of payload inline. */
    public static final int SLOT_LENGTH_DEFAULT = 256;

    /** Largest envelope payload accepted; larger ones are TOO_LARGE. */
    public static final String MAX_PAYLOAD_LENGTH_PROP_NAME = "vshard.max.payload.length";

    /** Default maximum payload: 16 MiB. */
    public static final int MAX_PAYLOAD_LENGTH_DEFAULT = EnvelopeDescriptor.MAX_PAYLOAD_LENGTH_DEFAULT;

    /** Wait strategy of lanes that do not name their own. */
    public static final String LANE_WAIT_STRATEGY_PROP_NAME = "vshard.lane.wait.strategy";

    /** Default wait strategy: parking, which idles at no CPU and wakes on the next publication. */
    public static final String LANE_WAIT_STRATEGY_DEFAULT = WaitStrategyKind.PARKING.label();

    /** Free slots a back-pressured lane must have before it signals room; 0 means half the ring. */
    public static final String LANE_RESUME_FREE_SLOTS_PROP_NAME = "vshard.lane.resume.free.slots";

    /** Default: half the ring. */
    public static final int LANE_RESUME_FREE_SLOTS_DEFAULT = 0;

    /** Upper bound of pooled spill memory per size class, in bytes. */
    public static final String SPILL_POOL_CLASS_BYTES_PROP_NAME = "vshard.spill.pool.class.bytes";

    /** Default: 64 MiB per size class (at least two buffers per class whatever the size). */
    public static final int SPILL_POOL_CLASS_BYTES_DEFAULT = 64 * 1024 * 1024;

    /** Directory of the counters file. */
    public static final String DIR_PROP_NAME = "vshard.dir";

    /** Default directory: under /dev/shm when it exists, else the temporary directory. */
    public static final String DIR_DEFAULT = defaultDir();

    /** Record per-target queue wait and service time histograms on the lanes (and detect slow handlers). */
    public static final String LATENCY_RECORDING_PROP_NAME = "vshard.latency.recording";

    /** Default: recording on. */
    public static final boolean LATENCY_RECORDING_DEFAULT = true;

    /** Interval of the latency snapshots published in the counters file, in milliseconds. */
    public static final String LATENCY_INTERVAL_MS_PROP_NAME = "vshard.latency.interval.ms";

    /** Default latency interval: one second. */
    public static final int LATENCY_INTERVAL_MS_DEFAULT = 1000;

    /** A handler call longer than this, in nanoseconds, is counted as slow and emitted as a JFR event. */
    public static final String SLOW_HANDLER_THRESHOLD_NS_PROP_NAME = "vshard.slow.handler.threshold.ns";

    /** Default slow-handler threshold: one millisecond. */
    public static final long SLOW_HANDLER_THRESHOLD_NS_DEFAULT = 1_000_000;

    /**
     * Calls of a target measured under this many nanoseconds are timed in runs, one clock read per run; 0 reads the
     * clock after every call. Read once, at class load of the recorder.
     */
    public static final String LATENCY_CHEAP_CALL_NS_PROP_NAME = "vshard.latency.cheap.call.ns";

    /** Default: calls under 100 ns are timed in runs. */
    public static final long LATENCY_CHEAP_CALL_NS_DEFAULT = 100;

    /** How often the node's status thread refreshes the counters file's heartbeat, in milliseconds. */
    public static final String HEARTBEAT_INTERVAL_MS_PROP_NAME = "vshard.heartbeat.interval.ms";

    /** Default heartbeat interval: 100 ms. */
    public static final int HEARTBEAT_INTERVAL_MS_DEFAULT = 100;

    /** Age of the heartbeat after which readers call the node stale, and another node may take the directory. */
    public static final String LIVENESS_TIMEOUT_MS_PROP_NAME = "vshard.liveness.timeout.ms";

    /** Default liveness timeout: 5 s. */
    public static final int LIVENESS_TIMEOUT_MS_DEFAULT = 5000;

    private Configuration()
    {
    }

    /**
     * An integer system property or its default.
     *
     * @param name         of the property.
     * @param defaultValue when unset.
     * @return the value.
     */
    static int intProperty(final String name, final int defaultValue)
    {
        final String value = System.getProperty(name);
        if (null == value)
        {
            return defaultValue;
        }
        try
        {
            return Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not an integer: " + name + "=" + value, ex);
        }
    }

    /**
     * A long system property or its default.
     *
     * @param name         of the property.
     * @param defaultValue when unset.
     * @return the value.
     */
    static long longProperty(final String name, final long defaultValue)
    {
        final String value = System.getProperty(name);
        if (null == value)
        {
            return defaultValue;
        }
        try
        {
            return Long.parseLong(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not an integer: " + name + "=" + value, ex);
        }
    }

    /**
     * A boolean system property ({@code true} or {@code false}) or its default.
     *
     * @param name         of the property.
     * @param defaultValue when unset.
     * @return the value.
     */
    static boolean booleanProperty(final String name, final boolean defaultValue)
    {
        final String value = System.getProperty(name);
        return null == value ? defaultValue : parseBoolean(name, value);
    }

    static boolean parseBoolean(final String name, final String value)
    {
        return switch (value.trim())
        {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not true or false: " + name + "=" + value);
        };
    }

    private static String defaultDir()
    {
        final String user = System.getProperty("user.name", "default");
        final File shm = new File("/dev/shm");
        final String base = shm.isDirectory() && shm.canWrite() ? shm.getPath() : System.getProperty("java.io.tmpdir");
        return new File(base, "vshard-" + user).getPath();
    }
}
