package io.vshard.core.dispatch;

/**
 * The engine a message type is dispatched to. Each {@link MessageType} maps to exactly one target; the pipeline
 * assigns targets to lanes and registers one handler per target.
 */
public enum DispatchTarget
{
    /** Graph bulk-synchronous-parallel algorithm supersteps. */
    GraphBsp,
    /** Cross-shard edge validation. */
    GraphValidation,
    /** Timeseries scatter scans on a shard. */
    TimeseriesScan,
    /** Gathers timeseries partial results and acknowledgements. */
    TimeseriesCoordinator,
    /** Timeseries retention commands. */
    TimeseriesRetention,
    /** Timeseries archive commands. */
    TimeseriesArchive,
    /** Vector search on a shard. */
    VectorSearch,
    /** Gathers vector search results. */
    VectorCoordinator,
    /** Coarse routing of vector queries. */
    VectorCoarseRoute,
    /** Index build exchange between shards. */
    VectorBuildExchange,
    /** Remote memory region requests for vector data. */
    VectorMemRegion,
    /** Shard migration: segment chunks, WAL tail, routing updates. */
    Migration,
    /** Ghost (tombstone) records of moved data. */
    Ghost,
    /** Secondary-index forwarding. */
    Forward,
    /** Spatial search on a shard. */
    SpatialSearch,
    /** Gathers spatial search results. */
    SpatialCoordinator,
    /** Cross-shard events and notifications. */
    EventPlane,
    /** Array engine operations on a shard. */
    ArrayShard,
    /** Gathers array engine results. */
    ArrayCoordinator;

    private static final DispatchTarget[] VALUES = values();

    /**
     * Number of targets.
     */
    public static final int COUNT = VALUES.length;

    /**
     * The target with the given ordinal, without allocating the array {@code values()} returns.
     *
     * @param ordinal in {@code [0, COUNT)}.
     * @return the target.
     */
    public static DispatchTarget get(final int ordinal)
    {
        return VALUES[ordinal];
    }

    /**
     * The target with the given name, case-insensitive, for configuration parsing.
     *
     * @param name of the target, for example {@code "TimeseriesScan"}.
     * @return the target.
     * @throws IllegalArgumentException if no target has that name.
     */
    public static DispatchTarget byName(final String name)
    {
        for (final DispatchTarget target : VALUES)
        {
            if (target.name().equalsIgnoreCase(name.trim()))
            {
                return target;
            }
        }
        throw new IllegalArgumentException("unknown dispatch target: name=" + name);
    }
}
