package io.vshard.core.wire;

import io.vshard.core.dispatch.DispatchTarget;

/**
 * The 46 envelope message types of NodeDB cluster wire v2 with their wire codes and dispatch targets.
 * <p>
 * Look-up by wire code goes through an array indexed by code: {@link #get(int)} allocates nothing and never throws,
 * answering {@code null} for a code with no type (retired codes 21 and 24 among them).
 */
public enum MessageType
{
    /** Wire code 1, dispatched to {@link DispatchTarget#Migration}. */
    SegmentChunk(1, DispatchTarget.Migration),
    /** Wire code 2, dispatched to {@link DispatchTarget#Migration}. */
    SegmentComplete(2, DispatchTarget.Migration),
    /** Wire code 3, dispatched to {@link DispatchTarget#Migration}. */
    WalTail(3, DispatchTarget.Migration),
    /** Wire code 4, dispatched to {@link DispatchTarget#Migration}. */
    RoutingUpdate(4, DispatchTarget.Migration),
    /** Wire code 5, dispatched to {@link DispatchTarget#Migration}. */
    RoutingAck(5, DispatchTarget.Migration),
    /** Wire code 10, dispatched to {@link DispatchTarget#Ghost}. */
    GhostCreate(10, DispatchTarget.Ghost),
    /** Wire code 11, dispatched to {@link DispatchTarget#Ghost}. */
    GhostDelete(11, DispatchTarget.Ghost),
    /** Wire code 12, dispatched to {@link DispatchTarget#Ghost}. */
    GhostVerifyRequest(12, DispatchTarget.Ghost),
    /** Wire code 13, dispatched to {@link DispatchTarget#Ghost}. */
    GhostVerifyResponse(13, DispatchTarget.Ghost),
    /** Wire code 20, dispatched to {@link DispatchTarget#Migration}. */
    MigrationBaseCopy(20, DispatchTarget.Migration),
    /** Wire code 22, dispatched to {@link DispatchTarget#Forward}. */
    GsiForward(22, DispatchTarget.Forward),
    /** Wire code 23, dispatched to {@link DispatchTarget#GraphValidation}. */
    EdgeValidation(23, DispatchTarget.GraphValidation),
    /** Wire code 30, dispatched to {@link DispatchTarget#GraphBsp}. */
    GraphAlgoSuperstep(30, DispatchTarget.GraphBsp),
    /** Wire code 31, dispatched to {@link DispatchTarget#GraphBsp}. */
    GraphAlgoContributions(31, DispatchTarget.GraphBsp),
    /** Wire code 32, dispatched to {@link DispatchTarget#GraphBsp}. */
    GraphAlgoSuperstepAck(32, DispatchTarget.GraphBsp),
    /** Wire code 33, dispatched to {@link DispatchTarget#GraphBsp}. */
    GraphAlgoComplete(33, DispatchTarget.GraphBsp),
    /** Wire code 40, dispatched to {@link DispatchTarget#TimeseriesScan}. */
    TsScatterRequest(40, DispatchTarget.TimeseriesScan),
    /** Wire code 41, dispatched to {@link DispatchTarget#TimeseriesCoordinator}. */
    TsScatterResponse(41, DispatchTarget.TimeseriesCoordinator),
    /** Wire code 42, dispatched to {@link DispatchTarget#TimeseriesRetention}. */
    TsRetentionCommand(42, DispatchTarget.TimeseriesRetention),
    /** Wire code 43, dispatched to {@link DispatchTarget#TimeseriesCoordinator}. */
    TsRetentionAck(43, DispatchTarget.TimeseriesCoordinator),
    /** Wire code 44, dispatched to {@link DispatchTarget#TimeseriesArchive}. */
    TsArchiveCommand(44, DispatchTarget.TimeseriesArchive),
    /** Wire code 45, dispatched to {@link DispatchTarget#TimeseriesCoordinator}. */
    TsArchiveAck(45, DispatchTarget.TimeseriesCoordinator),
    /** Wire code 50, dispatched to {@link DispatchTarget#VectorSearch}. */
    VectorScatterRequest(50, DispatchTarget.VectorSearch),
    /** Wire code 51, dispatched to {@link DispatchTarget#VectorCoordinator}. */
    VectorScatterResponse(51, DispatchTarget.VectorCoordinator),
    /** Wire code 52, dispatched to {@link DispatchTarget#VectorCoarseRoute}. */
    VectorCoarseRouteRequest(52, DispatchTarget.VectorCoarseRoute),
    /** Wire code 53, dispatched to {@link DispatchTarget#VectorCoordinator}. */
    VectorCoarseRouteResponse(53, DispatchTarget.VectorCoordinator),
    /** Wire code 54, dispatched to {@link DispatchTarget#VectorBuildExchange}. */
    VectorBuildExchangeRequest(54, DispatchTarget.VectorBuildExchange),
    /** Wire code 55, dispatched to {@link DispatchTarget#VectorBuildExchange}. */
    VectorBuildExchangeResponse(55, DispatchTarget.VectorBuildExchange),
    /** Wire code 56, dispatched to {@link DispatchTarget#VectorMemRegion}. */
    VectorMemRegionRequest(56, DispatchTarget.VectorMemRegion),
    /** Wire code 57, dispatched to {@link DispatchTarget#VectorMemRegion}. */
    VectorMemRegionResponse(57, DispatchTarget.VectorMemRegion),
    /** Wire code 60, dispatched to {@link DispatchTarget#SpatialSearch}. */
    SpatialScatterRequest(60, DispatchTarget.SpatialSearch),
    /** Wire code 61, dispatched to {@link DispatchTarget#SpatialCoordinator}. */
    SpatialScatterResponse(61, DispatchTarget.SpatialCoordinator),
    /** Wire code 70, dispatched to {@link DispatchTarget#EventPlane}. */
    CrossShardEvent(70, DispatchTarget.EventPlane),
    /** Wire code 71, dispatched to {@link DispatchTarget#EventPlane}. */
    CrossShardEventAck(71, DispatchTarget.EventPlane),
    /** Wire code 72, dispatched to {@link DispatchTarget#EventPlane}. */
    NotifyBroadcast(72, DispatchTarget.EventPlane),
    /** Wire code 73, dispatched to {@link DispatchTarget#EventPlane}. */
    NotifyBroadcastAck(73, DispatchTarget.EventPlane),
    /** Wire code 80, dispatched to {@link DispatchTarget#ArrayShard}. */
    ArrayShardSliceReq(80, DispatchTarget.ArrayShard),
    /** Wire code 81, dispatched to {@link DispatchTarget#ArrayCoordinator}. */
    ArrayShardSliceResp(81, DispatchTarget.ArrayCoordinator),
    /** Wire code 82, dispatched to {@link DispatchTarget#ArrayShard}. */
    ArrayShardAggReq(82, DispatchTarget.ArrayShard),
    /** Wire code 83, dispatched to {@link DispatchTarget#ArrayCoordinator}. */
    ArrayShardAggResp(83, DispatchTarget.ArrayCoordinator),
    /** Wire code 84, dispatched to {@link DispatchTarget#ArrayShard}. */
    ArrayShardPutReq(84, DispatchTarget.ArrayShard),
    /** Wire code 85, dispatched to {@link DispatchTarget#ArrayCoordinator}. */
    ArrayShardPutResp(85, DispatchTarget.ArrayCoordinator),
    /** Wire code 86, dispatched to {@link DispatchTarget#ArrayShard}. */
    ArrayShardDeleteReq(86, DispatchTarget.ArrayShard),
    /** Wire code 87, dispatched to {@link DispatchTarget#ArrayCoordinator}. */
    ArrayShardDeleteResp(87, DispatchTarget.ArrayCoordinator),
    /** Wire code 88, dispatched to {@link DispatchTarget#ArrayShard}. */
    ArrayShardSurrogateBitmapReq(88, DispatchTarget.ArrayShard),
    /** Wire code 89, dispatched to {@link DispatchTarget#ArrayCoordinator}. */
    ArrayShardSurrogateBitmapResp(89, DispatchTarget.ArrayCoordinator);

