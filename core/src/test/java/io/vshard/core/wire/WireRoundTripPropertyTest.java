package io.vshard.core.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;

import static io.vshard.core.wire.EnvelopeDescriptor.HEADER_LENGTH;
import static io.vshard.core.wire.EnvelopeDescriptor.MAX_PAYLOAD_LENGTH_DEFAULT;
import static io.vshard.core.wire.WireVectorsTest.errorName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Randomised round trips through every pair of encoder and decoder, with fixed seeds so a failure reproduces: each
 * assertion message carries the seed and the case number. Node ids cover the whole unsigned 64-bit range, vshard ids
 * the whole unsigned 32-bit range, payloads 0 bytes to 1 MiB (many small, a few big).
 */
class WireRoundTripPropertyTest
{
    private static final int CASES_PER_SEED = 1_500;
    private static final int BIG_CASES_PER_SEED = 3;
    private static final int MAX_BIG_PAYLOAD_LENGTH = 1024 * 1024;

    /** Unsigned 64-bit edges: 0, 1, 2^63-1, 2^63, 2^64-2, 2^64-1. */
    private static final long[] NODE_ID_EDGES = { 0L, 1L, Long.MAX_VALUE, Long.MIN_VALUE, -2L, -1L };

    /** Unsigned 32-bit edges: 0, 1, 2^31-1, 2^31, 2^32-1. */
    private static final int[] VSHARD_ID_EDGES = { 0, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, -1 };

    /** Cases at the start of each round trip that take their ids from the edges above, all combinations. */
    private static final int EDGE_CASES = NODE_ID_EDGES.length * NODE_ID_EDGES.length;

