package io.vshard.core.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static io.vshard.core.wire.EnvelopeDescriptor.MAX_PAYLOAD_LENGTH_DEFAULT;
import static io.vshard.core.wire.FrameDescriptor.HEADER_LENGTH;
import static io.vshard.core.wire.WireVectorsTest.errorName;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Frame rules of {@code WIRE.md} section 2 that the shared vectors do not reach: length bounds, body rules per kind,
 * ERROR messages beyond ASCII, bad envelopes inside well framed frames.
 */
class FrameFlyweightTest
{
    private static final int MAX_FRAME_LENGTH_FIELD = FrameDescriptor.maxFrameLengthField(MAX_PAYLOAD_LENGTH_DEFAULT);

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
    private final FrameFlyweight frame = new FrameFlyweight();

    @ParameterizedTest(name = "message={0}")
    @ValueSource(strings = { "", "x", "no handler for target GraphBsp", "d\u00e9j\u00e0 vu", "\u65e5\u672c\u8a9e",
        "rocket \ud83d\ude80 launch" })
    void shouldRoundTripErrorMessageAsUtf8(final String message)
    {
        final int offset = 9;
        final byte[] utf8 = message.getBytes(StandardCharsets.UTF_8);

        final int written = frame.wrap(buffer, offset).writeError(77, ErrorCode.IDENTITY_MISMATCH.value(), message);

        assertThat(written).isEqualTo(FrameDescriptor.ERROR_MESSAGE_OFFSET + utf8.length);
        assertThat(FrameFlyweight.errorFrameLength(message)).isEqualTo(written);
        assertThat(errorName(FrameFlyweight.validate(buffer, offset, written, MAX_PAYLOAD_LENGTH_DEFAULT)))
            .isEqualTo("NONE");
        assertThat(frame.kind()).isEqualTo(FrameDescriptor.KIND_ERROR);
        assertThat(frame.correlationId()).isEqualTo(77);
        assertThat(frame.frameLength()).isEqualTo(written - FrameDescriptor.LENGTH_FIELD_LENGTH);
        assertThat(frame.errorCode()).isEqualTo(ErrorCode.IDENTITY_MISMATCH.value());
        assertThat(frame.errorMessage()).isEqualTo(message);
        final byte[] onWire = new byte[utf8.length];
        buffer.getBytes(offset + FrameDescriptor.ERROR_MESSAGE_OFFSET, onWire);
        assertThat(onWire).isEqualTo(utf8);
    }

    @Test
    void shouldWriteAckWithEmptyBody()
    {
        final int written = frame.wrap(buffer, 0).writeAck(-1L);

        assertThat(written).isEqualTo(HEADER_LENGTH);
        assertThat(frame.frameLength()).isEqualTo(FrameDescriptor.MIN_FRAME_LENGTH);
        assertThat(frame.bodyLength()).isZero();
        assertThat(frame.correlationId()).isEqualTo(-1L);
        assertThat(Long.toUnsignedString(frame.correlationId())).isEqualTo("18446744073709551615");
        assertThat(errorName(FrameFlyweight.validate(buffer, 0, written, MAX_PAYLOAD_LENGTH_DEFAULT)))
            .isEqualTo("NONE");
    }

    @Test
    void shouldRejectErrorFrameWithoutErrorCodeAsMalformed()
    {
        for (int bodyLength = 0; bodyLength < 2; bodyLength++)
        {
            frame.wrap(buffer, 0).header(FrameDescriptor.KIND_ERROR, 1, bodyLength);
            assertThat(errorName(FrameFlyweight.validate(
                buffer, 0, HEADER_LENGTH + bodyLength, MAX_PAYLOAD_LENGTH_DEFAULT)))
                .as("ERROR body of %d bytes", bodyLength)
                .isEqualTo("MALFORMED");
        }
        frame.header(FrameDescriptor.KIND_ERROR, 1, 2);
        assertThat(errorName(FrameFlyweight.validate(buffer, 0, HEADER_LENGTH + 2, MAX_PAYLOAD_LENGTH_DEFAULT)))
            .isEqualTo("NONE");
    }