    /**
     * Number of message types.
     */
    public static final int COUNT = values().length;

    /**
     * One more than the highest wire code in use: the length of a table indexed by wire code.
     */
    public static final int CODE_LIMIT;

    private static final MessageType[] BY_CODE;

    static
    {
        int max = 0;
        for (final MessageType type : values())
        {
            max = Math.max(max, type.code);
        }
        CODE_LIMIT = max + 1;
        BY_CODE = new MessageType[CODE_LIMIT];
        for (final MessageType type : values())
        {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;
    private final DispatchTarget target;

    MessageType(final int code, final DispatchTarget target)
    {
        this.code = code;
        this.target = target;
    }

    /**
     * The u16 code of this type on the wire.
     *
     * @return the wire code.
     */
    public int code()
    {
        return code;
    }

    /**
     * The engine this type is dispatched to.
     *
     * @return the dispatch target.
     */
    public DispatchTarget target()
    {
        return target;
    }

    /**
     * The type for a wire code. Allocates nothing, never throws.
     *
     * @param code the u16 msg_type from an envelope (any int is accepted).
     * @return the type, or {@code null} when the code has no type.
     */
    public static MessageType get(final int code)
    {
        return code >= 0 && code < CODE_LIMIT ? BY_CODE[code] : null;
    }

    /**
     * The type with the given name, case-insensitive, for command lines and configuration.
     *
     * @param name of the type, for example {@code "TsScatterRequest"}.
     * @return the type.
     * @throws IllegalArgumentException if no type has that name.
     */
    public static MessageType byName(final String name)
    {
        for (final MessageType type : values())
        {
            if (type.name().equalsIgnoreCase(name.trim()))
            {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown message type: name=" + name);
    }
}
