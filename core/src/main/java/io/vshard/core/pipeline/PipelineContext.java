package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.dispatch.LaneLayout;
import io.vshard.core.status.DistinctErrorLog;
import io.vshard.core.wire.EnvelopeDescriptor;
import org.agrona.BitUtil;
import org.agrona.ErrorHandler;

import java.io.File;
import java.util.Objects;
import java.util.Properties;

/**
 * Configuration of a {@link Pipeline}, Aeron style: each setting starts from its {@link Configuration} system property
 * or default, has a fluent setter without a {@code set} prefix, and {@link #conclude()} validates them once.
 * Control plane only: build it on one thread, then hand it to {@link Pipeline#launch(PipelineContext)}.
 */
public final class PipelineContext
{
    private String lanes = System.getProperty(Configuration.LANES_PROP_NAME, Configuration.LANES_DEFAULT);
    private LaneLayout laneLayout;
    private int laneRingSize = Configuration.intProperty(
        Configuration.LANE_RING_SIZE_PROP_NAME, Configuration.LANE_RING_SIZE_DEFAULT);
    private int exclusiveRingSize = Configuration.intProperty(
        Configuration.LANE_EXCLUSIVE_RING_SIZE_PROP_NAME, Configuration.LANE_EXCLUSIVE_RING_SIZE_DEFAULT);
    private int laneBatchSize = Configuration.intProperty(
        Configuration.LANE_BATCH_SIZE_PROP_NAME, Configuration.LANE_BATCH_SIZE_DEFAULT);
    private int slotLength = Configuration.intProperty(
        Configuration.SLOT_LENGTH_PROP_NAME, Configuration.SLOT_LENGTH_DEFAULT);
    private int maxPayloadLength = Configuration.intProperty(
        Configuration.MAX_PAYLOAD_LENGTH_PROP_NAME, Configuration.MAX_PAYLOAD_LENGTH_DEFAULT);
    private WaitStrategyKind waitStrategy = WaitStrategyKind.parse(System.getProperty(
        Configuration.LANE_WAIT_STRATEGY_PROP_NAME, Configuration.LANE_WAIT_STRATEGY_DEFAULT));
    private int laneResumeFreeSlots = Configuration.intProperty(
        Configuration.LANE_RESUME_FREE_SLOTS_PROP_NAME, Configuration.LANE_RESUME_FREE_SLOTS_DEFAULT);
    private int spillPoolClassBytes = Configuration.intProperty(
        Configuration.SPILL_POOL_CLASS_BYTES_PROP_NAME, Configuration.SPILL_POOL_CLASS_BYTES_DEFAULT);
    private boolean latencyRecording = Configuration.booleanProperty(
        Configuration.LATENCY_RECORDING_PROP_NAME, Configuration.LATENCY_RECORDING_DEFAULT);
    private int latencyIntervalMs = Configuration.intProperty(
        Configuration.LATENCY_INTERVAL_MS_PROP_NAME, Configuration.LATENCY_INTERVAL_MS_DEFAULT);
    private long slowHandlerThresholdNs = Configuration.longProperty(
        Configuration.SLOW_HANDLER_THRESHOLD_NS_PROP_NAME, Configuration.SLOW_HANDLER_THRESHOLD_NS_DEFAULT);
    private int heartbeatIntervalMs = Configuration.intProperty(
        Configuration.HEARTBEAT_INTERVAL_MS_PROP_NAME, Configuration.HEARTBEAT_INTERVAL_MS_DEFAULT);
    private int livenessTimeoutMs = Configuration.intProperty(
        Configuration.LIVENESS_TIMEOUT_MS_PROP_NAME, Configuration.LIVENESS_TIMEOUT_MS_DEFAULT);
    private File dir = new File(System.getProperty(Configuration.DIR_PROP_NAME, Configuration.DIR_DEFAULT));
    private String name = "vshard";
    private ErrorHandler errorHandler = new DistinctErrorLog("vshard");
    private final EnvelopeHandler[] handlers = new EnvelopeHandler[DispatchTarget.COUNT];
    private boolean concluded;

