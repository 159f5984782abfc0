package io.vshard.core.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

import static io.vshard.core.wire.FrameDescriptor.BODY_OFFSET;
import static io.vshard.core.wire.FrameDescriptor.CORRELATION_ID_FIELD_OFFSET;
import static io.vshard.core.wire.FrameDescriptor.ERROR_CODE_FIELD_OFFSET;
import static io.vshard.core.wire.FrameDescriptor.ERROR_MESSAGE_OFFSET;
import static io.vshard.core.wire.FrameDescriptor.FLAGS_FIELD_OFFSET;
import static io.vshard.core.wire.FrameDescriptor.FRAME_LENGTH_FIELD_OFFSET;
import static io.vshard.core.wire.FrameDescriptor.HEADER_LENGTH;
import static io.vshard.core.wire.FrameDescriptor.KIND_ACK;
import static io.vshard.core.wire.FrameDescriptor.KIND_ENVELOPE;
import static io.vshard.core.wire.FrameDescriptor.KIND_ERROR;
import static io.vshard.core.wire.FrameDescriptor.KIND_FIELD_OFFSET;
import static io.vshard.core.wire.FrameDescriptor.KIND_RESPONSE;
import static io.vshard.core.wire.FrameDescriptor.LENGTH_FIELD_LENGTH;
import static io.vshard.core.wire.FrameDescriptor.MIN_FRAME_LENGTH;
import static io.vshard.core.wire.FrameDescriptor.RESERVED_FIELD_OFFSET;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Flyweight over a frame in a buffer (layout in {@link FrameDescriptor}). Reads and writes in place and allocates
 * nothing, except {@link #errorMessage()}, which builds a String for code off the hot path. Not thread safe.
 */
public final class FrameFlyweight
{
    private MutableDirectBuffer buffer;
    private int offset;

    /**
     * Wrap the frame that starts at an offset of a buffer.
     *
     * @param buffer holding the frame.
     * @param offset of the frame's first byte (its length field).
     * @return this for a fluent API.
     */
    public FrameFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * The wrapped buffer.
     *
     * @return the buffer.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Offset of the frame in the wrapped buffer.
     *
     * @return the offset.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * The u32 frame length field: bytes after the field itself.
     *
     * @return frame_length, unsigned.
     */
    public long frameLength()
    {
        return buffer.getInt(offset + FRAME_LENGTH_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
    }

    /**
     * Write the frame length field.
     *
     * @param frameLength bytes after the field itself.
     * @return this for a fluent API.
     */
    public FrameFlyweight frameLength(final int frameLength)
    {
        buffer.putInt(offset + FRAME_LENGTH_FIELD_OFFSET, frameLength, LITTLE_ENDIAN);
        return this;
    }

    /**
     * The frame kind: one of the {@code KIND_*} constants of {@link FrameDescriptor} for a valid frame.
     *
     * @return the u8 kind.
     */
    public int kind()
    {
        return buffer.getByte(offset + KIND_FIELD_OFFSET) & 0xFF;
    }

    /**
     * Write the kind.
     *
     * @param kind one of the {@code KIND_*} constants.
     * @return this for a fluent API.
     */
    public FrameFlyweight kind(final int kind)
    {
        buffer.putByte(offset + KIND_FIELD_OFFSET, (byte)kind);
        return this;
    }

    /**
     * The u8 flags, reserved: 0 in a valid frame.
     *
     * @return the flags.
     */
    public int flags()
    {
        return buffer.getByte(offset + FLAGS_FIELD_OFFSET) & 0xFF;
    }

    /**
     * The u16 reserved field: 0 in a valid frame.
     *
     * @return the reserved field.
     */
    public int reserved()
    {
        return buffer.getShort(offset + RESERVED_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * The correlation id: chosen by the sender of an ENVELOPE, echoed in its answer; 0 for fire-and-forget.
     *
     * @return the u64 correlation id held in a long.
     */
    public long correlationId()
    {
        return buffer.getLong(offset + CORRELATION_ID_FIELD_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Write the correlation id.
     *
     * @param correlationId u64 held in a long.
     * @return this for a fluent API.
     */
    public FrameFlyweight correlationId(final long correlationId)
    {
        buffer.putLong(offset + CORRELATION_ID_FIELD_OFFSET, correlationId, LITTLE_ENDIAN);
        return this;
    }

    /**
     * Offset of the body in the wrapped buffer.
     *
     * @return the body offset.
     */
    public int bodyOffset()
    {
        return offset + BODY_OFFSET;
    }

    /**
     * Length of the body as the frame length field gives it.
     *
     * @return body bytes.
     */
    public int bodyLength()
    {
        return (int)(frameLength() - MIN_FRAME_LENGTH);
    }

    /**
     * Whole length of the frame on the stream, length field included.
     *
     * @return bytes the frame occupies.
     */
    public int encodedLength()
    {
        return (int)(frameLength() + LENGTH_FIELD_LENGTH);
    }

    /**
     * The error code of an ERROR frame.
     *
     * @return the u16 error code.
     */
    public int errorCode()
    {
        return buffer.getShort(offset + ERROR_CODE_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * The message of an ERROR frame. Allocates: for code off the hot path.
     *
     * @return the UTF-8 message decoded.
     */
    public String errorMessage()
    {
        final int length = encodedLength() - ERROR_MESSAGE_OFFSET;
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset + ERROR_MESSAGE_OFFSET, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Write a frame header: length for a body of the given size, kind, zero flags and reserved, correlation id.
     *
     * @param kind          one of the {@code KIND_*} constants.
     * @param correlationId of the request or answer.
     * @param bodyLength    bytes of body that follow the header.
     * @return this for a fluent API.
     */
    public FrameFlyweight header(final int kind, final long correlationId, final int bodyLength)
    {
        buffer.putInt(offset + FRAME_LENGTH_FIELD_OFFSET, MIN_FRAME_LENGTH + bodyLength, LITTLE_ENDIAN);
        buffer.putByte(offset + KIND_FIELD_OFFSET, (byte)kind);
        buffer.putByte(offset + FLAGS_FIELD_OFFSET, (byte)0);
        buffer.putShort(offset + RESERVED_FIELD_OFFSET, (short)0, LITTLE_ENDIAN);
        buffer.putLong(offset + CORRELATION_ID_FIELD_OFFSET, correlationId, LITTLE_ENDIAN);
        return this;
    }

    /**
     * Write a whole ACK frame.
     *
     * @param correlationId of the request answered.
     * @return bytes written.
     */
    public int writeAck(final long correlationId)
    {
        header(KIND_ACK, correlationId, 0);
        return HEADER_LENGTH;
    }

    /**
     * Write a whole ERROR frame. ASCII messages are written without allocating; other text is encoded as UTF-8.
     *
     * @param correlationId of the request answered.
     * @param errorCode     the {@link ErrorCode#value()}.
     * @param message       for a person; may be empty.
     * @return bytes written.
     */
    public int writeError(final long correlationId, final int errorCode, final CharSequence message)
    {
        buffer.putShort(offset + ERROR_CODE_FIELD_OFFSET, (short)errorCode, LITTLE_ENDIAN);
        final int messageLength = putUtf8(buffer, offset + ERROR_MESSAGE_OFFSET, message);
        header(KIND_ERROR, correlationId, 2 + messageLength);
        return ERROR_MESSAGE_OFFSET + messageLength;
    }

    /**
     * Number of bytes {@link #writeError(long, int, CharSequence)} needs for a message.
     *
     * @param message the error text.
     * @return the whole frame length, length field included.
     */
    public static int errorFrameLength(final CharSequence message)
    {
        return ERROR_MESSAGE_OFFSET + utf8Length(message);
    }

    /**
     * Validate a frame header that is fully present at {@code offset}: whether its framing can be trusted.
     * Never throws, never allocates.
     *
     * @param buffer              holding at least {@link FrameDescriptor#HEADER_LENGTH} bytes at offset.
     * @param offset              of the frame.
     * @param maxFrameLengthField the largest acceptable frame_length, see
     *                            {@link FrameDescriptor#maxFrameLengthField(int)}.
     * @return {@link ErrorCode#NONE}, or the MALFORMED value when the length is out of range, the kind unknown or
     * the flags or reserved bits set.
     */
    public static int validateHeader(final DirectBuffer buffer, final int offset, final int maxFrameLengthField)
    {
        final long frameLength = buffer.getInt(offset + FRAME_LENGTH_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        if (frameLength < MIN_FRAME_LENGTH || frameLength > maxFrameLengthField)
        {
            return ErrorCode.MALFORMED.value();
        }
        if (!FrameDescriptor.isKnownKind(buffer.getByte(offset + KIND_FIELD_OFFSET)) ||
            0 != buffer.getByte(offset + FLAGS_FIELD_OFFSET) ||
            0 != buffer.getShort(offset + RESERVED_FIELD_OFFSET, LITTLE_ENDIAN))
        {
            return ErrorCode.MALFORMED.value();
        }
        return ErrorCode.NONE;
    }

    /**
     * Validate that {@code length} bytes at {@code offset} are exactly one valid frame, body included: an envelope
     * for ENVELOPE and RESPONSE (validated as by {@link EnvelopeFlyweight#validate(DirectBuffer, int, int, int)},
     * except that a payload_len above the maximum, which cannot agree with a frame_length within it, is MALFORMED
     * rather than TOO_LARGE), at least an error code for ERROR, nothing for ACK. Never throws, never allocates.
     *
     * @param buffer           holding the bytes.
     * @param offset           of the frame.
     * @param length           of the bytes that should be the frame.
     * @param maxPayloadLength the configured maximum envelope payload.
     * @return {@link ErrorCode#NONE} or an {@link ErrorCode#value()}.
     */
    public static int validate(
        final DirectBuffer buffer, final int offset, final int length, final int maxPayloadLength)
    {
        if (length < HEADER_LENGTH)
        {
            return ErrorCode.MALFORMED.value();
        }
        final int headerError = validateHeader(buffer, offset, FrameDescriptor.maxFrameLengthField(maxPayloadLength));
        if (ErrorCode.NONE != headerError)
        {
            return headerError;
        }
        final long frameLength = buffer.getInt(offset + FRAME_LENGTH_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        if (frameLength + LENGTH_FIELD_LENGTH != length)
        {
            return ErrorCode.MALFORMED.value();
        }
        final int bodyLength = length - HEADER_LENGTH;
        switch (buffer.getByte(offset + KIND_FIELD_OFFSET))
        {
            case KIND_ENVELOPE:
            case KIND_RESPONSE:
                final int envelopeError =
                    EnvelopeFlyweight.validate(buffer, offset + BODY_OFFSET, bodyLength, maxPayloadLength);
                // frame_length is within the maximum, so a payload_len above it disagrees with frame_length.
                return ErrorCode.TOO_LARGE.value() == envelopeError ? ErrorCode.MALFORMED.value() : envelopeError;
            case KIND_ERROR:
                return bodyLength >= 2 ? ErrorCode.NONE : ErrorCode.MALFORMED.value();
            case KIND_ACK:
                return 0 == bodyLength ? ErrorCode.NONE : ErrorCode.MALFORMED.value();
            default:
                return ErrorCode.MALFORMED.value();
        }
    }

    private static int putUtf8(final MutableDirectBuffer buffer, final int index, final CharSequence text)
    {
        final int length = text.length();
        for (int i = 0; i < length; i++)
        {
            final char c = text.charAt(i);
            if (c >= 0x80)
            {
                final byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
                buffer.putBytes(index, bytes);
                return bytes.length;
            }
            buffer.putByte(index + i, (byte)c);
        }
        return length;
    }

    private static int utf8Length(final CharSequence text)
    {
        final int length = text.length();
        for (int i = 0; i < length; i++)
        {
            if (text.charAt(i) >= 0x80)
            {
                return text.toString().getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return length;
    }
}
