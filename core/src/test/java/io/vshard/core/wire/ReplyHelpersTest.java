package io.vshard.core.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;

import static io.vshard.core.wire.EnvelopeDescriptor.HEADER_LENGTH;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replies swap source and target and keep the vshard id; the timeseries helpers use the right codes; the flyweight
 * writers and the value type produce the same bytes.
 */
class ReplyHelpersTest
{
    private static final long SOURCE = -1L;
    private static final long TARGET = Long.MIN_VALUE;
    private static final int VSHARD_ID = -2;
    private static final byte[] REQUEST_PAYLOAD = { 10, 20, 30, 40, 50 };
    private static final byte[] REPLY_PAYLOAD = { 'p', 'a', 'r', 't', 'i', 'a', 'l', 's' };

    @Test
    void shouldSwapSourceAndTargetAndKeepVshardIdInValueReply()
    {
        final VShardEnvelope request =
            VShardEnvelope.of(MessageType.TsScatterRequest, SOURCE, TARGET, VSHARD_ID, REQUEST_PAYLOAD);

        final VShardEnvelope reply = request.reply(MessageType.TsScatterResponse, REPLY_PAYLOAD);

        assertThat(reply.version()).isEqualTo(EnvelopeDescriptor.VERSION);
        assertThat(reply.msgType()).isSameAs(MessageType.TsScatterResponse);
        assertThat(reply.sourceNode()).isEqualTo(TARGET);
        assertThat(reply.targetNode()).isEqualTo(SOURCE);
        assertThat(reply.vshardId()).isEqualTo(VSHARD_ID);
        assertThat(reply.payload()).isEqualTo(REPLY_PAYLOAD);
        assertThat(reply.reply(MessageType.TsScatterRequest, REQUEST_PAYLOAD)).isEqualTo(request);
    }

    @Test
    void shouldWriteFlyweightReplyIdenticalToValueReply()
    {
        final VShardEnvelope request =
            VShardEnvelope.of(MessageType.VectorScatterRequest, SOURCE, TARGET, VSHARD_ID, REQUEST_PAYLOAD);
        final EnvelopeFlyweight requestView = new EnvelopeFlyweight().wrap(new UnsafeBuffer(request.encode()), 0);
        final byte[] expected = request.reply(MessageType.VectorScatterResponse, REPLY_PAYLOAD).encode();

        final byte[] out = new byte[7 + expected.length];
        final EnvelopeFlyweight reply = new EnvelopeFlyweight()
            .wrap(new UnsafeBuffer(out), 7)
            .reply(requestView, MessageType.VectorScatterResponse, payloadAt(3, REPLY_PAYLOAD), 3,
                REPLY_PAYLOAD.length);

        assertThat(reply.encodedLength()).isEqualTo(expected.length);
        assertThat(reply.sourceNode()).isEqualTo(TARGET);
        assertThat(reply.targetNode()).isEqualTo(SOURCE);
        assertThat(reply.vshardId()).isEqualTo(VSHARD_ID);
        assertThat(Arrays.copyOfRange(out, 7, out.length)).isEqualTo(expected);
        assertThat(Arrays.copyOfRange(out, 0, 7)).containsOnly(0);
    }

    @Test
    void shouldWriteReplyOverTheRequestsOwnBytes()
    {
        final VShardEnvelope request =
            VShardEnvelope.of(MessageType.ArrayShardPutReq, SOURCE, TARGET, VSHARD_ID, REQUEST_PAYLOAD);
        final byte[] expected = request.reply(MessageType.ArrayShardPutResp, REPLY_PAYLOAD).encode();
        final byte[] bytes = Arrays.copyOf(request.encode(), expected.length);
        final EnvelopeFlyweight envelope = new EnvelopeFlyweight().wrap(new UnsafeBuffer(bytes), 0);

        envelope.reply(envelope, MessageType.ArrayShardPutResp, new UnsafeBuffer(REPLY_PAYLOAD), 0,
            REPLY_PAYLOAD.length);

        assertThat(bytes).isEqualTo(expected);
    }

    @Test
    void shouldWriteReplyHeaderIdenticalToValueReplyHeader()
    {
        final VShardEnvelope request =
            VShardEnvelope.of(MessageType.GhostVerifyRequest, 1, 0, 0, REQUEST_PAYLOAD);
        final EnvelopeFlyweight requestView = new EnvelopeFlyweight().wrap(new UnsafeBuffer(request.encode()), 0);
        final byte[] expected = request.reply(MessageType.GhostVerifyResponse, REPLY_PAYLOAD).encode();

        final byte[] out = new byte[HEADER_LENGTH];
        new EnvelopeFlyweight()
            .wrap(new UnsafeBuffer(out), 0)
            .replyHeader(requestView, MessageType.GhostVerifyResponse.code(), REPLY_PAYLOAD.length);

        assertThat(out).isEqualTo(Arrays.copyOf(expected, HEADER_LENGTH));
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = { 0x5EEDL, 2024L })
    void shouldProduceIdenticalBytesFromFlyweightAndValueHelpers(final long seed)
    {
        final Random random = new Random(seed);
        final MessageType[] types = MessageType.values();
        final EnvelopeFlyweight requestView = new EnvelopeFlyweight();
        final EnvelopeFlyweight out = new EnvelopeFlyweight();
        for (int i = 0; i < 300; i++)
        {
            final byte[] requestPayload = new byte[random.nextInt(64)];
            final byte[] replyPayload = new byte[random.nextInt(64)];
            random.nextBytes(requestPayload);
            random.nextBytes(replyPayload);
            final VShardEnvelope request = VShardEnvelope.of(types[random.nextInt(types.length)],
                random.nextLong(), random.nextLong(), random.nextInt(), requestPayload);
            final MessageType replyType = types[random.nextInt(types.length)];
            final String context = "seed=" + seed + " case=" + i + " " + request + " reply " + replyType;
            requestView.wrap(new UnsafeBuffer(request.encode()), 0);
            final UnsafeBuffer replyPayloadBuffer = new UnsafeBuffer(replyPayload);

            final byte[] reply = new byte[HEADER_LENGTH + replyPayload.length];
            out.wrap(new UnsafeBuffer(reply), 0).reply(requestView, replyType, replyPayloadBuffer, 0,
                replyPayload.length);
            assertThat(reply).as(context).isEqualTo(request.reply(replyType, replyPayload).encode());

        }
    }

    private static UnsafeBuffer payloadAt(final int offset, final byte[] payload)
    {
        final byte[] bytes = new byte[offset + payload.length + 3];
        Arrays.fill(bytes, (byte)0x7F);
        System.arraycopy(payload, 0, bytes, offset, payload.length);
        return new UnsafeBuffer(bytes);
    }
}