    @Test
    void shouldRejectAckWithBodyAsMalformed()
    {
        frame.wrap(buffer, 0).header(FrameDescriptor.KIND_ACK, 1, 1);

        assertThat(errorName(FrameFlyweight.validate(buffer, 0, HEADER_LENGTH + 1, MAX_PAYLOAD_LENGTH_DEFAULT)))
            .isEqualTo("MALFORMED");
    }

    @Test
    void shouldRejectEnvelopeFrameWithoutWholeEnvelopeAsMalformed()
    {
        frame.wrap(buffer, 0).header(FrameDescriptor.KIND_ENVELOPE, 1, 0);
        assertThat(errorName(FrameFlyweight.validate(buffer, 0, HEADER_LENGTH, MAX_PAYLOAD_LENGTH_DEFAULT)))
            .as("ENVELOPE with an empty body")
            .isEqualTo("MALFORMED");

        frame.header(FrameDescriptor.KIND_RESPONSE, 1, EnvelopeDescriptor.HEADER_LENGTH - 1);
        new EnvelopeFlyweight().wrap(buffer, HEADER_LENGTH).header(MessageType.RoutingAck.code(), 1, 2, 3, 0);
        assertThat(errorName(FrameFlyweight.validate(
            buffer, 0, HEADER_LENGTH + EnvelopeDescriptor.HEADER_LENGTH - 1, MAX_PAYLOAD_LENGTH_DEFAULT)))
            .as("RESPONSE with a 27 byte body")
            .isEqualTo("MALFORMED");
    }

    @Test
    void shouldAnswerEnvelopeErrorForBadEnvelopeInWellFramedFrame()
    {
        final int length = writeEnvelopeFrame(MessageType.TsScatterRequest.code(), 4);
        final EnvelopeFlyweight envelope = new EnvelopeFlyweight().wrap(buffer, HEADER_LENGTH);
        assertThat(errorName(FrameFlyweight.validate(buffer, 0, length, MAX_PAYLOAD_LENGTH_DEFAULT)))
            .isEqualTo("NONE");

        envelope.version(3);
        assertThat(errorName(FrameFlyweight.validate(buffer, 0, length, MAX_PAYLOAD_LENGTH_DEFAULT)))
            .isEqualTo("UNSUPPORTED_VERSION");

        envelope.version(EnvelopeDescriptor.VERSION).msgType(24);
        assertThat(errorName(FrameFlyweight.validate(buffer, 0, length, MAX_PAYLOAD_LENGTH_DEFAULT)))
            .isEqualTo("UNKNOWN_TYPE");

        envelope.msgType(MessageType.TsScatterRequest.code()).payloadLength(5);
        assertThat(errorName(FrameFlyweight.validate(buffer, 0, length, MAX_PAYLOAD_LENGTH_DEFAULT)))
            .as("payload_len disagrees with frame_length")
            .isEqualTo("MALFORMED");
        assertThat(errorName(FrameFlyweight.validateHeader(buffer, 0, MAX_FRAME_LENGTH_FIELD)))
            .as("the frame header itself is still trustworthy")
            .isEqualTo("NONE");
    }

    /**
     * WIRE.md section 2: "The envelope's payload_len must agree with frame_length (12 + 28 + payload_len); otherwise
     * the frame is MALFORMED." A payload_len above the maximum inside a frame whose frame_length is within the maximum
     * is such a disagreement: the bytes of an over-sized payload cannot be there, so TOO_LARGE would misreport it.
     */
    @ParameterizedTest(name = "payload_len={0}")
    @ValueSource(ints = { 0, 3, 5, MAX_PAYLOAD_LENGTH_DEFAULT, MAX_PAYLOAD_LENGTH_DEFAULT + 1, Integer.MAX_VALUE, -1 })
    void shouldRejectEnvelopePayloadLengthDisagreeingWithFrameLengthAsMalformed(final int claimedPayloadLength)
    {
        final int length = writeEnvelopeFrame(MessageType.TsScatterRequest.code(), 4);
        new EnvelopeFlyweight().wrap(buffer, HEADER_LENGTH).payloadLength(claimedPayloadLength);

        assertThat(errorName(FrameFlyweight.validateHeader(buffer, 0, MAX_FRAME_LENGTH_FIELD))).isEqualTo("NONE");
        assertThat(errorName(FrameFlyweight.validate(buffer, 0, length, MAX_PAYLOAD_LENGTH_DEFAULT)))
            .isEqualTo("MALFORMED");
    }

