package io.vshard.transport.hardening;

import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.FrameFlyweight;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.transport.TestNode;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Frames as bytes, for peers that write raw bytes.
 */
public final class WireBytes
{
    private WireBytes()
    {
    }

    /**
     * An ENVELOPE frame for the test node.
     *
     * @param correlationId of the request, 0 for fire-and-forget.
     * @param type          message type.
     * @param source        source node id.
     * @param payloadLength bytes of zero payload.
     * @return the whole frame.
     */
    public static byte[] request(final long correlationId, final MessageType type, final long source,
        final int payloadLength)
    {
        final byte[] envelope = VShardEnvelope.of(type, source, TestNode.SERVER_ID, 1, new byte[payloadLength])
            .encode();
        final byte[] frame = new byte[FrameDescriptor.HEADER_LENGTH + envelope.length];
        final FrameFlyweight flyweight = new FrameFlyweight().wrap(new UnsafeBuffer(frame), 0);
        flyweight.header(FrameDescriptor.KIND_ENVELOPE, correlationId, envelope.length);
        flyweight.buffer().putBytes(FrameDescriptor.BODY_OFFSET, envelope);
        return frame;
    }

    /**
     * Many ENVELOPE frames back to back, correlation ids from {@code firstId} up.
     *
     * @param firstId       the first correlation id.
     * @param count         of frames.
     * @param type          message type.
     * @param payloadLength per frame.
     * @return the bytes.
     */
    public static byte[] requests(final long firstId, final int count, final MessageType type, final int payloadLength)
    {
        final byte[] one = request(firstId, type, TestNode.CLIENT_ID, payloadLength);
        final byte[] all = new byte[one.length * count];
        final UnsafeBuffer buffer = new UnsafeBuffer(all);
        for (int i = 0; i < count; i++)
        {
            buffer.putBytes(i * one.length, one);
            buffer.putLong(i * one.length + FrameDescriptor.CORRELATION_ID_FIELD_OFFSET, firstId + i,
                java.nio.ByteOrder.LITTLE_ENDIAN);
        }
        return all;
    }
}