    /**
     * Apply {@code vshard.*} settings from a properties file's contents; unknown {@code vshard.} names are refused
     * so that a typo does not pass silently.
     *
     * @param properties to read.
     * @return this for a fluent API.
     */
    public PipelineContext apply(final Properties properties)
    {
        for (final String key : properties.stringPropertyNames())
        {
            final String value = properties.getProperty(key).trim();
            switch (key)
            {
                case Configuration.LANES_PROP_NAME -> lanes(value);
                case Configuration.LANE_RING_SIZE_PROP_NAME -> laneRingSize(parseInt(key, value));
                case Configuration.LANE_EXCLUSIVE_RING_SIZE_PROP_NAME -> exclusiveRingSize(parseInt(key, value));
                case Configuration.LANE_BATCH_SIZE_PROP_NAME -> laneBatchSize(parseInt(key, value));
                case Configuration.SLOT_LENGTH_PROP_NAME -> slotLength(parseInt(key, value));
                case Configuration.MAX_PAYLOAD_LENGTH_PROP_NAME -> maxPayloadLength(parseInt(key, value));
                case Configuration.LANE_WAIT_STRATEGY_PROP_NAME -> waitStrategy(WaitStrategyKind.parse(value));
                case Configuration.LANE_RESUME_FREE_SLOTS_PROP_NAME -> laneResumeFreeSlots(parseInt(key, value));
                case Configuration.SPILL_POOL_CLASS_BYTES_PROP_NAME -> spillPoolClassBytes(parseInt(key, value));
                case Configuration.DIR_PROP_NAME -> dir(new File(value));
                case Configuration.LATENCY_RECORDING_PROP_NAME ->
                    latencyRecording(Configuration.parseBoolean(key, value));
                case Configuration.LATENCY_INTERVAL_MS_PROP_NAME -> latencyIntervalMs(parseInt(key, value));
                case Configuration.SLOW_HANDLER_THRESHOLD_NS_PROP_NAME -> slowHandlerThresholdNs(parseLong(key, value));
                case Configuration.HEARTBEAT_INTERVAL_MS_PROP_NAME -> heartbeatIntervalMs(parseInt(key, value));
                case Configuration.LIVENESS_TIMEOUT_MS_PROP_NAME -> livenessTimeoutMs(parseInt(key, value));
                default ->
                {
                    if (key.startsWith("vshard.pipeline.") || key.startsWith("vshard.lane") ||
                        key.startsWith("vshard.slot") || key.startsWith("vshard.spill") ||
                        key.startsWith("vshard.latency") || key.startsWith("vshard.slow") ||
                        key.startsWith("vshard.heartbeat") || key.startsWith("vshard.liveness"))
                    {
                        throw new IllegalArgumentException("unknown pipeline property: " + key + "=" + value);
                    }
                }
            }
        }
        return this;
    }