    @Test
    void shouldRejectFrameLengthOutsideBoundsInHeader()
    {
        frame.wrap(buffer, 0).header(FrameDescriptor.KIND_ACK, 1, 0);
        assertThat(errorName(FrameFlyweight.validateHeader(buffer, 0, MAX_FRAME_LENGTH_FIELD))).isEqualTo("NONE");

        frame.frameLength(FrameDescriptor.MIN_FRAME_LENGTH - 1);
        assertThat(errorName(FrameFlyweight.validateHeader(buffer, 0, MAX_FRAME_LENGTH_FIELD)))
            .as("frame_length 11")
            .isEqualTo("MALFORMED");

        frame.kind(FrameDescriptor.KIND_ENVELOPE).frameLength(MAX_FRAME_LENGTH_FIELD);
        assertThat(errorName(FrameFlyweight.validateHeader(buffer, 0, MAX_FRAME_LENGTH_FIELD)))
            .as("frame_length for a 16 MiB payload")
            .isEqualTo("NONE");

        frame.frameLength(MAX_FRAME_LENGTH_FIELD + 1);
        assertThat(errorName(FrameFlyweight.validateHeader(buffer, 0, MAX_FRAME_LENGTH_FIELD)))
            .as("frame_length for a 16 MiB + 1 payload")
            .isEqualTo("MALFORMED");

        frame.frameLength(0xFFFF_FFFF);
        assertThat(frame.frameLength()).isEqualTo(0xFFFF_FFFFL);
        assertThat(errorName(FrameFlyweight.validateHeader(buffer, 0, MAX_FRAME_LENGTH_FIELD)))
            .as("frame_length 2^32-1 is unsigned, not -1")
            .isEqualTo("MALFORMED");
    }

    @ParameterizedTest(name = "kind={0}")
    @ValueSource(ints = { 0, 5, 0x7F, 0x80, 0x81, 0xFF })
    void shouldRejectUnknownKindInHeader(final int kind)
    {
        frame.wrap(buffer, 0).header(kind, 1, 0);

        assertThat(frame.kind()).isEqualTo(kind);
        assertThat(errorName(FrameFlyweight.validateHeader(buffer, 0, MAX_FRAME_LENGTH_FIELD))).isEqualTo("MALFORMED");
        assertThat(errorName(FrameFlyweight.validate(buffer, 0, HEADER_LENGTH, MAX_PAYLOAD_LENGTH_DEFAULT)))
            .isEqualTo("MALFORMED");
    }

    @Test
    void shouldRejectAnyReservedBitInHeader()
    {
        for (int bit = 0; bit < 24; bit++)
        {
            frame.wrap(buffer, 0).header(FrameDescriptor.KIND_ACK, 1, 0);
            final int index = FrameDescriptor.FLAGS_FIELD_OFFSET + bit / 8;
            buffer.putByte(index, (byte)(1 << (bit % 8)));
            assertThat(errorName(FrameFlyweight.validateHeader(buffer, 0, MAX_FRAME_LENGTH_FIELD)))
                .as("reserved bit %d", bit)
                .isEqualTo("MALFORMED");
        }
    }

    private int writeEnvelopeFrame(final int msgType, final int payloadLength)
    {
        final int envelopeLength = EnvelopeDescriptor.HEADER_LENGTH + payloadLength;
        frame.wrap(buffer, 0).header(FrameDescriptor.KIND_ENVELOPE, 42, envelopeLength);
        new EnvelopeFlyweight().wrap(buffer, frame.bodyOffset()).header(msgType, 1, 2, 3, payloadLength);
        assertThat(buffer.getInt(FrameDescriptor.FRAME_LENGTH_FIELD_OFFSET, LITTLE_ENDIAN))
            .isEqualTo(FrameDescriptor.MIN_FRAME_LENGTH + envelopeLength);
        return HEADER_LENGTH + envelopeLength;
    }
}
