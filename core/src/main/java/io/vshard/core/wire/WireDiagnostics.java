package io.vshard.core.wire;

import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Which check of the validating decoders ({@link EnvelopeFlyweight#validate(DirectBuffer, int, int, int)},
 * {@link FrameFlyweight#validate(DirectBuffer, int, int, int)}) rejected some bytes, in words, for tools and logs
 * ({@code vshard decode}). The decoders themselves stay allocation-free and answer only an {@link ErrorCode}; these
 * methods run the same checks in the same order and build a sentence, so they allocate: never call them per message.
 */
public final class WireDiagnostics
{
    private WireDiagnostics()
    {
    }

    /**
     * The check an envelope fails, in words.
     *
     * @param buffer           holding the bytes.
     * @param offset           of the envelope.
     * @param length           of the bytes that should be the envelope.
     * @param maxPayloadLength the configured maximum payload.
     * @return null when the envelope is valid, else the failing check with the values it saw.
     */
    public static String describeEnvelope(
        final DirectBuffer buffer, final int offset, final int length, final int maxPayloadLength)
    {
        if (length < EnvelopeDescriptor.HEADER_LENGTH)
        {
            return "truncated: " + length + " bytes, shorter than the " + EnvelopeDescriptor.HEADER_LENGTH +
                "-byte envelope header";
        }
        final int version = buffer.getShort(offset + EnvelopeDescriptor.VERSION_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        if (version != EnvelopeDescriptor.VERSION)
        {
            return "version " + version + ", expected " + EnvelopeDescriptor.VERSION;
        }
        final int type = buffer.getShort(offset + EnvelopeDescriptor.MSG_TYPE_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        if (null == MessageType.get(type))
        {
            return "msg_type " + type + " is not in the type table";
        }
        final long payloadLength =
            buffer.getInt(offset + EnvelopeDescriptor.PAYLOAD_LENGTH_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        if (payloadLength > maxPayloadLength)
        {
            return "payload_len " + payloadLength + " above the maximum " + maxPayloadLength;
        }
        if (EnvelopeDescriptor.HEADER_LENGTH + payloadLength != length)
        {
            return "lengths disagree: payload_len " + payloadLength + " + " + EnvelopeDescriptor.HEADER_LENGTH +
                "-byte header = " + (EnvelopeDescriptor.HEADER_LENGTH + payloadLength) + " bytes, but " + length +
                " bytes given";
        }
        return null;
    }

    /**
     * The check a frame fails, in words.
     *
     * @param buffer           holding the bytes.
     * @param offset           of the frame.
     * @param length           of the bytes that should be the frame.
     * @param maxPayloadLength the configured maximum envelope payload.
     * @return null when the frame is valid, else the failing check with the values it saw.
     */
    public static String describeFrame(
        final DirectBuffer buffer, final int offset, final int length, final int maxPayloadLength)
    {
        if (length < FrameDescriptor.HEADER_LENGTH)
        {
            return "truncated: " + length + " bytes, shorter than the " + FrameDescriptor.HEADER_LENGTH +
                "-byte frame header";
        }
        final long frameLength =
            buffer.getInt(offset + FrameDescriptor.FRAME_LENGTH_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        final int maxField = FrameDescriptor.maxFrameLengthField(maxPayloadLength);
        if (frameLength < FrameDescriptor.MIN_FRAME_LENGTH || frameLength > maxField)
        {
            return "frame_length " + frameLength + " outside " + FrameDescriptor.MIN_FRAME_LENGTH + ".." + maxField;
        }
        final int kind = buffer.getByte(offset + FrameDescriptor.KIND_FIELD_OFFSET);
        if (!FrameDescriptor.isKnownKind(kind))
        {
            return "kind " + kind + " is not ENVELOPE (1), RESPONSE (2), ERROR (3) or ACK (4)";
        }
        final int flags = buffer.getByte(offset + FrameDescriptor.FLAGS_FIELD_OFFSET) & 0xFF;
        if (0 != flags)
        {
            return "flags " + flags + ", must be 0";
        }
        final int reserved = buffer.getShort(offset + FrameDescriptor.RESERVED_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        if (0 != reserved)
        {
            return "reserved " + reserved + ", must be 0";
        }
        if (frameLength + FrameDescriptor.LENGTH_FIELD_LENGTH != length)
        {
            return "lengths disagree: frame_length " + frameLength + " + " + FrameDescriptor.LENGTH_FIELD_LENGTH +
                " = " + (frameLength + FrameDescriptor.LENGTH_FIELD_LENGTH) + " bytes, but " + length + " bytes given";
        }
        final int bodyLength = length - FrameDescriptor.HEADER_LENGTH;
        switch (kind)
        {
            case FrameDescriptor.KIND_ENVELOPE, FrameDescriptor.KIND_RESPONSE ->
            {
                final String envelope =
                    describeEnvelope(buffer, offset + FrameDescriptor.BODY_OFFSET, bodyLength, maxPayloadLength);
                return null == envelope ? null : "envelope in the body: " + envelope;
            }
            case FrameDescriptor.KIND_ERROR ->
            {
                return bodyLength >= 2 ? null : "ERROR body of " + bodyLength + " bytes, shorter than its u16 code";
            }
            default ->
            {
                return 0 == bodyLength ? null : "ACK with a " + bodyLength + "-byte body, must be empty";
            }
        }
    }
}
