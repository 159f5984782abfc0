package io.vshard.core.pipeline;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Layout and arithmetic of a fixed-bucket log-linear histogram of nanosecond values in off-heap memory: values below
 * {@link #SUB_BUCKET_COUNT} have a bucket each; above, each power of two is split into {@link #SUB_BUCKET_COUNT}
 * buckets, so a value is known to within 1/32 (3.1 %) of itself. Values of {@code 2^37} ns (137 s) and more land in
 * the last bucket; the maximum is kept exactly.
 * <pre>
 *  +-------------------+-------------------+-------------------+-----------------------------------+
 *  |   Count (long)    |  Sum ns (long)    |  Max ns (long)    |  Bucket counts (BUCKET_COUNT longs)|
 *  +-------------------+-------------------+-------------------+-----------------------------------+
 * </pre>
 * One writer thread records with plain stores; a reader reads only when the writer is known to have left it (see
 * {@link LatencyRecorder}).
 */
final class LatencyHistogram
{
    /** Bits of the sub-bucket index: 32 sub-buckets per power of two. */
    static final int SUB_BUCKET_BITS = 5;

    /** Sub-buckets per power of two. */
    static final int SUB_BUCKET_COUNT = 1 << SUB_BUCKET_BITS;

    /** Highest bit of a value kept in its own bucket group; larger values go to the last bucket. */
    static final int MAX_VALUE_BIT = 36;

    /** Buckets in a histogram. */
    static final int BUCKET_COUNT = (MAX_VALUE_BIT - SUB_BUCKET_BITS + 2) << SUB_BUCKET_BITS;

    /** Offset of the long count. */
    static final int COUNT_OFFSET = 0;

    /** Offset of the long sum of values. */
    static final int SUM_OFFSET = 8;

    /** Offset of the long maximum value. */
    static final int MAX_OFFSET = 16;

    /** Offset of the first bucket's long count. */
    static final int BUCKETS_OFFSET = 24;

    /** Bytes of one histogram, a multiple of the cache line. */
    static final int LENGTH = (BUCKETS_OFFSET + BUCKET_COUNT * Long.BYTES + 63) & ~63;

    private LatencyHistogram()
    {
    }

    /**
     * The bucket of a value.
     *
     * @param valueNs the value; negative counts as 0.
     * @return the bucket index in [0, {@link #BUCKET_COUNT}).
     */
    static int bucketOf(final long valueNs)
    {
        if (valueNs < SUB_BUCKET_COUNT)
        {
            return valueNs < 0 ? 0 : (int)valueNs;
        }
        final int msb = 63 - Long.numberOfLeadingZeros(valueNs);
        if (msb > MAX_VALUE_BIT)
        {
            return BUCKET_COUNT - 1;
        }
        final int shift = msb - SUB_BUCKET_BITS;
        return ((shift + 1) << SUB_BUCKET_BITS) + (int)((valueNs >>> shift) - SUB_BUCKET_COUNT);
    }

    /**
     * The highest value a bucket holds.
     *
     * @param bucket the index.
     * @return the value, ns.
     */
    static long highestValueOf(final int bucket)
    {
        final int group = bucket >>> SUB_BUCKET_BITS;
        final int sub = bucket & (SUB_BUCKET_COUNT - 1);
        if (0 == group)
        {
            return sub;
        }
        final int shift = group - 1;
        return ((long)(SUB_BUCKET_COUNT + sub + 1) << shift) - 1;
    }

    /**
     * Record {@code count} values of {@code valueNs} whose sum is {@code sumNs}. The histogram's one writer.
     *
     * @param buffer  holding the histogram.
     * @param offset  of the histogram.
     * @param valueNs the value recorded.
     * @param count   how many times.
     * @param sumNs   their sum (which may differ from {@code valueNs * count} by a division's remainder).
     */
    static void record(
        final UnsafeBuffer buffer, final int offset, final long valueNs, final long count, final long sumNs)
    {
        final int bucketOffset = offset + BUCKETS_OFFSET + (bucketOf(valueNs) << 3);
        buffer.putLong(bucketOffset, buffer.getLong(bucketOffset) + count);
        buffer.putLong(offset + COUNT_OFFSET, buffer.getLong(offset + COUNT_OFFSET) + count);
        buffer.putLong(offset + SUM_OFFSET, buffer.getLong(offset + SUM_OFFSET) + sumNs);
        if (valueNs > buffer.getLong(offset + MAX_OFFSET))
        {
            buffer.putLong(offset + MAX_OFFSET, valueNs);
        }
    }

    /**
     * Values at quantiles: the highest value of the bucket holding the value of rank {@code ceil(q * count)}, at most
     * the maximum. Reader only, once the writer left the histogram.
     *
     * @param buffer    holding the histogram.
     * @param offset    of the histogram.
     * @param quantiles ascending, in (0, 1].
     * @param valuesNs  receives one value per quantile; 0 for an empty histogram.
     */
    static void valuesAt(final UnsafeBuffer buffer, final int offset, final double[] quantiles, final long[] valuesNs)
    {
        final long count = buffer.getLong(offset + COUNT_OFFSET);
        final long maxNs = buffer.getLong(offset + MAX_OFFSET);
        int q = 0;
        if (0 == count)
        {
            for (; q < quantiles.length; q++)
            {
                valuesNs[q] = 0;
            }
            return;
        }
        long seen = 0;
        for (int bucket = 0; bucket < BUCKET_COUNT && q < quantiles.length; bucket++)
        {
            seen += buffer.getLong(offset + BUCKETS_OFFSET + (bucket << 3));
            while (q < quantiles.length && seen >= Math.max(1, (long)Math.ceil(quantiles[q] * count)))
            {
                valuesNs[q++] = Math.min(highestValueOf(bucket), maxNs);
            }
        }
        for (; q < quantiles.length; q++)
        {
            valuesNs[q] = maxNs;
        }
    }

    static long count(final UnsafeBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + COUNT_OFFSET);
    }

    static long sum(final UnsafeBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + SUM_OFFSET);
    }

    static long max(final UnsafeBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + MAX_OFFSET);
    }

    /**
     * Zero a histogram. Reader only, once the writer left it.
     */
    static void reset(final UnsafeBuffer buffer, final int offset)
    {
        buffer.setMemory(offset, LENGTH, (byte)0);
    }
}
