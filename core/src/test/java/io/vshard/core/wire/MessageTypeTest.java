package io.vshard.core.wire;

import io.vshard.core.dispatch.DispatchTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The message type table against {@code WIRE.md} section 1: the expected rows below are copied from the document,
 * not derived from the enum, so a changed code, name or target fails here.
 */
class MessageTypeTest
{
    /** {@code WIRE.md}, "Message types and dispatch targets": code, type, target. */
    private static final String[][] WIRE_MD_TABLE = {
        { "1", "SegmentChunk", "Migration" },
        { "2", "SegmentComplete", "Migration" },
        { "3", "WalTail", "Migration" },
        { "4", "RoutingUpdate", "Migration" },
        { "5", "RoutingAck", "Migration" },
        { "10", "GhostCreate", "Ghost" },
        { "11", "GhostDelete", "Ghost" },
        { "12", "GhostVerifyRequest", "Ghost" },
        { "13", "GhostVerifyResponse", "Ghost" },
        { "20", "MigrationBaseCopy", "Migration" },
        { "22", "GsiForward", "Forward" },
        { "23", "EdgeValidation", "GraphValidation" },
        { "30", "GraphAlgoSuperstep", "GraphBsp" },
        { "31", "GraphAlgoContributions", "GraphBsp" },
        { "32", "GraphAlgoSuperstepAck", "GraphBsp" },
        { "33", "GraphAlgoComplete", "GraphBsp" },
        { "40", "TsScatterRequest", "TimeseriesScan" },
        { "41", "TsScatterResponse", "TimeseriesCoordinator" },
        { "42", "TsRetentionCommand", "TimeseriesRetention" },
        { "43", "TsRetentionAck", "TimeseriesCoordinator" },
        { "44", "TsArchiveCommand", "TimeseriesArchive" },
        { "45", "TsArchiveAck", "TimeseriesCoordinator" },
        { "50", "VectorScatterRequest", "VectorSearch" },
        { "51", "VectorScatterResponse", "VectorCoordinator" },
        { "52", "VectorCoarseRouteRequest", "VectorCoarseRoute" },
        { "53", "VectorCoarseRouteResponse", "VectorCoordinator" },
        { "54", "VectorBuildExchangeRequest", "VectorBuildExchange" },
        { "55", "VectorBuildExchangeResponse", "VectorBuildExchange" },
        { "56", "VectorMemRegionRequest", "VectorMemRegion" },
        { "57", "VectorMemRegionResponse", "VectorMemRegion" },
        { "60", "SpatialScatterRequest", "SpatialSearch" },
        { "61", "SpatialScatterResponse", "SpatialCoordinator" },
        { "70", "CrossShardEvent", "EventPlane" },
        { "71", "CrossShardEventAck", "EventPlane" },
        { "72", "NotifyBroadcast", "EventPlane" },
        { "73", "NotifyBroadcastAck", "EventPlane" },
        { "80", "ArrayShardSliceReq", "ArrayShard" },
        { "81", "ArrayShardSliceResp", "ArrayCoordinator" },
        { "82", "ArrayShardAggReq", "ArrayShard" },
        { "83", "ArrayShardAggResp", "ArrayCoordinator" },
        { "84", "ArrayShardPutReq", "ArrayShard" },
        { "85", "ArrayShardPutResp", "ArrayCoordinator" },
        { "86", "ArrayShardDeleteReq", "ArrayShard" },
        { "87", "ArrayShardDeleteResp", "ArrayCoordinator" },
        { "88", "ArrayShardSurrogateBitmapReq", "ArrayShard" },
        { "89", "ArrayShardSurrogateBitmapResp", "ArrayCoordinator" },
    };

    /** {@code WIRE.md}: "There are 46 types and 19 targets (...)". */
    private static final List<String> WIRE_MD_TARGETS = List.of(
        "GraphBsp", "GraphValidation", "TimeseriesScan", "TimeseriesCoordinator", "TimeseriesRetention",
        "TimeseriesArchive", "VectorSearch", "VectorCoordinator", "VectorCoarseRoute", "VectorBuildExchange",
        "VectorMemRegion", "Migration", "Ghost", "Forward", "SpatialSearch", "SpatialCoordinator", "EventPlane",
        "ArrayShard", "ArrayCoordinator");

