package io.vshard.core.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Layout of a frame on a QUIC stream. All fields are little-endian; {@code frame_length} counts the bytes after itself.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         Frame Length                          |
 *  +---------------+---------------+-------------------------------+
 *  |     Kind      |     Flags     |           Reserved            |
 *  +---------------+---------------+-------------------------------+
 *  |                        Correlation Id                         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |    Body: an envelope (ENVELOPE, RESPONSE), u16 error code     |
 * ...       and UTF-8 message (ERROR), or nothing (ACK)            ...
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class FrameDescriptor
{
    /** Offset of the u32 frame length. */
    public static final int FRAME_LENGTH_FIELD_OFFSET = 0;

    /** Offset of the u8 frame kind. */
    public static final int KIND_FIELD_OFFSET = 4;

    /** Offset of the u8 flags, reserved: must be 0. */
    public static final int FLAGS_FIELD_OFFSET = 5;

    /** Offset of the u16 reserved field: must be 0. */
    public static final int RESERVED_FIELD_OFFSET = 6;

    /** Offset of the u64 correlation id. */
    public static final int CORRELATION_ID_FIELD_OFFSET = 8;

    /** Offset of the body; also the length of the header. */
    public static final int BODY_OFFSET = 16;

    /** Length of the whole frame header, the length field included. */
    public static final int HEADER_LENGTH = BODY_OFFSET;

    /** Length of the frame length field, which {@code frame_length} does not count. */
    public static final int LENGTH_FIELD_LENGTH = 4;

    /** The smallest valid {@code frame_length}: a frame with an empty body (ACK). */
    public static final int MIN_FRAME_LENGTH = HEADER_LENGTH - LENGTH_FIELD_LENGTH;

    /** Offset of the u16 error code in the body of an ERROR frame, from the frame start. */
    public static final int ERROR_CODE_FIELD_OFFSET = BODY_OFFSET;

    /** Offset of the UTF-8 error message in an ERROR frame, from the frame start. */
    public static final int ERROR_MESSAGE_OFFSET = ERROR_CODE_FIELD_OFFSET + 2;

    /** Kind of a frame carrying a request or one-way envelope. */
    public static final byte KIND_ENVELOPE = 1;

    /** Kind of a frame answering with an envelope. */
    public static final byte KIND_RESPONSE = 2;

    /** Kind of a frame answering with an error code and message. */
    public static final byte KIND_ERROR = 3;

    /** Kind of a frame answering that the handler had nothing to reply. */
    public static final byte KIND_ACK = 4;

    /** Correlation id of a fire-and-forget envelope: never answered. */
    public static final long FIRE_AND_FORGET = 0;

    /**
     * Whole-frame length (length field included) of a frame carrying an envelope with the given payload length.
     *
     * @param payloadLength of the envelope.
     * @return bytes the frame occupies on the stream.
     */
    public static int envelopeFrameLength(final int payloadLength)
    {
        return HEADER_LENGTH + EnvelopeDescriptor.HEADER_LENGTH + payloadLength;
    }

    /**
     * The largest {@code frame_length} field value acceptable for a maximum payload length.
     *
     * @param maxPayloadLength the configured maximum payload.
     * @return the largest valid {@code frame_length}.
     */
    public static int maxFrameLengthField(final int maxPayloadLength)
    {
        return MIN_FRAME_LENGTH + EnvelopeDescriptor.HEADER_LENGTH + maxPayloadLength;
    }

    /**
     * Is this byte a kind the frame format defines?
     *
     * @param kind from a frame header.
     * @return true for ENVELOPE, RESPONSE, ERROR and ACK.
     */
    public static boolean isKnownKind(final int kind)
    {
        return kind >= KIND_ENVELOPE && kind <= KIND_ACK;
    }

    /**
     * The name of a frame kind, for tools and logs.
     *
     * @param kind from a frame header.
     * @return {@code ENVELOPE}, {@code RESPONSE}, {@code ERROR}, {@code ACK} or {@code unknown(N)}.
     */
    public static String kindName(final int kind)
    {
        return switch (kind)
        {
            case KIND_ENVELOPE -> "ENVELOPE";
            case KIND_RESPONSE -> "RESPONSE";
            case KIND_ERROR -> "ERROR";
            case KIND_ACK -> "ACK";
            default -> "unknown(" + kind + ")";
        };
    }

    /**
     * The {@code frame_length} field of the frame at {@code offset}: the bytes after the field.
     *
     * @param buffer holding the frame.
     * @param offset of the frame's first byte.
     * @return the field, unsigned.
     */
    public static long frameLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + FRAME_LENGTH_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
    }

    /**
     * The {@code kind} field of the frame at {@code offset}.
     *
     * @param buffer holding the frame.
     * @param offset of the frame's first byte.
     * @return the kind, unsigned.
     */
    public static int kind(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + KIND_FIELD_OFFSET) & 0xFF;
    }

    /**
     * The {@code correlation_id} field of the frame at {@code offset}.
     *
     * @param buffer holding the frame.
     * @param offset of the frame's first byte.
     * @return the correlation id.
     */
    public static long correlationId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CORRELATION_ID_FIELD_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * The error code of the ERROR frame at {@code offset}.
     *
     * @param buffer holding the frame.
     * @param offset of the frame's first byte.
     * @return the code, unsigned.
     */
    public static int errorCode(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + ERROR_CODE_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * Write a frame header at {@code offset}: flags and reserved bits zero.
     *
     * @param buffer        to write into.
     * @param offset        of the frame's first byte.
     * @param kind          of the frame.
     * @param correlationId of the frame.
     * @param bodyLength    bytes of body that follow the header.
     */
    public static void putHeader(
        final MutableDirectBuffer buffer,
        final int offset,
        final byte kind,
        final long correlationId,
        final int bodyLength)
    {
        buffer.putInt(offset + FRAME_LENGTH_FIELD_OFFSET, MIN_FRAME_LENGTH + bodyLength, LITTLE_ENDIAN);
        buffer.putByte(offset + KIND_FIELD_OFFSET, kind);
        buffer.putByte(offset + FLAGS_FIELD_OFFSET, (byte)0);
        buffer.putShort(offset + RESERVED_FIELD_OFFSET, (short)0, LITTLE_ENDIAN);
        buffer.putLong(offset + CORRELATION_ID_FIELD_OFFSET, correlationId, LITTLE_ENDIAN);
    }

    private FrameDescriptor()
    {
    }
}
