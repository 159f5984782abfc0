package io.vshard.examples.timeseries;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Layout of the example timeseries payloads (see the package documentation) and allocation-free accessors.
 */
public final class TsPayloads
{
    /** Length of a TsScatterRequest payload. */
    public static final int SCATTER_REQUEST_LENGTH = 24;

    /** Length of the bucket count that starts a TsScatterResponse payload. */
    public static final int BUCKET_COUNT_LENGTH = 4;

    /** Length of one bucket in a TsScatterResponse payload. */
    public static final int BUCKET_LENGTH = 40;

    /** Length of a TsRetentionCommand payload. */
    public static final int RETENTION_COMMAND_LENGTH = 8;

    /** Length of a TsRetentionAck payload. */
    public static final int RETENTION_ACK_LENGTH = 16;

    private TsPayloads()
    {
    }

    /**
     * Write a scatter request.
     *
     * @param buffer   to write into.
     * @param offset   of the payload.
     * @param startMs  first timestamp included.
     * @param endMs    first timestamp excluded.
     * @param bucketMs bucket width, greater than 0.
     * @return bytes written.
     */
    public static int putScatterRequest(
        final MutableDirectBuffer buffer, final int offset, final long startMs, final long endMs, final long bucketMs)
    {
        buffer.putLong(offset, startMs, LITTLE_ENDIAN);
        buffer.putLong(offset + 8, endMs, LITTLE_ENDIAN);
        buffer.putLong(offset + 16, bucketMs, LITTLE_ENDIAN);
        return SCATTER_REQUEST_LENGTH;
    }

    /**
     * Start of a scatter request's range.
     *
     * @param buffer holding the payload.
     * @param offset of the payload.
     * @return start_ms.
     */
    public static long requestStartMs(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset, LITTLE_ENDIAN);
    }

    /**
     * End (exclusive) of a scatter request's range.
     *
     * @param buffer holding the payload.
     * @param offset of the payload.
     * @return end_ms.
     */
    public static long requestEndMs(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + 8, LITTLE_ENDIAN);
    }

    /**
     * Bucket width of a scatter request.
     *
     * @param buffer holding the payload.
     * @param offset of the payload.
     * @return bucket_ms.
     */
    public static long requestBucketMs(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + 16, LITTLE_ENDIAN);
    }

    /**
     * Length of a scatter response with a number of buckets.
     *
     * @param bucketCount non-empty buckets.
     * @return payload bytes.
     */
    public static int scatterResponseLength(final int bucketCount)
    {
        return BUCKET_COUNT_LENGTH + bucketCount * BUCKET_LENGTH;
    }

    /**
     * Number of buckets in a scatter response.
     *
     * @param buffer holding the payload.
     * @param offset of the payload.
     * @return bucket_count.
     */
    public static int bucketCount(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset, LITTLE_ENDIAN);
    }

    /**
     * Offset of bucket {@code i} in a scatter response.
     *
     * @param offset of the payload.
     * @param i      bucket index.
     * @return offset of the bucket.
     */
    public static int bucketOffset(final int offset, final int i)
    {
        return offset + BUCKET_COUNT_LENGTH + i * BUCKET_LENGTH;
    }

    /**
     * Write one bucket of a scatter response.
     *
     * @param buffer        to write into.
     * @param bucketOffset  from {@link #bucketOffset(int, int)}.
     * @param bucketStartMs start of the bucket.
     * @param count         points in the bucket.
     * @param sum           of their values.
     * @param min           of their values.
     * @param max           of their values.
     */
    public static void putBucket(
        final MutableDirectBuffer buffer,
        final int bucketOffset,
        final long bucketStartMs,
        final long count,
        final double sum,
        final double min,
        final double max)
    {
        buffer.putLong(bucketOffset, bucketStartMs, LITTLE_ENDIAN);
        buffer.putLong(bucketOffset + 8, count, LITTLE_ENDIAN);
        buffer.putDouble(bucketOffset + 16, sum, LITTLE_ENDIAN);
        buffer.putDouble(bucketOffset + 24, min, LITTLE_ENDIAN);
        buffer.putDouble(bucketOffset + 32, max, LITTLE_ENDIAN);
    }

    /**
     * Read the buckets of a scatter response into an aggregate, merging with what it holds.
     *
     * @param buffer    holding the payload.
     * @param offset    of the payload.
     * @param length    of the payload, to check the bucket count against.
     * @param aggregate to merge into.
     * @throws IllegalArgumentException when the payload length disagrees with its bucket count.
     */
    public static void mergeScatterResponse(
        final DirectBuffer buffer, final int offset, final int length, final BucketAggregate aggregate)
    {
        final int buckets = bucketCount(buffer, offset);
        if (length < BUCKET_COUNT_LENGTH || buckets < 0 || scatterResponseLength(buckets) != length)
        {
            throw new IllegalArgumentException("malformed TsScatterResponse payload: length=" + length +
                " buckets=" + buckets);
        }
        for (int i = 0; i < buckets; i++)
        {
            final int at = bucketOffset(offset, i);
            aggregate.merge(
                buffer.getLong(at, LITTLE_ENDIAN),
                buffer.getLong(at + 8, LITTLE_ENDIAN),
                buffer.getDouble(at + 16, LITTLE_ENDIAN),
                buffer.getDouble(at + 24, LITTLE_ENDIAN),
                buffer.getDouble(at + 32, LITTLE_ENDIAN));
        }
    }
}
