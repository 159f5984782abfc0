package io.vshard.transport;

import io.vshard.core.wire.EnvelopeFlyweight;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Frame bytes for raw-stream tests, good and bad, built by hand so a test can break any field it likes.
 */
final class WireFrames
{
    private WireFrames()
    {
    }

    /**
     * An ENVELOPE frame from the test client to the test server, its payload the correlation id then zeros.
     *
     * @param correlationId the frame's id (0: fire-and-forget).
     * @param type          the message type.
     * @param payloadLength payload bytes, at least 8.
     * @return the frame.
     */
    static byte[] request(final long correlationId, final MessageType type, final int payloadLength)
    {
        final byte[] bytes = new byte[FrameDescriptor.envelopeFrameLength(payloadLength)];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        header(buffer, bytes.length - FrameDescriptor.LENGTH_FIELD_LENGTH, FrameDescriptor.KIND_ENVELOPE,
            correlationId);
        new EnvelopeFlyweight().wrap(buffer, FrameDescriptor.BODY_OFFSET)
            .header(type.code(), TestNode.CLIENT_ID, TestNode.SERVER_ID, 7, payloadLength);
        buffer.putLong(FrameDescriptor.BODY_OFFSET + 28, correlationId, ByteOrder.LITTLE_ENDIAN);
        return bytes;
    }

    /**
     * A frame around any body: a correct frame_length and kind ENVELOPE.
     *
     * @param correlationId the frame's id.
     * @param body          the body, an envelope or not.
     * @return the frame.
     */
    static byte[] envelopeFrame(final long correlationId, final byte[] body)
    {
        final byte[] bytes = new byte[FrameDescriptor.HEADER_LENGTH + body.length];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        header(buffer, bytes.length - FrameDescriptor.LENGTH_FIELD_LENGTH, FrameDescriptor.KIND_ENVELOPE,
            correlationId);
        buffer.putBytes(FrameDescriptor.BODY_OFFSET, body);
        return bytes;
    }

    /**
     * A bare frame header with every field as given, for framing the server must not trust.
     *
     * @param frameLength the frame_length field, taken as u32.
     * @param kind        the kind byte.
     * @param flags       the flags byte.
     * @param reserved    the reserved u16.
     * @return 16 bytes.
     */
    static byte[] header(final long frameLength, final int kind, final int flags, final int reserved)
    {
        return header(frameLength, kind, flags, reserved, 99);
    }

    /**
     * A bare frame header with every field as given.
     *
     * @param frameLength   the frame_length field, taken as u32.
     * @param kind          the kind byte.
     * @param flags         the flags byte.
     * @param reserved      the reserved u16.
     * @param correlationId the correlation id.
     * @return 16 bytes.
     */
    static byte[] header(
        final long frameLength, final int kind, final int flags, final int reserved, final long correlationId)
    {
        final byte[] bytes = new byte[FrameDescriptor.HEADER_LENGTH];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        buffer.putInt(FrameDescriptor.FRAME_LENGTH_FIELD_OFFSET, (int)frameLength, ByteOrder.LITTLE_ENDIAN);
        buffer.putByte(FrameDescriptor.KIND_FIELD_OFFSET, (byte)kind);
        buffer.putByte(FrameDescriptor.FLAGS_FIELD_OFFSET, (byte)flags);
        buffer.putShort(FrameDescriptor.RESERVED_FIELD_OFFSET, (short)reserved, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(FrameDescriptor.CORRELATION_ID_FIELD_OFFSET, correlationId, ByteOrder.LITTLE_ENDIAN);
        return bytes;
    }

    /**
     * An envelope header with every field as given, for envelopes the server must answer with an ERROR.
     *
     * @param version       version field.
     * @param msgType       msg_type field.
     * @param payloadLength payload_len field.
     * @param actualPayload payload bytes actually appended.
     * @return the envelope bytes.
     */
    static byte[] envelope(final int version, final int msgType, final int payloadLength, final int actualPayload)
    {
        final byte[] bytes = new byte[28 + actualPayload];
        new EnvelopeFlyweight().wrap(new UnsafeBuffer(bytes), 0)
            .header(msgType, TestNode.CLIENT_ID, TestNode.SERVER_ID, 7, payloadLength)
            .version(version);
        return bytes;
    }

    /**
     * Concatenate byte arrays.
     *
     * @param parts the arrays.
     * @return one array.
     */
    static byte[] concat(final byte[]... parts)
    {
        int length = 0;
        for (final byte[] part : parts)
        {
            length += part.length;
        }
        final byte[] all = new byte[length];
        int at = 0;
        for (final byte[] part : parts)
        {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    private static void header(final UnsafeBuffer buffer, final int frameLength, final int kind, final long id)
    {
        buffer.putInt(FrameDescriptor.FRAME_LENGTH_FIELD_OFFSET, frameLength, ByteOrder.LITTLE_ENDIAN);
        buffer.putByte(FrameDescriptor.KIND_FIELD_OFFSET, (byte)kind);
        buffer.putLong(FrameDescriptor.CORRELATION_ID_FIELD_OFFSET, id, ByteOrder.LITTLE_ENDIAN);
    }
}