    private static final MessageType[] TYPES = MessageType.values();

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = { 0x5EEDL, 42L, 20_251_127L, -7_046_029_254_386_353_131L })
    void shouldRoundTripValueEncodeThroughFlyweightDecode(final long seed)
    {
        final Random random = new Random(seed);
        final EnvelopeFlyweight envelope = new EnvelopeFlyweight();
        for (int i = 0; i < CASES_PER_SEED + BIG_CASES_PER_SEED; i++)
        {
            final VShardEnvelope expected = i < EDGE_CASES ?
                edgeEnvelope(random, i) : randomEnvelope(random, i >= CASES_PER_SEED);
            final String context = "seed=" + seed + " case=" + i + " " + expected;
            final byte[] bytes = expected.encode();
            assertThat(bytes.length).as(context).isEqualTo(HEADER_LENGTH + expected.payload().length);

            final int offset = random.nextInt(64);
            final byte[] array = new byte[offset + bytes.length + random.nextInt(64)];
            random.nextBytes(array);
            System.arraycopy(bytes, 0, array, offset, bytes.length);
            final UnsafeBuffer buffer = new UnsafeBuffer(array);

            assertThat(errorName(EnvelopeFlyweight.validate(buffer, offset, bytes.length, MAX_PAYLOAD_LENGTH_DEFAULT)))
                .as(context)
                .isEqualTo("NONE");
            envelope.wrap(buffer, offset);
            assertThat(envelope.version()).as(context).isEqualTo(EnvelopeDescriptor.VERSION);
            assertThat(envelope.messageType()).as(context).isSameAs(expected.msgType());
            assertThat(envelope.msgType()).as(context).isEqualTo(expected.msgType().code());
            assertThat(envelope.sourceNode()).as(context).isEqualTo(expected.sourceNode());
            assertThat(envelope.targetNode()).as(context).isEqualTo(expected.targetNode());
            assertThat(envelope.vshardId()).as(context).isEqualTo(expected.vshardId());
            assertThat(envelope.payloadLength()).as(context).isEqualTo(expected.payload().length);
            assertThat(envelope.encodedLength()).as(context).isEqualTo(bytes.length);
            assertPayload(context, envelope, expected.payload());
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = { 0x5EEDL, 7L, 1_000_003L, Long.MIN_VALUE })
    void shouldRoundTripFlyweightEncodeThroughValueDecode(final long seed)
    {
        final Random random = new Random(seed);
        final EnvelopeFlyweight envelope = new EnvelopeFlyweight();
        for (int i = 0; i < CASES_PER_SEED + BIG_CASES_PER_SEED; i++)
        {
            final VShardEnvelope expected = i < EDGE_CASES ?
                edgeEnvelope(random, i) : randomEnvelope(random, i >= CASES_PER_SEED);
            final String context = "seed=" + seed + " case=" + i + " " + expected;
            final byte[] payload = expected.payload();

            final int payloadSourceOffset = random.nextInt(16);
            final UnsafeBuffer payloadSource = new UnsafeBuffer(new byte[payloadSourceOffset + payload.length]);
            payloadSource.putBytes(payloadSourceOffset, payload);
            final byte[] bytes = new byte[HEADER_LENGTH + payload.length];
            envelope.wrap(new UnsafeBuffer(bytes), 0)
                .header(expected.msgType().code(), expected.sourceNode(), expected.targetNode(), expected.vshardId(),
                    payload.length)
                .payload(payloadSource, payloadSourceOffset, payload.length);

            assertThat(envelope.encodedLength()).as(context).isEqualTo(bytes.length);
            final VShardEnvelope decoded = VShardEnvelope.decode(bytes, MAX_PAYLOAD_LENGTH_DEFAULT);
            assertThat(decoded).as(context).isEqualTo(expected);
            assertThat(decoded.payload()).as(context).isNotSameAs(bytes);
            assertThat(Arrays.mismatch(expected.encode(), bytes))
                .as("%s: first byte where value encode and flyweight write differ", context)
                .isEqualTo(-1);
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = { 0x5EEDL, 99L, 65_537L })
    void shouldRoundTripPipelinedFramesThroughFrameValidate(final long seed)
    {
        final Random random = new Random(seed);
        final int frameCount = 400;
        final VShardEnvelope[] envelopes = new VShardEnvelope[frameCount];
        final long[] correlationIds = new long[frameCount];
        final int[] kinds = new int[frameCount];
        int streamLength = 0;
        for (int i = 0; i < frameCount; i++)
        {
            envelopes[i] = i < EDGE_CASES ? edgeEnvelope(random, i) : randomEnvelope(random, i % 150 == 0);
            correlationIds[i] = i % 10 == 0 ? FrameDescriptor.FIRE_AND_FORGET : randomNodeId(random);
            kinds[i] = random.nextBoolean() ? FrameDescriptor.KIND_ENVELOPE : FrameDescriptor.KIND_RESPONSE;
            streamLength += FrameDescriptor.envelopeFrameLength(envelopes[i].payload().length);
        }

        final UnsafeBuffer stream = new UnsafeBuffer(new byte[streamLength]);
        final FrameFlyweight frame = new FrameFlyweight();
        final EnvelopeFlyweight envelope = new EnvelopeFlyweight();
        int offset = 0;
        for (int i = 0; i < frameCount; i++)
        {
            final VShardEnvelope value = envelopes[i];
            frame.wrap(stream, offset).header(kinds[i], correlationIds[i], value.encodedLength());
            envelope.wrap(stream, frame.bodyOffset())
                .header(value.msgType().code(), value.sourceNode(), value.targetNode(), value.vshardId(),
                    value.payload().length)
                .payload(new UnsafeBuffer(value.payload()), 0, value.payload().length);
            offset += frame.encodedLength();
        }
        assertThat(offset).as("seed=%d", seed).isEqualTo(streamLength);

        final int maxFrameLengthField = FrameDescriptor.maxFrameLengthField(MAX_PAYLOAD_LENGTH_DEFAULT);
        offset = 0;
        for (int i = 0; i < frameCount; i++)
        {
            final VShardEnvelope expected = envelopes[i];
            final String context = "seed=" + seed + " frame=" + i + " " + expected;
            assertThat(errorName(FrameFlyweight.validateHeader(stream, offset, maxFrameLengthField)))
                .as(context)
                .isEqualTo("NONE");
            frame.wrap(stream, offset);
            final int length = frame.encodedLength();
            assertThat(length).as(context).isEqualTo(FrameDescriptor.envelopeFrameLength(expected.payload().length));
            assertThat(errorName(FrameFlyweight.validate(stream, offset, length, MAX_PAYLOAD_LENGTH_DEFAULT)))
                .as(context)
                .isEqualTo("NONE");
            assertThat(frame.kind()).as(context).isEqualTo(kinds[i]);
            assertThat(frame.flags()).as(context).isZero();
            assertThat(frame.reserved()).as(context).isZero();
            assertThat(frame.correlationId()).as(context).isEqualTo(correlationIds[i]);
            assertThat(frame.bodyLength()).as(context).isEqualTo(expected.encodedLength());

            envelope.wrap(stream, frame.bodyOffset());
            assertThat(envelope.messageType()).as(context).isSameAs(expected.msgType());
            assertThat(envelope.sourceNode()).as(context).isEqualTo(expected.sourceNode());
            assertThat(envelope.targetNode()).as(context).isEqualTo(expected.targetNode());
            assertThat(envelope.vshardId()).as(context).isEqualTo(expected.vshardId());
            assertPayload(context, envelope, expected.payload());
            offset += length;
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = { 0x5EEDL, 3L, 8_675_309L })
    void shouldRejectEveryTruncationOfValidEnvelopeAsMalformed(final long seed)
    {
        final Random random = new Random(seed);
        for (int i = 0; i < 40; i++)
        {
            final VShardEnvelope valid = VShardEnvelope.of(
                randomType(random), randomNodeId(random), randomNodeId(random), randomVshardId(random),
                randomBytes(random, random.nextInt(i < 4 ? 2 : 200)));
            final byte[] bytes = valid.encode();
            for (int length = 0; length < bytes.length; length++)
            {
                final String context = "seed=" + seed + " case=" + i + " truncated to " + length + " of " +
                    bytes.length + " " + valid;
                final byte[] truncated = Arrays.copyOf(bytes, length);
                assertThat(errorName(validateEnvelopeNeverThrowing(context, truncated)))
                    .as(context)
                    .isEqualTo("MALFORMED");
                final WireException ex = catchThrowableOfType(
                    WireException.class, () -> VShardEnvelope.decode(truncated, MAX_PAYLOAD_LENGTH_DEFAULT));
                assertThat(ex).as(context).isNotNull();
                assertThat(ex.errorCode()).as(context).isEqualTo(ErrorCode.MALFORMED);
            }

            final byte[] extended = Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(8));
            final String context = "seed=" + seed + " case=" + i + " extended to " + extended.length;
            assertThat(errorName(validateEnvelopeNeverThrowing(context, extended)))
                .as(context)
                .isEqualTo("MALFORMED");
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = { 0x5EEDL, 11L, 123_456_789L })
    void shouldRejectEveryTruncationOfValidFrameAsMalformed(final long seed)
    {
        final Random random = new Random(seed);
        final FrameFlyweight frame = new FrameFlyweight();
        for (int i = 0; i < 40; i++)
        {
            final byte[] bytes = randomFrame(random, frame, i % 4);
            for (int length = 0; length < bytes.length; length++)
            {
                final String context = "seed=" + seed + " case=" + i + " kind=" + bytes[4] + " truncated to " +
                    length + " of " + bytes.length;
                assertThat(errorName(validateFrameNeverThrowing(context, Arrays.copyOf(bytes, length))))
                    .as(context)
                    .isEqualTo("MALFORMED");
            }

            final byte[] extended = Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(8));
            final String context = "seed=" + seed + " case=" + i + " kind=" + bytes[4] + " extended to " +
                extended.length;
            assertThat(errorName(validateFrameNeverThrowing(context, extended))).as(context).isEqualTo("MALFORMED");
            assertThat(errorName(validateFrameNeverThrowing(context, bytes))).as(context).isEqualTo("NONE");
        }
    }

    private static byte[] randomFrame(final Random random, final FrameFlyweight frame, final int variant)
    {
        final long correlationId = randomNodeId(random);
        switch (variant)
        {
            case 0, 1 ->
            {
                final byte[] envelope = VShardEnvelope.of(
                    randomType(random), randomNodeId(random), randomNodeId(random), randomVshardId(random),
                    randomBytes(random, random.nextInt(150))).encode();
                final byte[] bytes = new byte[FrameDescriptor.HEADER_LENGTH + envelope.length];
                frame.wrap(new UnsafeBuffer(bytes), 0)
                    .header(0 == variant ? FrameDescriptor.KIND_ENVELOPE : FrameDescriptor.KIND_RESPONSE,
                        correlationId, envelope.length)
                    .buffer().putBytes(FrameDescriptor.BODY_OFFSET, envelope);
                return bytes;
            }
            case 2 ->
            {
                final String message = "handler failed on vshard " + Integer.toUnsignedString(randomVshardId(random));
                final byte[] bytes = new byte[FrameFlyweight.errorFrameLength(message)];
                frame.wrap(new UnsafeBuffer(bytes), 0)
                    .writeError(correlationId, ErrorCode.HANDLER_FAILED.value(), message);
                return bytes;
            }
            default ->
            {
                final byte[] bytes = new byte[FrameDescriptor.HEADER_LENGTH];
                frame.wrap(new UnsafeBuffer(bytes), 0).writeAck(correlationId);
                return bytes;
            }
        }
    }

    private static int validateEnvelopeNeverThrowing(final String context, final byte[] bytes)
    {
        try
        {
            return EnvelopeFlyweight.validate(new UnsafeBuffer(bytes), 0, bytes.length, MAX_PAYLOAD_LENGTH_DEFAULT);
        }
        catch (final RuntimeException ex)
        {
            throw new AssertionError(context + ": EnvelopeFlyweight.validate threw instead of answering", ex);
        }
    }

    private static int validateFrameNeverThrowing(final String context, final byte[] bytes)
    {
        try
        {
            return FrameFlyweight.validate(new UnsafeBuffer(bytes), 0, bytes.length, MAX_PAYLOAD_LENGTH_DEFAULT);
        }
        catch (final RuntimeException ex)
        {
            throw new AssertionError(context + ": FrameFlyweight.validate threw instead of answering", ex);
        }
    }

    private static void assertPayload(final String context, final EnvelopeFlyweight envelope, final byte[] expected)
    {
        final byte[] actual = new byte[envelope.payloadLength()];
        envelope.payloadBuffer().getBytes(envelope.payloadOffset(), actual);
        assertThat(Arrays.mismatch(actual, expected)).as("%s: first differing payload byte", context).isEqualTo(-1);
    }

    /**
     * Every pair of node id edges as source and target and every vshard id edge, with small payloads from 0 bytes.
     */
    private static VShardEnvelope edgeEnvelope(final Random random, final int index)
    {
        return VShardEnvelope.of(
            TYPES[index % TYPES.length],
            NODE_ID_EDGES[index % NODE_ID_EDGES.length],
            NODE_ID_EDGES[(index / NODE_ID_EDGES.length) % NODE_ID_EDGES.length],
            VSHARD_ID_EDGES[index % VSHARD_ID_EDGES.length],
            randomBytes(random, index % 3));
    }

    private static VShardEnvelope randomEnvelope(final Random random, final boolean big)
    {
        return VShardEnvelope.of(
            randomType(random),
            randomNodeId(random),
            randomNodeId(random),
            randomVshardId(random),
            randomBytes(random, big ? bigPayloadLength(random) : smallPayloadLength(random)));
    }

    private static MessageType randomType(final Random random)
    {
        return TYPES[random.nextInt(TYPES.length)];
    }

    private static long randomNodeId(final Random random)
    {
        return random.nextInt(4) == 0 ? NODE_ID_EDGES[random.nextInt(NODE_ID_EDGES.length)] : random.nextLong();
    }

    private static int randomVshardId(final Random random)
    {
        return random.nextInt(4) == 0 ? VSHARD_ID_EDGES[random.nextInt(VSHARD_ID_EDGES.length)] : random.nextInt();
    }

    private static int smallPayloadLength(final Random random)
    {
        final int bucket = random.nextInt(100);
        if (bucket < 10)
        {
            return 0;
        }
        if (bucket < 85)
        {
            return 1 + random.nextInt(256);
        }
        return 257 + random.nextInt(16 * 1024);
    }

    private static int bigPayloadLength(final Random random)
    {
        final int minBigPayloadLength = 64 * 1024;
        return random.nextBoolean() ?
            MAX_BIG_PAYLOAD_LENGTH :
            minBigPayloadLength + random.nextInt(MAX_BIG_PAYLOAD_LENGTH - minBigPayloadLength + 1);
    }

    private static byte[] randomBytes(final Random random, final int length)
    {
        final byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
