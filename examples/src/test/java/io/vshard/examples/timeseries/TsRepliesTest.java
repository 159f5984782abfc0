package io.vshard.examples.timeseries;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.EnvelopeFlyweight;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TsRepliesTest
{
    private static final long SOURCE = 0x0102030405060708L;
    private static final long TARGET = 0x1112131415161718L;
    private static final int VSHARD_ID = 0x21222324;
    private static final byte[] REPLY_PAYLOAD = { 9, 8, 7, 6, 5 };

    @Test
    void shouldWriteScatterResponseWithItsCode()
    {
        final VShardEnvelope value = TsReplies.scatterResponse(SOURCE, TARGET, VSHARD_ID, REPLY_PAYLOAD);
        final EnvelopeFlyweight flyweight = new EnvelopeFlyweight().wrap(new UnsafeBuffer(value.encode()), 0);

        assertThat(value.msgType().code()).isEqualTo(41);
        assertThat(value.msgType().target()).isSameAs(DispatchTarget.TimeseriesCoordinator);
        assertThat(value.sourceNode()).isEqualTo(SOURCE);
        assertThat(value.targetNode()).isEqualTo(TARGET);
        assertThat(value.vshardId()).isEqualTo(VSHARD_ID);
        assertThat(flyweight.msgType()).isEqualTo(41);
        assertThat(flyweight.messageType()).isSameAs(MessageType.TsScatterResponse);
        assertThat(flyweight.payloadLength()).isEqualTo(REPLY_PAYLOAD.length);
    }

    @Test
    void shouldWriteRetentionAckWithItsCode()
    {
        final VShardEnvelope value = TsReplies.retentionAck(SOURCE, TARGET, VSHARD_ID, new byte[0]);
        final EnvelopeFlyweight flyweight = new EnvelopeFlyweight().wrap(new UnsafeBuffer(value.encode()), 0);

        assertThat(value.msgType().code()).isEqualTo(43);
        assertThat(value.msgType().target()).isSameAs(DispatchTarget.TimeseriesCoordinator);
        assertThat(value.vshardId()).isEqualTo(VSHARD_ID);
        assertThat(flyweight.messageType()).isSameAs(MessageType.TsRetentionAck);
        assertThat(flyweight.payloadLength()).isZero();
    }

    @Test
    void shouldRejectNullPayload()
    {
        assertThatThrownBy(() -> TsReplies.retentionAck(1, 2, 3, null)).isInstanceOf(NullPointerException.class);
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = { 0x5EEDL, 2024L })
    void shouldEncodeTheSameBytesAsTheFlyweightWritesInPlace(final long seed)
    {
        final Random random = new Random(seed);
        final EnvelopeFlyweight out = new EnvelopeFlyweight();
        for (int i = 0; i < 300; i++)
        {
            final byte[] payload = new byte[random.nextInt(64)];
            random.nextBytes(payload);
            final long source = random.nextLong();
            final long target = random.nextLong();
            final int vshardId = random.nextInt();
            final String context = "seed=" + seed + " case=" + i;
            final int payloadOffset = random.nextInt(8);
            final UnsafeBuffer payloadBuffer = payloadAt(payload, payloadOffset);

            final byte[] scatter = new byte[EnvelopeDescriptor.HEADER_LENGTH + payload.length];
            out.wrap(new UnsafeBuffer(scatter), 0).header(MessageType.TsScatterResponse.code(), source, target,
                vshardId, payload.length).payload(payloadBuffer, payloadOffset, payload.length);
            assertThat(scatter).as(context)
                .isEqualTo(TsReplies.scatterResponse(source, target, vshardId, payload).encode());

            final byte[] ack = new byte[EnvelopeDescriptor.HEADER_LENGTH + payload.length];
            out.wrap(new UnsafeBuffer(ack), 0).header(MessageType.TsRetentionAck.code(), source, target,
                vshardId, payload.length).payload(payloadBuffer, payloadOffset, payload.length);
            assertThat(ack).as(context).isEqualTo(TsReplies.retentionAck(source, target, vshardId, payload).encode());
        }
    }

    private static UnsafeBuffer payloadAt(final byte[] payload, final int offset)
    {
        final byte[] bytes = new byte[offset + payload.length + 3];
        Arrays.fill(bytes, (byte)0x7F);
        System.arraycopy(payload, 0, bytes, offset, payload.length);
        return new UnsafeBuffer(bytes);
    }
}
