package io.vshard.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Drives a {@link FrameReader} the way a server stream does: bytes arrive in reads of arbitrary sizes; the consumer
 * may refuse a frame (a full lane), after which reads still arriving are kept and the stream resumes later; after
 * {@link FrameReader#BAD_FRAMING} nothing more is fed (the stream is reset). Records what the consumer took, and
 * checks that every buffer the reader allocated is freed again.
 */
final class FrameReaderHarness
{
    /**
     * What a reader made of a byte stream.
     *
     * @param frames       the frames the consumer took, in order, copied.
     * @param badFraming   whether the reader reported a header it cannot trust.
     * @param pendingBytes bytes held at the end (a partial frame), when the framing was good.
     */
    record Outcome(List<byte[]> frames, boolean badFraming, int pendingBytes)
    {
    }

    private static final int MAX_RESUMES = 100_000;

    private final int maxFrameLengthField;

    FrameReaderHarness(final int maxFrameLengthField)
    {
        this.maxFrameLengthField = maxFrameLengthField;
    }

    /**
     * The reference: all bytes in one read, every frame taken.
     *
     * @param bytes the stream.
     * @return the outcome.
     */
    Outcome oneRead(final byte[] bytes)
    {
        return run(bytes, new int[]{ bytes.length }, null, 0);
    }

    /**
     * Bytes in reads of the given sizes, every frame taken.
     *
     * @param bytes the stream.
     * @param reads sizes adding up to the stream's length.
     * @return the outcome.
     */
    Outcome reads(final byte[] bytes, final int... reads)
    {
        return run(bytes, reads, null, 0);
    }

    /**
     * Bytes in random reads, the consumer refusing frames now and then.
     *
     * @param bytes       the stream.
     * @param random      decides read sizes, refusals and when to resume.
     * @param refuseOneIn a frame is refused with probability 1/refuseOneIn; 0 never.
     * @return the outcome.
     */
    Outcome randomReads(final byte[] bytes, final SplittableRandom random, final int refuseOneIn)
    {
        return run(bytes, splits(bytes.length, random), random, refuseOneIn);
    }

    private Outcome run(final byte[] bytes, final int[] splits, final SplittableRandom random, final int refuseOneIn)
    {
        // Netty's leak detector (paranoid in tests) is off for this allocator: the harness counts its bytes instead.
        final UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(true, true, false);
        final FrameReader reader = new FrameReader(maxFrameLengthField, allocator);
        final List<byte[]> frames = new ArrayList<>();
        final FrameConsumer consumer = (buffer, offset, length) ->
        {
            if (null != random && refuseOneIn > 0 && random.nextInt(refuseOneIn) == 0)
            {
                return false;
            }
            frames.add(copy(buffer, offset, length));
            return true;
        };
        boolean bad = false;
        int position = 0;
        final ByteBuf in = allocator.directBuffer(Math.max(1, bytes.length));
        try
        {
            for (final int split : splits)
            {
                in.clear().writeBytes(bytes, position, split);
                position += split;
                final int result = reader.onData(in, consumer);
                if (FrameReader.BAD_FRAMING == result)
                {
                    bad = true;
                    break;
                }
                if (FrameReader.STOPPED == result && null != random && random.nextBoolean())
                {
                    bad = resumeUntilTaken(reader, consumer);
                    if (bad)
                    {
                        break;
                    }
                }
            }
            if (!bad && reader.isStopped())
            {
                bad = resumeUntilTaken(reader, consumer);
            }
            final int pending = bad ? 0 : reader.pendingBytes();
            return new Outcome(frames, bad, pending);
        }
        finally
        {
            in.release();
            reader.release();
            final long leaked = allocator.metric().usedDirectMemory();
            if (0 != leaked)
            {
                throw new AssertionError("reader leaked " + leaked + " bytes of direct memory");
            }
        }
    }

    private static boolean resumeUntilTaken(final FrameReader reader, final FrameConsumer consumer)
    {
        for (int i = 0; i < MAX_RESUMES; i++)
        {
            final int result = reader.resume(consumer);
            if (FrameReader.BAD_FRAMING == result)
            {
                return true;
            }
            if (FrameReader.OK == result)
            {
                return false;
            }
        }
        throw new AssertionError("reader still stopped after " + MAX_RESUMES + " resumes");
    }

    private static int[] splits(final int length, final SplittableRandom random)
    {
        final List<Integer> splits = new ArrayList<>();
        int remaining = length;
        while (remaining > 0)
        {
            final int split = switch (random.nextInt(4))
            {
                case 0 -> 1;
                case 1 -> 1 + random.nextInt(Math.min(remaining, 20));
                case 2 -> 1 + random.nextInt(Math.min(remaining, 200));
                default -> 1 + random.nextInt(remaining);
            };
            splits.add(Math.min(split, remaining));
            remaining -= Math.min(split, remaining);
        }
        return splits.stream().mapToInt(Integer::intValue).toArray();
    }

    private static byte[] copy(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }
}
