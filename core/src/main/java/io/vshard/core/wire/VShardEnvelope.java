package io.vshard.core.wire;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.Objects;

/**
 * An owned envelope value for code off the hot path: tests, tools, coordinators, configuration. Equality is by value,
 * payload included. The hot path uses {@link EnvelopeFlyweight} instead.
 *
 * @param version    envelope version, {@link EnvelopeDescriptor#VERSION}.
 * @param msgType    the message type.
 * @param sourceNode sender's node id, unsigned 64-bit.
 * @param targetNode receiver's node id, unsigned 64-bit.
 * @param vshardId   virtual shard, unsigned 32-bit.
 * @param payload    the payload bytes, owned by this value.
 */
public record VShardEnvelope(
    int version, MessageType msgType, long sourceNode, long targetNode, int vshardId, byte[] payload)
{
    /**
     * Validating constructor.
     *
     * @param version    must be {@link EnvelopeDescriptor#VERSION}.
     * @param msgType    not null.
     * @param sourceNode sender.
     * @param targetNode receiver.
     * @param vshardId   virtual shard.
     * @param payload    not null.
     */
    public VShardEnvelope
    {
        if (EnvelopeDescriptor.VERSION != version)
        {
            throw new IllegalArgumentException("unsupported envelope version: version=" + version);
        }
        Objects.requireNonNull(msgType, "msgType");
        Objects.requireNonNull(payload, "payload");
    }

    /**
     * An envelope of the current version.
     *
     * @param msgType  the message type.
     * @param source   sender's node id.
     * @param target   receiver's node id.
     * @param vshardId virtual shard.
     * @param payload  payload bytes, not copied.
     * @return the envelope.
     */
    public static VShardEnvelope of(
        final MessageType msgType, final long source, final long target, final int vshardId, final byte[] payload)
    {
        return new VShardEnvelope(EnvelopeDescriptor.VERSION, msgType, source, target, vshardId, payload);
    }

    /**
     * A reply to this envelope: source and target swapped, vshard id kept.
     *
     * @param type    of the reply.
     * @param payload of the reply.
     * @return the reply envelope.
     */
    public VShardEnvelope reply(final MessageType type, final byte[] payload)
    {
        return of(type, targetNode, sourceNode, vshardId, payload);
    }

    /**
     * Bytes this envelope occupies on the wire.
     *
     * @return header plus payload length.
     */
    public int encodedLength()
    {
        return EnvelopeDescriptor.HEADER_LENGTH + payload.length;
    }

    /**
     * Encode into a new array.
     *
     * @return the wire bytes.
     */
    public byte[] encode()
    {
        final byte[] bytes = new byte[encodedLength()];
        new EnvelopeFlyweight()
            .wrap(new UnsafeBuffer(bytes), 0)
            .header(msgType.code(), sourceNode, targetNode, vshardId, payload.length)
            .payload(new UnsafeBuffer(payload), 0, payload.length);
        return bytes;
    }

    /**
     * Decode wire bytes, with the largest maximum payload a node may be configured with.
     *
     * @param bytes exactly one envelope.
     * @return the envelope.
     * @throws WireException with the {@link ErrorCode} when the bytes are not a valid envelope.
     */
    public static VShardEnvelope decode(final byte[] bytes)
    {
        return decode(bytes, EnvelopeDescriptor.MAX_PAYLOAD_LENGTH_LIMIT);
    }

    /**
     * Decode wire bytes.
     *
     * @param bytes            exactly one envelope.
     * @param maxPayloadLength payloads longer than this are TOO_LARGE.
     * @return the envelope.
     * @throws WireException with the {@link ErrorCode} when the bytes are not a valid envelope.
     */
    public static VShardEnvelope decode(final byte[] bytes, final int maxPayloadLength)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final int error = EnvelopeFlyweight.validate(buffer, 0, bytes.length, maxPayloadLength);
        if (ErrorCode.NONE != error)
        {
            throw new WireException(ErrorCode.get(error), "invalid envelope of " + bytes.length + " bytes");
        }
        final EnvelopeFlyweight envelope = new EnvelopeFlyweight().wrap(buffer, 0);
        final byte[] payload = new byte[envelope.payloadLength()];
        buffer.getBytes(envelope.payloadOffset(), payload);
        return of(
            MessageType.get(envelope.msgType()),
            envelope.sourceNode(),
            envelope.targetNode(),
            envelope.vshardId(),
            payload);
    }

    /**
     * {@inheritDoc}
     */
    public boolean equals(final Object o)
    {
        return this == o || o instanceof VShardEnvelope that &&
            version == that.version &&
            msgType == that.msgType &&
            sourceNode == that.sourceNode &&
            targetNode == that.targetNode &&
            vshardId == that.vshardId &&
            Arrays.equals(payload, that.payload);
    }

    /**
     * {@inheritDoc}
     */
    public int hashCode()
    {
        int result = Objects.hash(version, msgType, sourceNode, targetNode, vshardId);
        result = 31 * result + Arrays.hashCode(payload);
        return result;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "VShardEnvelope{version=" + version +
            ", msgType=" + msgType +
            ", sourceNode=" + Long.toUnsignedString(sourceNode) +
            ", targetNode=" + Long.toUnsignedString(targetNode) +
            ", vshardId=" + Integer.toUnsignedString(vshardId) +
            ", payloadLength=" + payload.length + '}';
    }
}
