package io.vshard.core.wire;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The value type: equality by value with the payload's content, a consistent hash code, a validating constructor.
 */
class VShardEnvelopeTest
{
    private static final VShardEnvelope BASE =
        VShardEnvelope.of(MessageType.TsScatterRequest, 5, 6, 999, new byte[]{ 1, 2, 3 });

    @Test
    void shouldBeEqualByValueIncludingPayloadContent()
    {
        final VShardEnvelope copy =
            new VShardEnvelope(2, MessageType.TsScatterRequest, 5, 6, 999, new byte[]{ 1, 2, 3 });

        assertThat(copy.payload()).isNotSameAs(BASE.payload());
        assertThat(copy).isEqualTo(BASE);
        assertThat(BASE).isEqualTo(copy);
        assertThat(copy.hashCode()).isEqualTo(BASE.hashCode());
        assertThat(VShardEnvelope.decode(BASE.encode())).isEqualTo(BASE).hasSameHashCodeAs(BASE);
    }

    @Test
    void shouldDifferWhenAnyFieldDiffers()
    {
        final List<VShardEnvelope> others = List.of(
            VShardEnvelope.of(MessageType.TsScatterResponse, 5, 6, 999, new byte[]{ 1, 2, 3 }),
            VShardEnvelope.of(MessageType.TsScatterRequest, 6, 6, 999, new byte[]{ 1, 2, 3 }),
            VShardEnvelope.of(MessageType.TsScatterRequest, 5, 5, 999, new byte[]{ 1, 2, 3 }),
            VShardEnvelope.of(MessageType.TsScatterRequest, 6, 5, 999, new byte[]{ 1, 2, 3 }),
            VShardEnvelope.of(MessageType.TsScatterRequest, 5, 6, 998, new byte[]{ 1, 2, 3 }),
            VShardEnvelope.of(MessageType.TsScatterRequest, 5, 6, 999, new byte[]{ 1, 2, 4 }),
            VShardEnvelope.of(MessageType.TsScatterRequest, 5, 6, 999, new byte[]{ 1, 2 }),
            VShardEnvelope.of(MessageType.TsScatterRequest, 5, 6, 999, new byte[]{ 1, 2, 3, 0 }),
            VShardEnvelope.of(MessageType.TsScatterRequest, 5, 6, 999, new byte[0]));

        for (final VShardEnvelope other : others)
        {
            assertThat(other).as("%s vs %s", other, BASE).isNotEqualTo(BASE);
            assertThat(BASE).as("%s vs %s", BASE, other).isNotEqualTo(other);
        }
        assertThat(BASE).isNotEqualTo(null);
        assertThat(BASE).isNotEqualTo(BASE.encode());
    }

    @Test
    void shouldKeepHashCodeConsistentWithEqualsForUnsignedEdges()
    {
        final long[] nodeIds = { 0, Long.MIN_VALUE, -1 };
        final int[] vshardIds = { 0, Integer.MIN_VALUE, -1 };
        for (final long node : nodeIds)
        {
            for (final int vshard : vshardIds)
            {
                final VShardEnvelope a = VShardEnvelope.of(MessageType.GhostCreate, node, ~node, vshard, new byte[64]);
                final VShardEnvelope b = VShardEnvelope.of(MessageType.GhostCreate, node, ~node, vshard, new byte[64]);
                assertThat(a).isEqualTo(b);
                assertThat(a.hashCode()).isEqualTo(b.hashCode()).isEqualTo(a.hashCode());
            }
        }
    }

    @Test
    void shouldCreateCurrentVersionAndPrintIdsUnsigned()
    {
        final VShardEnvelope envelope = VShardEnvelope.of(MessageType.RoutingAck, -1, Long.MIN_VALUE, -1, new byte[7]);

        assertThat(envelope.version()).isEqualTo(EnvelopeDescriptor.VERSION);
        assertThat(envelope.encodedLength()).isEqualTo(EnvelopeDescriptor.HEADER_LENGTH + 7);
        assertThat(envelope.toString())
            .contains("sourceNode=18446744073709551615")
            .contains("targetNode=9223372036854775808")
            .contains("vshardId=4294967295")
            .contains("payloadLength=7");
    }

    @ParameterizedTest(name = "version={0}")
    @ValueSource(ints = { 0, 1, 3, 0xFFFF, -1, Integer.MIN_VALUE })
    void shouldRejectVersionOtherThanTwo(final int version)
    {
        assertThatThrownBy(() -> new VShardEnvelope(version, MessageType.SegmentChunk, 1, 2, 3, new byte[0]))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("version=" + version);
    }

    @Test
    void shouldRejectNullType()
    {
        assertThatThrownBy(() -> new VShardEnvelope(2, null, 1, 2, 3, new byte[0]))
            .isInstanceOf(NullPointerException.class)
            .hasMessageContaining("msgType");
        assertThatThrownBy(() -> VShardEnvelope.of(null, 1, 2, 3, new byte[0]))
            .isInstanceOf(NullPointerException.class);
    }

    @Test
    void shouldRejectNullPayload()
    {
        assertThatThrownBy(() -> new VShardEnvelope(2, MessageType.SegmentChunk, 1, 2, 3, null))
            .isInstanceOf(NullPointerException.class)
            .hasMessageContaining("payload");
        assertThatThrownBy(() -> VShardEnvelope.of(MessageType.TsRetentionAck, 1, 2, 3, null))
            .isInstanceOf(NullPointerException.class);
    }
}
