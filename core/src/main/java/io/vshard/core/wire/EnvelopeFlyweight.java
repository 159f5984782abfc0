package io.vshard.core.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.vshard.core.wire.EnvelopeDescriptor.HEADER_LENGTH;
import static io.vshard.core.wire.EnvelopeDescriptor.MSG_TYPE_FIELD_OFFSET;
import static io.vshard.core.wire.EnvelopeDescriptor.PAYLOAD_LENGTH_FIELD_OFFSET;
import static io.vshard.core.wire.EnvelopeDescriptor.PAYLOAD_OFFSET;
import static io.vshard.core.wire.EnvelopeDescriptor.SOURCE_NODE_FIELD_OFFSET;
import static io.vshard.core.wire.EnvelopeDescriptor.TARGET_NODE_FIELD_OFFSET;
import static io.vshard.core.wire.EnvelopeDescriptor.VERSION;
import static io.vshard.core.wire.EnvelopeDescriptor.VERSION_FIELD_OFFSET;
import static io.vshard.core.wire.EnvelopeDescriptor.VSHARD_ID_FIELD_OFFSET;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Flyweight over an envelope in a buffer (layout in {@link EnvelopeDescriptor}). Reads and writes in place and
 * allocates nothing; one instance is wrapped over many envelopes in turn. Not thread safe: one thread at a time.
 * <p>
 * The static {@link #validate(DirectBuffer, int, int, int)} is the validating decoder: it answers an
 * {@link ErrorCode#value()} or {@link ErrorCode#NONE} without throwing or allocating.
 */
public final class EnvelopeFlyweight implements EnvelopeView
{
    private MutableDirectBuffer buffer;
    private int offset;

    /**
     * Wrap the envelope that starts at an offset of a buffer.
     *
     * @param buffer holding the envelope.
     * @param offset of the envelope's first byte.
     * @return this for a fluent API.
     */
    public EnvelopeFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
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
     * Offset of the envelope in the wrapped buffer.
     *
     * @return the offset.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * {@inheritDoc}
     */
    public int version()
    {
        return buffer.getShort(offset + VERSION_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * Write the version field.
     *
     * @param version u16.
     * @return this for a fluent API.
     */
    public EnvelopeFlyweight version(final int version)
    {
        buffer.putShort(offset + VERSION_FIELD_OFFSET, (short)version, LITTLE_ENDIAN);
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public int msgType()
    {
        return buffer.getShort(offset + MSG_TYPE_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * Write the message type wire code.
     *
     * @param msgType u16 wire code.
     * @return this for a fluent API.
     */
    public EnvelopeFlyweight msgType(final int msgType)
    {
        buffer.putShort(offset + MSG_TYPE_FIELD_OFFSET, (short)msgType, LITTLE_ENDIAN);
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public long sourceNode()
    {
        return buffer.getLong(offset + SOURCE_NODE_FIELD_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Write the source node id.
     *
     * @param sourceNode unsigned 64-bit id.
     * @return this for a fluent API.
     */
    public EnvelopeFlyweight sourceNode(final long sourceNode)
    {
        buffer.putLong(offset + SOURCE_NODE_FIELD_OFFSET, sourceNode, LITTLE_ENDIAN);
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public long targetNode()
    {
        return buffer.getLong(offset + TARGET_NODE_FIELD_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Write the target node id.
     *
     * @param targetNode unsigned 64-bit id.
     * @return this for a fluent API.
     */
    public EnvelopeFlyweight targetNode(final long targetNode)
    {
        buffer.putLong(offset + TARGET_NODE_FIELD_OFFSET, targetNode, LITTLE_ENDIAN);
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public int vshardId()
    {
        return buffer.getInt(offset + VSHARD_ID_FIELD_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Write the virtual shard id.
     *
     * @param vshardId unsigned 32-bit id.
     * @return this for a fluent API.
     */
    public EnvelopeFlyweight vshardId(final int vshardId)
    {
        buffer.putInt(offset + VSHARD_ID_FIELD_OFFSET, vshardId, LITTLE_ENDIAN);
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public int payloadLength()
    {
        return buffer.getInt(offset + PAYLOAD_LENGTH_FIELD_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Write the payload length field.
     *
     * @param payloadLength in bytes.
     * @return this for a fluent API.
     */
    public EnvelopeFlyweight payloadLength(final int payloadLength)
    {
        buffer.putInt(offset + PAYLOAD_LENGTH_FIELD_OFFSET, payloadLength, LITTLE_ENDIAN);
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public DirectBuffer payloadBuffer()
    {
        return buffer;
    }

    /**
     * {@inheritDoc}
     */
    public int payloadOffset()
    {
        return offset + PAYLOAD_OFFSET;
    }

    /**
     * Header plus payload length, as given by the payload length field.
     *
     * @return bytes the envelope occupies.
     */
    public int encodedLength()
    {
        return HEADER_LENGTH + payloadLength();
    }

    /**
     * Write a whole header: version 2 and the given fields.
     *
     * @param msgType       wire code.
     * @param sourceNode    sender.
     * @param targetNode    receiver.
     * @param vshardId      virtual shard.
     * @param payloadLength bytes of payload that follow.
     * @return this for a fluent API.
     */
    public EnvelopeFlyweight header(
        final int msgType, final long sourceNode, final long targetNode, final int vshardId, final int payloadLength)
    {
        return version(VERSION)
            .msgType(msgType)
            .sourceNode(sourceNode)
            .targetNode(targetNode)
            .vshardId(vshardId)
            .payloadLength(payloadLength);
    }

    /**
     * Write a header for a reply to an envelope: the source and target swapped and the vshard id kept.
     *
     * @param request       the envelope answered; may be this flyweight's own bytes.
     * @param msgType       wire code of the reply.
     * @param payloadLength bytes of payload that follow.
     * @return this for a fluent API.
     */
    public EnvelopeFlyweight replyHeader(final EnvelopeView request, final int msgType, final int payloadLength)
    {
        final long source = request.sourceNode();
        final long target = request.targetNode();
        final int vshardId = request.vshardId();
        return header(msgType, target, source, vshardId, payloadLength);
    }

    /**
     * Copy payload bytes after the header and write the payload length.
     *
     * @param src    holding the payload.
     * @param srcOffset of the first byte.
     * @param length of the payload.
     * @return this for a fluent API.
     */
    public EnvelopeFlyweight payload(final DirectBuffer src, final int srcOffset, final int length)
    {
        payloadLength(length);
        buffer.putBytes(offset + PAYLOAD_OFFSET, src, srcOffset, length);
        return this;
    }

    /**
     * Write a whole reply to an envelope: source and target swapped, vshard id kept, the given type and payload.
     *
     * @param request       the envelope answered.
     * @param type          of the reply.
     * @param payload       holding the reply payload.
     * @param payloadOffset of its first byte.
     * @param payloadLength of the reply payload.
     * @return this for a fluent API; {@link #encodedLength()} gives the bytes written.
     */
    public EnvelopeFlyweight reply(
        final EnvelopeView request,
        final MessageType type,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        return replyHeader(request, type.code(), payloadLength).payload(payload, payloadOffset, payloadLength);
    }

    /**
     * Validate this envelope, assuming it occupies {@code length} bytes.
     *
     * @param length           bytes available for the envelope.
     * @param maxPayloadLength the configured maximum payload.
     * @return {@link ErrorCode#NONE} or an {@link ErrorCode#value()}.
     */
    public int validate(final int length, final int maxPayloadLength)
    {
        return validate(buffer, offset, length, maxPayloadLength);
    }

    /**
     * The validating decoder: checks that {@code length} bytes at {@code offset} are exactly one valid envelope.
     * Never throws, never allocates. Checks, in order: header present, version, type, payload maximum, lengths agree.
     *
     * @param buffer           holding the bytes.
     * @param offset           of the envelope.
     * @param length           of the bytes that should be the envelope.
     * @param maxPayloadLength the configured maximum payload.
     * @return {@link ErrorCode#NONE} when valid, else MALFORMED, UNSUPPORTED_VERSION, UNKNOWN_TYPE or TOO_LARGE value.
     */
    public static int validate(
        final DirectBuffer buffer, final int offset, final int length, final int maxPayloadLength)
    {
        if (length < HEADER_LENGTH)
        {
            return ErrorCode.MALFORMED.value();
        }
        if ((buffer.getShort(offset + VERSION_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF) != VERSION)
        {
            return ErrorCode.UNSUPPORTED_VERSION.value();
        }
        if (null == MessageType.get(buffer.getShort(offset + MSG_TYPE_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF))
        {
            return ErrorCode.UNKNOWN_TYPE.value();
        }
        final long payloadLength = buffer.getInt(offset + PAYLOAD_LENGTH_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        if (payloadLength > maxPayloadLength)
        {
            return ErrorCode.TOO_LARGE.value();
        }
        if (HEADER_LENGTH + payloadLength != length)
        {
            return ErrorCode.MALFORMED.value();
        }
        return ErrorCode.NONE;
    }
}
