package io.vshard.core.wire;

import io.vshard.core.wire.WireVectors.Vector;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static io.vshard.core.wire.EnvelopeDescriptor.HEADER_LENGTH;
import static io.vshard.core.wire.EnvelopeDescriptor.MAX_PAYLOAD_LENGTH_DEFAULT;
import static io.vshard.core.wire.EnvelopeDescriptor.MAX_PAYLOAD_LENGTH_LIMIT;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The shared vectors of {@code WIRE.md}, field by field and error code by error code, through both decoders (the
 * validating flyweights and the {@link VShardEnvelope} value type), and back to the same bytes through both encoders.
 */
class WireVectorsTest
{
    /** Bytes before a vector in the test buffer, so offset arithmetic is exercised, not only offset 0. */
    private static final int OFFSET = 13;

    /** Filler around a vector in the test buffer: a decoder reading outside the vector sees garbage. */
    private static final byte GUARD = (byte)0xA5;

    static List<Vector> envelopeVectors()
    {
        return WireVectors.envelopes();
    }

    static List<Vector> frameVectors()
    {
        return WireVectors.frames();
    }

    static List<Vector> validEnvelopeVectors()
    {
        return envelopeVectors().stream().filter(Vector::ok).toList();
    }

    static List<Vector> validFrameVectors()
    {
        return frameVectors().stream().filter(Vector::ok).toList();
    }

