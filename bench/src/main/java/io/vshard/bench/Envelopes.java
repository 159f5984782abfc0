package io.vshard.bench;

import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.EnvelopeFlyweight;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.FrameFlyweight;
import io.vshard.core.wire.MessageType;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Envelopes and frames for benchmarks, built once at setup on cache-line-aligned off-heap buffers, and the payload
 * layout the benchmark handlers read:
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        producer index                         |
 * +---------------------------------------------------------------+
 * |                           reserved                            |
 * +---------------------------------------------------------------+
 * |                      value (publish time)                     |
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                         filler ...                           ...
 * +---------------------------------------------------------------+
 * </pre>
 */
public final class Envelopes
{
    /** Offset in the payload of the index of the producer thread that offered it. */
    public static final int PRODUCER_FIELD_OFFSET = 0;

    /** Offset in the payload of the long a handler sums, or the publish time in latency runs. */
    public static final int VALUE_FIELD_OFFSET = 8;

    /** Smallest payload that holds the fields above. */
    public static final int MIN_PAYLOAD_LENGTH = 16;

    /** Source node of benchmark envelopes. */
    public static final long SOURCE_NODE = 0x5EED_0001L;

    /** Target node of benchmark envelopes. */
    public static final long TARGET_NODE = 0x5EED_0002L;

    private Envelopes()
    {
    }

    /**
     * A buffer holding exactly one envelope.
     *
     * @param type          its message type.
     * @param vshardId      its vshard.
     * @param payloadLength bytes of payload, at least {@link #MIN_PAYLOAD_LENGTH}.
     * @param producer      written at {@link #PRODUCER_FIELD_OFFSET}.
     * @return the buffer, of capacity the envelope's length.
     */
    public static UnsafeBuffer envelope(
        final MessageType type, final int vshardId, final int payloadLength, final int producer)
    {
        checkPayloadLength(payloadLength);
        final int length = EnvelopeDescriptor.HEADER_LENGTH + payloadLength;
        final UnsafeBuffer buffer = new UnsafeBuffer(alignedDirect(length), 0, length);
        new EnvelopeFlyweight().wrap(buffer, 0).header(type.code(), SOURCE_NODE, TARGET_NODE, vshardId, payloadLength);
        fillPayload(buffer, EnvelopeDescriptor.PAYLOAD_OFFSET, payloadLength, producer);
        return buffer;
    }

    /**
     * A buffer holding exactly one ENVELOPE frame.
     *
     * @param type          its message type.
     * @param correlationId of the frame.
     * @param payloadLength bytes of payload, at least {@link #MIN_PAYLOAD_LENGTH}.
     * @return the buffer, of capacity the frame's length.
     */
    public static UnsafeBuffer frame(final MessageType type, final long correlationId, final int payloadLength)
    {
        checkPayloadLength(payloadLength);
        final int length = FrameDescriptor.envelopeFrameLength(payloadLength);
        final UnsafeBuffer buffer = new UnsafeBuffer(alignedDirect(length), 0, length);
        final int bodyLength = EnvelopeDescriptor.HEADER_LENGTH + payloadLength;
        new FrameFlyweight().wrap(buffer, 0).header(FrameDescriptor.KIND_ENVELOPE, correlationId, bodyLength);
        new EnvelopeFlyweight().wrap(buffer, FrameDescriptor.BODY_OFFSET)
            .header(type.code(), SOURCE_NODE, TARGET_NODE, 7, payloadLength);
        fillPayload(buffer, FrameDescriptor.BODY_OFFSET + EnvelopeDescriptor.PAYLOAD_OFFSET, payloadLength, 0);
        return buffer;
    }

    private static void fillPayload(
        final UnsafeBuffer buffer, final int payloadOffset, final int payloadLength, final int producer)
    {
        for (int i = 0; i < payloadLength; i++)
        {
            buffer.putByte(payloadOffset + i, (byte)i);
        }
        buffer.putInt(payloadOffset + PRODUCER_FIELD_OFFSET, producer, LITTLE_ENDIAN);
        buffer.putLong(payloadOffset + VALUE_FIELD_OFFSET, 1L, LITTLE_ENDIAN);
    }

    private static ByteBuffer alignedDirect(final int length)
    {
        return BufferUtil.allocateDirectAligned(
            BitUtil.align(length, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH);
    }

    private static void checkPayloadLength(final int payloadLength)
    {
        if (payloadLength < MIN_PAYLOAD_LENGTH)
        {
            throw new IllegalArgumentException(
                "payload too short for the benchmark fields: payloadLength=" + payloadLength);
        }
    }
}
