package io.vshard.transport;

import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.FrameFlyweight;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random but reproducible sequences of valid frames of every kind, as a peer would write them back to back on a
 * stream, for the stream decoder tests.
 */
final class FrameStreams
{
    private FrameStreams()
    {
    }

    /**
     * A list of valid frames.
     *
     * @param random          the source.
     * @param count           of frames.
     * @param maxPayloadBytes largest envelope payload.
     * @return the frames, each a whole frame.
     */
    static List<byte[]> frames(final SplittableRandom random, final int count, final int maxPayloadBytes)
    {
        final MessageType[] types = MessageType.values();
        final List<byte[]> frames = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final long correlationId = random.nextLong();
            switch (random.nextInt(4))
            {
                case 0, 1 ->
                {
                    final byte[] payload = new byte[random.nextInt(maxPayloadBytes + 1)];
                    random.nextBytes(payload);
                    final byte[] envelope = VShardEnvelope.of(types[random.nextInt(types.length)],
                        random.nextLong(), random.nextLong(), random.nextInt(), payload).encode();
                    final byte kind = random.nextBoolean() ? FrameDescriptor.KIND_ENVELOPE : FrameDescriptor.KIND_RESPONSE;
                    final byte[] frame = new byte[FrameDescriptor.HEADER_LENGTH + envelope.length];
                    final FrameFlyweight flyweight = new FrameFlyweight().wrap(new UnsafeBuffer(frame), 0);
                    flyweight.header(kind, correlationId, envelope.length);
                    flyweight.buffer().putBytes(FrameDescriptor.BODY_OFFSET, envelope);
                    frames.add(frame);
                }
                case 2 ->
                {
                    final String message = "error " + random.nextInt(1000);
                    final byte[] frame = new byte[FrameFlyweight.errorFrameLength(message)];
                    new FrameFlyweight().wrap(new UnsafeBuffer(frame), 0)
                        .writeError(correlationId, 1 + random.nextInt(8), message);
                    frames.add(frame);
                }
                default ->
                {
                    final byte[] frame = new byte[FrameDescriptor.HEADER_LENGTH];
                    new FrameFlyweight().wrap(new UnsafeBuffer(frame), 0).writeAck(correlationId);
                    frames.add(frame);
                }
            }
        }
        return frames;
    }

    /**
     * Frames back to back.
     *
     * @param frames to join.
     * @return the stream bytes.
     */
    static byte[] concat(final List<byte[]> frames)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] frame : frames)
        {
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }
}