    @Test
    void shouldLoadEveryVectorFromTheClasspath()
    {
        final List<Vector> envelopes = envelopeVectors();
        final List<Vector> frames = frameVectors();

        assertThat(envelopes).hasSize(58);
        assertThat(envelopes).filteredOn(Vector::ok).hasSize(47);
        assertThat(frames).hasSize(12);
        assertThat(frames).filteredOn(Vector::ok).hasSize(5);
        assertThat(envelopes.stream().map(Vector::name)).doesNotHaveDuplicates();
        assertThat(frames.stream().map(Vector::name)).doesNotHaveDuplicates();

        final Set<String> typesCovered = envelopes.stream()
            .filter(Vector::ok)
            .map((v) -> v.text("msg_type"))
            .collect(Collectors.toSet());
        assertThat(typesCovered)
            .as("every message type has a valid envelope vector")
            .containsExactlyInAnyOrderElementsOf(Arrays.stream(MessageType.values()).map(Enum::name).toList());

        final Set<ErrorCode> errorsCovered = envelopes.stream()
            .filter((v) -> !v.ok())
            .map(Vector::error)
            .collect(Collectors.toCollection(() -> EnumSet.noneOf(ErrorCode.class)));
        assertThat(errorsCovered)
            .containsExactlyInAnyOrder(ErrorCode.MALFORMED, ErrorCode.UNSUPPORTED_VERSION, ErrorCode.UNKNOWN_TYPE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("envelopeVectors")
    void shouldDecodeEnvelopeVectorThroughFlyweight(final Vector vector)
    {
        final byte[] bytes = vector.bytes();
        final UnsafeBuffer buffer = guarded(bytes);
        final int result = EnvelopeFlyweight.validate(buffer, OFFSET, bytes.length, MAX_PAYLOAD_LENGTH_DEFAULT);
        final int resultExact =
            EnvelopeFlyweight.validate(new UnsafeBuffer(bytes), 0, bytes.length, MAX_PAYLOAD_LENGTH_DEFAULT);

        final String expected = vector.ok() ? "NONE" : vector.error().name();
        assertThat(errorName(result)).as("at offset %d in a larger buffer", OFFSET).isEqualTo(expected);
        assertThat(errorName(resultExact)).as("in a buffer of exactly the vector's length").isEqualTo(expected);
        if (!vector.ok())
        {
            return;
        }

        final EnvelopeFlyweight envelope = new EnvelopeFlyweight().wrap(buffer, OFFSET);
        assertThat(envelope.version()).isEqualTo(vector.number("version"));
        assertThat(envelope.msgType()).isEqualTo(vector.number("code"));
        assertThat(envelope.messageType()).isNotNull();
        assertThat(envelope.messageType().name()).isEqualTo(vector.text("msg_type"));
        assertThat(Long.toUnsignedString(envelope.sourceNode())).isEqualTo(vector.text("source_node"));
        assertThat(Long.toUnsignedString(envelope.targetNode())).isEqualTo(vector.text("target_node"));
        assertThat(Integer.toUnsignedLong(envelope.vshardId())).isEqualTo(vector.number("vshard_id"));

        final byte[] expectedPayload = vector.hex("payload_hex");
        assertThat(envelope.payloadLength()).isEqualTo(expectedPayload.length);
        assertThat(envelope.encodedLength()).isEqualTo(bytes.length);
        assertThat(envelope.payloadBuffer()).isSameAs(buffer);
        assertThat(envelope.payloadOffset()).isEqualTo(OFFSET + HEADER_LENGTH);
        final byte[] payload = new byte[envelope.payloadLength()];
        envelope.payloadBuffer().getBytes(envelope.payloadOffset(), payload);
        assertThat(payload).isEqualTo(expectedPayload);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("envelopeVectors")
    void shouldDecodeEnvelopeVectorThroughValueType(final Vector vector)
    {
        final byte[] bytes = vector.bytes();
        if (!vector.ok())
        {
            final WireException ex = catchThrowableOfType(
                WireException.class, () -> VShardEnvelope.decode(bytes, MAX_PAYLOAD_LENGTH_DEFAULT));
            assertThat(ex).as("decode must throw WireException").isNotNull();
            assertThat(ex.errorCode()).isEqualTo(vector.error());
            assertThat(ex).hasMessageStartingWith(vector.error().name());

            final WireException exAtLimit =
                catchThrowableOfType(WireException.class, () -> VShardEnvelope.decode(bytes));
            assertThat(exAtLimit).as("decode with the 64 MiB limit must throw WireException").isNotNull();
            assertThat(exAtLimit.errorCode()).isEqualTo(vector.error());
            return;
        }

        final VShardEnvelope envelope = VShardEnvelope.decode(bytes, MAX_PAYLOAD_LENGTH_DEFAULT);
        assertThat(envelope.version()).isEqualTo(vector.number("version"));
        assertThat(envelope.msgType().name()).isEqualTo(vector.text("msg_type"));
        assertThat(envelope.msgType().code()).isEqualTo(vector.number("code"));
        assertThat(Long.toUnsignedString(envelope.sourceNode())).isEqualTo(vector.text("source_node"));
        assertThat(Long.toUnsignedString(envelope.targetNode())).isEqualTo(vector.text("target_node"));
        assertThat(Integer.toUnsignedLong(envelope.vshardId())).isEqualTo(vector.number("vshard_id"));
        assertThat(envelope.payload()).isEqualTo(vector.hex("payload_hex"));
        assertThat(envelope.encodedLength()).isEqualTo(bytes.length);
        assertThat(VShardEnvelope.decode(bytes)).isEqualTo(envelope);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validEnvelopeVectors")
    void shouldReEncodeValidEnvelopeVectorToSameBytes(final Vector vector)
    {
        final byte[] bytes = vector.bytes();
        final MessageType type = MessageType.byName(vector.text("msg_type"));
        final long source = Long.parseUnsignedLong(vector.text("source_node"));
        final long target = Long.parseUnsignedLong(vector.text("target_node"));
        final int vshardId = (int)vector.number("vshard_id");
        final byte[] payload = vector.hex("payload_hex");

        assertThat(WireVectors.hex(VShardEnvelope.of(type, source, target, vshardId, payload).encode()))
            .as("value type encode")
            .isEqualTo(WireVectors.hex(bytes));

        final UnsafeBuffer out = guarded(new byte[bytes.length]);
        new EnvelopeFlyweight()
            .wrap(out, OFFSET)
            .header(type.code(), source, target, vshardId, payload.length)
            .payload(new UnsafeBuffer(payload), 0, payload.length);
        assertThat(WireVectors.hex(slice(out, OFFSET, bytes.length)))
            .as("flyweight header + payload")
            .isEqualTo(WireVectors.hex(bytes));
        assertGuardsIntact(out, bytes.length);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frameVectors")
    void shouldDecodeFrameVectorThroughFlyweight(final Vector vector)
    {
        final byte[] bytes = vector.bytes();
        final UnsafeBuffer buffer = guarded(bytes);
        final int result = FrameFlyweight.validate(buffer, OFFSET, bytes.length, MAX_PAYLOAD_LENGTH_DEFAULT);
        final int resultExact =
            FrameFlyweight.validate(new UnsafeBuffer(bytes), 0, bytes.length, MAX_PAYLOAD_LENGTH_DEFAULT);

        final String expected = vector.ok() ? "NONE" : vector.error().name();
        assertThat(errorName(result)).as("at offset %d in a larger buffer", OFFSET).isEqualTo(expected);
        assertThat(errorName(resultExact)).as("in a buffer of exactly the vector's length").isEqualTo(expected);
        if (!vector.ok())
        {
            return;
        }

        assertThat(errorName(FrameFlyweight.validateHeader(
            buffer, OFFSET, FrameDescriptor.maxFrameLengthField(MAX_PAYLOAD_LENGTH_DEFAULT)))).isEqualTo("NONE");
        final FrameFlyweight frame = new FrameFlyweight().wrap(buffer, OFFSET);
        assertThat(kindName(frame.kind())).isEqualTo(vector.text("kind"));
        assertThat(frame.flags()).isZero();
        assertThat(frame.reserved()).isZero();
        assertThat(Long.toUnsignedString(frame.correlationId())).isEqualTo(vector.text("correlation_id"));
        assertThat(frame.frameLength()).isEqualTo(bytes.length - FrameDescriptor.LENGTH_FIELD_LENGTH);
        assertThat(frame.encodedLength()).isEqualTo(bytes.length);
        assertThat(frame.bodyOffset()).isEqualTo(OFFSET + FrameDescriptor.BODY_OFFSET);
        assertThat(frame.bodyLength()).isEqualTo(bytes.length - FrameDescriptor.HEADER_LENGTH);

        switch (frame.kind())
        {
            case FrameDescriptor.KIND_ENVELOPE, FrameDescriptor.KIND_RESPONSE ->
            {
                final byte[] body = vector.hex("body_hex");
                assertThat(WireVectors.hex(slice(buffer, frame.bodyOffset(), frame.bodyLength())))
                    .isEqualTo(WireVectors.hex(body));
                assertThat(errorName(EnvelopeFlyweight.validate(
                    buffer, frame.bodyOffset(), frame.bodyLength(), MAX_PAYLOAD_LENGTH_DEFAULT))).isEqualTo("NONE");
                final EnvelopeFlyweight envelope = new EnvelopeFlyweight().wrap(buffer, frame.bodyOffset());
                assertThat(VShardEnvelope.decode(body)).isEqualTo(VShardEnvelope.of(
                    envelope.messageType(),
                    envelope.sourceNode(),
                    envelope.targetNode(),
                    envelope.vshardId(),
                    slice(buffer, envelope.payloadOffset(), envelope.payloadLength())));
                assertThat(FrameDescriptor.envelopeFrameLength(envelope.payloadLength())).isEqualTo(bytes.length);
            }
            case FrameDescriptor.KIND_ERROR ->
            {
                assertThat(frame.errorCode()).isEqualTo(vector.number("error_code"));
                assertThat(ErrorCode.get(frame.errorCode())).isNotNull();
                assertThat(frame.errorMessage()).isEqualTo(vector.text("message"));
            }
            case FrameDescriptor.KIND_ACK ->
            {
                assertThat(vector.hex("body_hex")).isEmpty();
                assertThat(frame.bodyLength()).isZero();
            }
            default -> throw new AssertionError("valid vector of unexpected kind " + frame.kind());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validFrameVectors")
    void shouldReEncodeValidFrameVectorToSameBytes(final Vector vector)
    {
        final byte[] bytes = vector.bytes();
        final long correlationId = Long.parseUnsignedLong(vector.text("correlation_id"));
        final UnsafeBuffer out = guarded(new byte[bytes.length]);
        final FrameFlyweight frame = new FrameFlyweight().wrap(out, OFFSET);
        final int kind = kindCode(vector.text("kind"));

        final int written;
        if (FrameDescriptor.KIND_ENVELOPE == kind || FrameDescriptor.KIND_RESPONSE == kind)
        {
            final VShardEnvelope body = VShardEnvelope.decode(vector.hex("body_hex"));
            frame.header(kind, correlationId, body.encodedLength());
            new EnvelopeFlyweight()
                .wrap(out, frame.bodyOffset())
                .header(body.msgType().code(), body.sourceNode(), body.targetNode(), body.vshardId(),
                    body.payload().length)
                .payload(new UnsafeBuffer(body.payload()), 0, body.payload().length);
            written = FrameDescriptor.HEADER_LENGTH + body.encodedLength();
        }
        else if (FrameDescriptor.KIND_ERROR == kind)
        {
            final String message = vector.text("message");
            written = frame.writeError(correlationId, (int)vector.number("error_code"), message);
            assertThat(FrameFlyweight.errorFrameLength(message)).isEqualTo(bytes.length);
        }
        else
        {
            written = frame.writeAck(correlationId);
        }

        assertThat(written).isEqualTo(bytes.length);
        assertThat(frame.encodedLength()).isEqualTo(bytes.length);
        assertThat(WireVectors.hex(slice(out, OFFSET, bytes.length))).isEqualTo(WireVectors.hex(bytes));
        assertGuardsIntact(out, bytes.length);
    }

    @Test
    void shouldRejectPayloadAboveConfiguredMaximumAsTooLarge()
    {
        final int maxPayloadLength = 1024;
        final byte[] atMax = VShardEnvelope.of(MessageType.TsScatterRequest, 1, 2, 3, new byte[maxPayloadLength])
            .encode();
        final byte[] overMax = VShardEnvelope.of(MessageType.TsScatterRequest, 1, 2, 3, new byte[maxPayloadLength + 1])
            .encode();

        assertThat(errorName(EnvelopeFlyweight.validate(new UnsafeBuffer(atMax), 0, atMax.length, maxPayloadLength)))
            .isEqualTo("NONE");
        assertThat(VShardEnvelope.decode(atMax, maxPayloadLength).payload()).hasSize(maxPayloadLength);

        assertThat(errorName(
            EnvelopeFlyweight.validate(new UnsafeBuffer(overMax), 0, overMax.length, maxPayloadLength)))
            .isEqualTo("TOO_LARGE");
        final WireException ex =
            catchThrowableOfType(WireException.class, () -> VShardEnvelope.decode(overMax, maxPayloadLength));
        assertThat(ex).isNotNull();
        assertThat(ex.errorCode()).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(VShardEnvelope.decode(overMax).payload()).hasSize(maxPayloadLength + 1);
    }

    @Test
    void shouldRejectHeaderClaimingMoreThanDefaultMaximumAsTooLarge()
    {
        assertThat(errorName(validateHeaderOnly(MAX_PAYLOAD_LENGTH_DEFAULT + 1, MAX_PAYLOAD_LENGTH_DEFAULT)))
            .as("16 MiB + 1 claimed, only the header present")
            .isEqualTo("TOO_LARGE");
        assertThat(errorName(validateHeaderOnly(0xFFFF_FFFF, MAX_PAYLOAD_LENGTH_DEFAULT)))
            .as("payload_len 2^32-1 is unsigned, not -1")
            .isEqualTo("TOO_LARGE");
        assertThat(errorName(validateHeaderOnly(0x8000_0000, MAX_PAYLOAD_LENGTH_DEFAULT)))
            .as("payload_len 2^31 is unsigned, not negative")
            .isEqualTo("TOO_LARGE");
        assertThat(errorName(validateHeaderOnly(MAX_PAYLOAD_LENGTH_DEFAULT, MAX_PAYLOAD_LENGTH_DEFAULT)))
            .as("exactly 16 MiB claimed is allowed, but the bytes are missing")
            .isEqualTo("MALFORMED");

        final byte[] header = headerClaiming(MAX_PAYLOAD_LENGTH_LIMIT + 1);
        final WireException ex = catchThrowableOfType(WireException.class, () -> VShardEnvelope.decode(header));
        assertThat(ex).isNotNull();
        assertThat(ex.errorCode()).isEqualTo(ErrorCode.TOO_LARGE);
        final WireException exDefault = catchThrowableOfType(
            WireException.class, () -> VShardEnvelope.decode(headerClaiming(MAX_PAYLOAD_LENGTH_DEFAULT + 1),
            MAX_PAYLOAD_LENGTH_DEFAULT));
        assertThat(exDefault).isNotNull();
        assertThat(exDefault.errorCode()).isEqualTo(ErrorCode.TOO_LARGE);
    }

    private static int validateHeaderOnly(final int claimedPayloadLength, final int maxPayloadLength)
    {
        final byte[] header = headerClaiming(claimedPayloadLength);
        return EnvelopeFlyweight.validate(new UnsafeBuffer(header), 0, header.length, maxPayloadLength);
    }

    private static byte[] headerClaiming(final int claimedPayloadLength)
    {
        final byte[] header = new byte[HEADER_LENGTH];
        new EnvelopeFlyweight()
            .wrap(new UnsafeBuffer(header), 0)
            .header(MessageType.SegmentChunk.code(), 7, 8, 9, claimedPayloadLength);
        assertThat(new UnsafeBuffer(header).getInt(EnvelopeDescriptor.PAYLOAD_LENGTH_FIELD_OFFSET, LITTLE_ENDIAN))
            .isEqualTo(claimedPayloadLength);
        return header;
    }

    static String errorName(final int errorCode)
    {
        if (ErrorCode.NONE == errorCode)
        {
            return "NONE";
        }
        final ErrorCode code = ErrorCode.get(errorCode);
        return null == code ? "UNDEFINED(" + errorCode + ")" : code.name();
    }

    private static String kindName(final int kind)
    {
        return switch (kind)
        {
            case FrameDescriptor.KIND_ENVELOPE -> "ENVELOPE";
            case FrameDescriptor.KIND_RESPONSE -> "RESPONSE";
            case FrameDescriptor.KIND_ERROR -> "ERROR";
            case FrameDescriptor.KIND_ACK -> "ACK";
            default -> "UNDEFINED(" + kind + ")";
        };
    }

    private static int kindCode(final String name)
    {
        return switch (name)
        {
            case "ENVELOPE" -> 1;
            case "RESPONSE" -> 2;
            case "ERROR" -> 3;
            case "ACK" -> 4;
            default -> throw new IllegalArgumentException("kind=" + name);
        };
    }

    /**
     * A buffer holding the bytes at {@link #OFFSET}, with {@link #GUARD} bytes before and after.
     */
    private static UnsafeBuffer guarded(final byte[] bytes)
    {
        final byte[] array = new byte[OFFSET + bytes.length + OFFSET];
        Arrays.fill(array, GUARD);
        System.arraycopy(bytes, 0, array, OFFSET, bytes.length);
        return new UnsafeBuffer(array);
    }

    private static void assertGuardsIntact(final UnsafeBuffer buffer, final int length)
    {
        for (int i = 0; i < OFFSET; i++)
        {
            assertThat(buffer.getByte(i)).as("guard byte before, index %d", i).isEqualTo(GUARD);
            assertThat(buffer.getByte(OFFSET + length + i)).as("guard byte after, index %d", i).isEqualTo(GUARD);
        }
    }

    private static byte[] slice(final UnsafeBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }
}