    @ParameterizedTest(name = "{0}")
    @EnumSource(MessageType.class)
    void shouldHaveDispatchTarget(final MessageType type)
    {
        assertThat(type.target()).as("%s has no dispatch target", type).isNotNull();
        assertThat(DispatchTarget.get(type.target().ordinal())).isSameAs(type.target());
    }

    @Test
    void shouldMatchCodeTableOfWireMd()
    {
        final List<String> expected = new ArrayList<>();
        for (final String[] row : WIRE_MD_TABLE)
        {
            expected.add(row[0] + " " + row[1] + " " + row[2]);
        }
        final List<String> actual = new ArrayList<>();
        for (final MessageType type : MessageType.values())
        {
            actual.add(type.code() + " " + type.name() + " " + type.target().name());
        }

        assertThat(WIRE_MD_TABLE.length).isEqualTo(46);
        assertThat(MessageType.COUNT).isEqualTo(46);
        assertThat(actual).containsExactlyElementsOf(expected);

        for (final String[] row : WIRE_MD_TABLE)
        {
            final int code = Integer.parseInt(row[0]);
            final MessageType type = MessageType.get(code);
            assertThat(type).as("get(%d)", code).isNotNull();
            assertThat(type.name()).as("get(%d)", code).isEqualTo(row[1]);
            assertThat(type.code()).as("get(%d)", code).isEqualTo(code);
            assertThat(type.target().name()).as("get(%d)", code).isEqualTo(row[2]);
            assertThat(MessageType.byName(row[1])).isSameAs(type);
        }
        assertThat(MessageType.CODE_LIMIT).isEqualTo(90);
    }

    @Test
    void shouldAnswerNullForEveryU16CodeOutsideTheTable()
    {
        final Set<Integer> tableCodes = Arrays.stream(WIRE_MD_TABLE)
            .map((row) -> Integer.valueOf(row[0]))
            .collect(Collectors.toSet());
        int known = 0;
        for (int code = 0; code <= 0xFFFF; code++)
        {
            final MessageType type = MessageType.get(code);
            if (tableCodes.contains(code))
            {
                assertThat(type).as("get(%d)", code).isNotNull();
                known++;
            }
            else
            {
                assertThat(type).as("get(%d)", code).isNull();
            }
        }
        assertThat(known).isEqualTo(46);
    }

    @ParameterizedTest(name = "get({0})")
    @ValueSource(ints = { 21, 24, -1, 0, 90, 65535, 65536, Integer.MAX_VALUE, Integer.MIN_VALUE })
    void shouldAnswerNullForRetiredAndOutOfRangeCodes(final int code)
    {
        assertThat(MessageType.get(code)).isNull();
    }

    @Test
    void shouldHaveTheNineteenTargetsOfWireMdAllInUse()
    {
        assertThat(DispatchTarget.COUNT).isEqualTo(19);
        assertThat(Arrays.stream(DispatchTarget.values()).map(Enum::name))
            .containsExactlyInAnyOrderElementsOf(WIRE_MD_TARGETS);

        final Set<DispatchTarget> used = EnumSet.noneOf(DispatchTarget.class);
        for (final MessageType type : MessageType.values())
        {
            used.add(type.target());
        }
        assertThat(used).as("targets with at least one message type").isEqualTo(EnumSet.allOf(DispatchTarget.class));

        for (int ordinal = 0; ordinal < DispatchTarget.COUNT; ordinal++)
        {
            assertThat(DispatchTarget.get(ordinal).ordinal()).isEqualTo(ordinal);
        }
    }

    @Test
    void shouldLookUpByNameIgnoringCaseAndSurroundingSpace()
    {
        assertThat(MessageType.byName("tsscatterrequest")).isSameAs(MessageType.TsScatterRequest);
        assertThat(MessageType.byName(" ArrayShardPutResp\t")).isSameAs(MessageType.ArrayShardPutResp);
        assertThat(MessageType.byName("ROUTINGACK".toLowerCase(Locale.ROOT))).isSameAs(MessageType.RoutingAck);
        assertThat(DispatchTarget.byName("timeseriesscan")).isSameAs(DispatchTarget.TimeseriesScan);
        assertThat(DispatchTarget.byName(" EventPlane ")).isSameAs(DispatchTarget.EventPlane);

        assertThatThrownBy(() -> MessageType.byName("NoSuchType"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("name=NoSuchType");
        assertThatThrownBy(() -> DispatchTarget.byName("Nowhere"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("name=Nowhere");
    }
}