    /**
     * Validate the settings and derive the rest. Called by {@link Pipeline#launch(PipelineContext)}; idempotent.
     *
     * @return this for a fluent API.
     * @throws IllegalArgumentException naming the setting and its value when a setting is invalid.
     */
    public PipelineContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        requirePowerOfTwo(Configuration.LANE_RING_SIZE_PROP_NAME, laneRingSize);
        requirePowerOfTwo(Configuration.LANE_EXCLUSIVE_RING_SIZE_PROP_NAME, exclusiveRingSize);
        if (laneBatchSize < 1)
        {
            throw new IllegalArgumentException(
                Configuration.LANE_BATCH_SIZE_PROP_NAME + " must be >= 1: " + laneBatchSize);
        }
        if (slotLength < 64 || slotLength % 64 != 0)
        {
            throw new IllegalArgumentException(
                Configuration.SLOT_LENGTH_PROP_NAME + " must be a multiple of 64 >= 64: " + slotLength);
        }
        if (maxPayloadLength < 0 || maxPayloadLength > EnvelopeDescriptor.MAX_PAYLOAD_LENGTH_LIMIT)
        {
            throw new IllegalArgumentException(Configuration.MAX_PAYLOAD_LENGTH_PROP_NAME +
                " must be in [0, " + EnvelopeDescriptor.MAX_PAYLOAD_LENGTH_LIMIT + "]: " + maxPayloadLength);
        }
        if (laneResumeFreeSlots < 0 || laneResumeFreeSlots > laneRingSize)
        {
            throw new IllegalArgumentException(Configuration.LANE_RESUME_FREE_SLOTS_PROP_NAME +
                " must be in [0, ring size]: " + laneResumeFreeSlots);
        }
        if (0 == laneResumeFreeSlots)
        {
            laneResumeFreeSlots = laneRingSize / 2;
        }
        requirePositive(Configuration.SPILL_POOL_CLASS_BYTES_PROP_NAME, spillPoolClassBytes);
        requirePositive(Configuration.LATENCY_INTERVAL_MS_PROP_NAME, latencyIntervalMs);
        requirePositive(Configuration.SLOW_HANDLER_THRESHOLD_NS_PROP_NAME, slowHandlerThresholdNs);
        requirePositive(Configuration.HEARTBEAT_INTERVAL_MS_PROP_NAME, heartbeatIntervalMs);
        if (livenessTimeoutMs < 2 * heartbeatIntervalMs)
        {
            throw new IllegalArgumentException(Configuration.LIVENESS_TIMEOUT_MS_PROP_NAME +
                " must be at least twice " + Configuration.HEARTBEAT_INTERVAL_MS_PROP_NAME + ": " + livenessTimeoutMs);
        }
        if (null == laneLayout)
        {
            laneLayout = LaneLayout.parse(lanes);
        }
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(errorHandler, "errorHandler");
        concluded = true;
        return this;
    }

    /**
     * Lane layout in {@link LaneLayout} text syntax.
     *
     * @param lanes such as {@code TimeseriesScan@2;*}.
     * @return this for a fluent API.
     */
    public PipelineContext lanes(final String lanes)
    {
        this.lanes = lanes;
        this.laneLayout = LaneLayout.parse(lanes);
        return this;
    }

    /**
     * Lane layout as an object.
     *
     * @param laneLayout the layout.
     * @return this for a fluent API.
     */
    public PipelineContext laneLayout(final LaneLayout laneLayout)
    {
        this.laneLayout = laneLayout;
        this.lanes = laneLayout.describe();
        return this;
    }

    /**
     * The lane layout, parsed.
     *
     * @return the layout.
     */
    public LaneLayout laneLayout()
    {
        return null != laneLayout ? laneLayout : LaneLayout.parse(lanes);
    }

    /**
     * Slots in each lane's ring.
     *
     * @param laneRingSize a power of two.
     * @return this for a fluent API.
     */
    public PipelineContext laneRingSize(final int laneRingSize)
    {
        this.laneRingSize = laneRingSize;
        return this;
    }

    /**
     * Slots in each lane's ring.
     *
     * @return the ring size.
     */
    public int laneRingSize()
    {
        return laneRingSize;
    }

    /**
     * Slots in each {@link ExclusivePublisher}'s own ring into each lane. Its memory is this times the slot length,
     * per lane, per exclusive publisher.
     *
     * @param exclusiveRingSize a power of two, at least 2.
     * @return this for a fluent API.
     */
    public PipelineContext exclusiveRingSize(final int exclusiveRingSize)
    {
        this.exclusiveRingSize = exclusiveRingSize;
        return this;
    }

    /**
     * Slots in each exclusive publisher's ring into each lane.
     *
     * @return the ring size.
     */
    public int exclusiveRingSize()
    {
        return exclusiveRingSize;
    }

    /**
     * Most envelopes a lane takes from one ring before its per-batch work (counters, room signal) and its other
     * rings.
     *
     * @param laneBatchSize at least 1.
     * @return this for a fluent API.
     */
    public PipelineContext laneBatchSize(final int laneBatchSize)
    {
        this.laneBatchSize = laneBatchSize;
        return this;
    }

    /**
     * Most envelopes a lane takes from one ring at a time.
     *
     * @return the batch size.
     */
    public int laneBatchSize()
    {
        return laneBatchSize;
    }

    /**
     * Bytes of arena per slot; envelopes up to this length are held inline, longer payloads spill to the pool.
     *
     * @param slotLength a multiple of 64, at least 64.
     * @return this for a fluent API.
     */
    public PipelineContext slotLength(final int slotLength)
    {
        this.slotLength = slotLength;
        return this;
    }

    /**
     * Bytes of arena per slot.
     *
     * @return the slot length.
     */
    public int slotLength()
    {
        return slotLength;
    }

    /**
     * Largest payload accepted.
     *
     * @param maxPayloadLength in bytes, at most 64 MiB.
     * @return this for a fluent API.
     */
    public PipelineContext maxPayloadLength(final int maxPayloadLength)
    {
        this.maxPayloadLength = maxPayloadLength;
        return this;
    }

    /**
     * Largest payload accepted.
     *
     * @return bytes.
     */
    public int maxPayloadLength()
    {
        return maxPayloadLength;
    }

    /**
     * Wait strategy of lanes that do not name their own in the layout.
     *
     * @param waitStrategy the kind.
     * @return this for a fluent API.
     */
    public PipelineContext waitStrategy(final WaitStrategyKind waitStrategy)
    {
        this.waitStrategy = waitStrategy;
        return this;
    }

    /**
     * Default wait strategy of lanes.
     *
     * @return the kind.
     */
    public WaitStrategyKind waitStrategy()
    {
        return waitStrategy;
    }

    /**
     * Free slots a back-pressured lane must have before it tells publishers there is room: the low-water mark.
     *
     * @param laneResumeFreeSlots in [1, ring size], or 0 for half the ring.
     * @return this for a fluent API.
     */
    public PipelineContext laneResumeFreeSlots(final int laneResumeFreeSlots)
    {
        this.laneResumeFreeSlots = laneResumeFreeSlots;
        return this;
    }

    /**
     * Free slots at which a back-pressured lane signals room.
     *
     * @return slots.
     */
    public int laneResumeFreeSlots()
    {
        return laneResumeFreeSlots;
    }

    /**
     * Upper bound of pooled spill memory per size class.
     *
     * @param spillPoolClassBytes bytes.
     * @return this for a fluent API.
     */
    public PipelineContext spillPoolClassBytes(final int spillPoolClassBytes)
    {
        this.spillPoolClassBytes = spillPoolClassBytes;
        return this;
    }

    /**
     * Upper bound of pooled spill memory per size class.
     *
     * @return bytes.
     */
    public int spillPoolClassBytes()
    {
        return spillPoolClassBytes;
    }

    /**
     * Whether lanes record per-target queue wait and service time, and detect slow handler calls.
     *
     * @param latencyRecording false to switch recording (and its clock reads) off.
     * @return this for a fluent API.
     */
    public PipelineContext latencyRecording(final boolean latencyRecording)
    {
        this.latencyRecording = latencyRecording;
        return this;
    }

    /**
     * Whether lanes record latency.
     *
     * @return true when recording.
     */
    public boolean latencyRecording()
    {
        return latencyRecording;
    }

    /**
     * Interval of the latency snapshots published in the counters file.
     *
     * @param latencyIntervalMs milliseconds, > 0.
     * @return this for a fluent API.
     */
    public PipelineContext latencyIntervalMs(final int latencyIntervalMs)
    {
        this.latencyIntervalMs = latencyIntervalMs;
        return this;
    }

    /**
     * Interval of the latency snapshots.
     *
     * @return milliseconds.
     */
    public int latencyIntervalMs()
    {
        return latencyIntervalMs;
    }

    /**
     * Handler calls longer than this are counted as slow per target and emitted as JFR events.
     *
     * @param slowHandlerThresholdNs nanoseconds, > 0.
     * @return this for a fluent API.
     */
    public PipelineContext slowHandlerThresholdNs(final long slowHandlerThresholdNs)
    {
        this.slowHandlerThresholdNs = slowHandlerThresholdNs;
        return this;
    }

    /**
     * The slow-handler threshold.
     *
     * @return nanoseconds.
     */
    public long slowHandlerThresholdNs()
    {
        return slowHandlerThresholdNs;
    }

    /**
     * How often the status thread refreshes the counters file's heartbeat.
     *
     * @param heartbeatIntervalMs milliseconds, > 0.
     * @return this for a fluent API.
     */
    public PipelineContext heartbeatIntervalMs(final int heartbeatIntervalMs)
    {
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        return this;
    }

    /**
     * The heartbeat interval.
     *
     * @return milliseconds.
     */
    public int heartbeatIntervalMs()
    {
        return heartbeatIntervalMs;
    }

    /**
     * Age of the heartbeat after which the node counts as stale to readers and to a node starting on its directory.
     *
     * @param livenessTimeoutMs milliseconds, at least twice the heartbeat interval.
     * @return this for a fluent API.
     */
    public PipelineContext livenessTimeoutMs(final int livenessTimeoutMs)
    {
        this.livenessTimeoutMs = livenessTimeoutMs;
        return this;
    }

    /**
     * The liveness timeout.
     *
     * @return milliseconds.
     */
    public int livenessTimeoutMs()
    {
        return livenessTimeoutMs;
    }

    /**
     * Directory of the counters file, created when missing.
     *
     * @param dir the directory.
     * @return this for a fluent API.
     */
    public PipelineContext dir(final File dir)
    {
        this.dir = dir;
        return this;
    }

    /**
     * Directory of the counters file.
     *
     * @return the directory.
     */
    public File dir()
    {
        return dir;
    }

    /**
     * Name used for lane threads and log lines.
     *
     * @param name such as the node's name.
     * @return this for a fluent API.
     */
    public PipelineContext name(final String name)
    {
        this.name = name;
        return this;
    }

    /**
     * Name used for lane threads and log lines.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * Where errors caught at a thread's loop boundary go (handler exceptions among them).
     *
     * @param errorHandler called on the thread that caught the error.
     * @return this for a fluent API.
     */
    public PipelineContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    /**
     * Where errors caught at a thread's loop boundary go.
     *
     * @return the handler.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * Register the handler for a target, replacing any before it. A target with no handler answers NO_HANDLER.
     *
     * @param target  the engine.
     * @param handler called on the target's lane thread.
     * @return this for a fluent API.
     */
    public PipelineContext handler(final DispatchTarget target, final EnvelopeHandler handler)
    {
        handlers[target.ordinal()] = Objects.requireNonNull(handler, "handler");
        return this;
    }

    /**
     * The handler registered for a target.
     *
     * @param target the engine.
     * @return the handler, or {@code null}.
     */
    public EnvelopeHandler handler(final DispatchTarget target)
    {
        return handlers[target.ordinal()];
    }

    private static void requirePositive(final String name, final long value)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be > 0: " + value);
        }
    }

    private static void requirePowerOfTwo(final String name, final int value)
    {
        if (!BitUtil.isPowerOfTwo(value) || value < 2)
        {
            throw new IllegalArgumentException(name + " must be a power of two >= 2: " + value);
        }
    }

    private static int parseInt(final String key, final String value)
    {
        final long parsed = parseLong(key, value);
        if (parsed < Integer.MIN_VALUE || parsed > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("not an integer: " + key + "=" + value);
        }
        return (int)parsed;
    }

    private static long parseLong(final String key, final String value)
    {
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not an integer: " + key + "=" + value, ex);
        }
    }
}
