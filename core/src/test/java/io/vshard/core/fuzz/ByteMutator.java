package io.vshard.core.fuzz;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic, seeded byte-level mutations in the manner of libFuzzer's: bit flips, interesting values written over
 * the little-endian length and code fields, truncation, extension, insertion, deletion, duplication and splicing with
 * another seed. The same seed gives the same sequence of inputs on every machine, so a failure names the seed and the
 * iteration that reproduce it. Not thread safe: one per test thread.
 */
public final class ByteMutator
{
    private static final long[] INTERESTING = {
        0, 1, 2, 3, 4, 11, 12, 13, 15, 16, 27, 28, 29, 40, 44, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF,
        0x10000, 16 * 1024 * 1024, 16 * 1024 * 1024 + 1, 64 * 1024 * 1024, 64 * 1024 * 1024 + 1,
        Integer.MAX_VALUE, 0x8000_0000L, 0xFFFF_FFFFL, Long.MAX_VALUE, -1L };

    private final SplittableRandom random;
    private final List<byte[]> seeds;
    private final int maxLength;

    /**
     * A mutator over a set of seed inputs.
     *
     * @param seed      of the random sequence.
     * @param seeds     the valid (or interesting) inputs to start from; not empty.
     * @param maxLength inputs are never grown past this.
     */
    public ByteMutator(final long seed, final List<byte[]> seeds, final int maxLength)
    {
        if (seeds.isEmpty())
        {
            throw new IllegalArgumentException("no seeds");
        }
        this.random = new SplittableRandom(seed);
        this.seeds = List.copyOf(seeds);
        this.maxLength = maxLength;
    }

    /**
     * The next input: a seed with one to four mutations applied.
     *
     * @return a new array.
     */
    public byte[] next()
    {
        byte[] bytes = seeds.get(random.nextInt(seeds.size())).clone();
        final int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations; i++)
        {
            bytes = mutate(bytes);
        }
        return bytes;
    }

    /**
     * The random source, for callers that need more decisions drawn from the same sequence.
     *
     * @return the random source.
     */
    public SplittableRandom random()
    {
        return random;
    }

    private byte[] mutate(final byte[] bytes)
    {
        final int length = bytes.length;
        switch (random.nextInt(10))
        {
            case 0:
                if (length > 0)
                {
                    bytes[random.nextInt(length)] ^= (byte)(1 << random.nextInt(8));
                }
                return bytes;
            case 1:
                if (length > 0)
                {
                    bytes[random.nextInt(length)] = (byte)random.nextInt(256);
                }
                return bytes;
            case 2:
            case 3:
                return putInteresting(bytes);
            case 4:
                return Arrays.copyOf(bytes, length == 0 ? 0 : random.nextInt(length));
            case 5:
                return extend(bytes, 1 + random.nextInt(32));
            case 6:
                return insert(bytes);
            case 7:
                return delete(bytes);
            case 8:
                return duplicate(bytes);
            default:
                return splice(bytes);
        }
    }

    private byte[] putInteresting(final byte[] bytes)
    {
        final int width = 1 << random.nextInt(4);
        if (bytes.length < width)
        {
            return bytes;
        }
        // Fields of both layouts sit at multiples of 2; favour them, but not always.
        int at = random.nextInt(bytes.length - width + 1);
        if (random.nextBoolean())
        {
            at &= ~1;
        }
        long value = INTERESTING[random.nextInt(INTERESTING.length)];
        if (random.nextInt(4) == 0)
        {
            value += random.nextInt(5) - 2;
        }
        for (int i = 0; i < width; i++)
        {
            bytes[at + i] = (byte)(value >>> (8 * i));
        }
        return bytes;
    }

    private byte[] extend(final byte[] bytes, final int count)
    {
        final int grow = Math.min(count, maxLength - bytes.length);
        if (grow <= 0)
        {
            return bytes;
        }
        final byte[] out = Arrays.copyOf(bytes, bytes.length + grow);
        for (int i = bytes.length; i < out.length; i++)
        {
            out[i] = (byte)random.nextInt(256);
        }
        return out;
    }

    private byte[] insert(final byte[] bytes)
    {
        if (bytes.length >= maxLength)
        {
            return bytes;
        }
        final int at = random.nextInt(bytes.length + 1);
        final byte[] out = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, out, 0, at);
        out[at] = (byte)random.nextInt(256);
        System.arraycopy(bytes, at, out, at + 1, bytes.length - at);
        return out;
    }

    private byte[] delete(final byte[] bytes)
    {
        if (bytes.length == 0)
        {
            return bytes;
        }
        final int at = random.nextInt(bytes.length);
        final int count = 1 + random.nextInt(Math.min(8, bytes.length - at));
        final byte[] out = new byte[bytes.length - count];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(bytes, at + count, out, at, bytes.length - at - count);
        return out;
    }

    private byte[] duplicate(final byte[] bytes)
    {
        if (bytes.length == 0 || bytes.length >= maxLength)
        {
            return bytes;
        }
        final int from = random.nextInt(bytes.length);
        final int count = Math.min(1 + random.nextInt(bytes.length - from), maxLength - bytes.length);
        final byte[] out = new byte[bytes.length + count];
        System.arraycopy(bytes, 0, out, 0, from + count);
        System.arraycopy(bytes, from, out, from + count, bytes.length - from);
        return out;
    }

    private byte[] splice(final byte[] bytes)
    {
        final byte[] other = seeds.get(random.nextInt(seeds.size()));
        final int head = random.nextInt(bytes.length + 1);
        final int tailFrom = random.nextInt(other.length + 1);
        final int length = Math.min(maxLength, head + other.length - tailFrom);
        final byte[] out = Arrays.copyOf(bytes, length);
        System.arraycopy(other, tailFrom, out, head, length - head);
        return out;
    }
}
