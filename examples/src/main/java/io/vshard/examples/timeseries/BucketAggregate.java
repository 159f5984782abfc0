package io.vshard.examples.timeseries;

import java.util.Map;
import java.util.TreeMap;

/**
 * Aggregates per time bucket (count, sum, min, max), mergeable from partials. Coordinator side, off the hot path:
 * allocates freely. Two aggregates are equal when every bucket's count, min and max are equal and sums agree to
 * within a relative 1e-9 (partial sums are added in different orders on different nodes).
 */
public final class BucketAggregate
{
    private final TreeMap<Long, double[]> buckets = new TreeMap<>();
    private final TreeMap<Long, Long> counts = new TreeMap<>();

    /**
     * Merge one partial bucket.
     *
     * @param bucketStartMs the bucket.
     * @param count         points.
     * @param sum           of values.
     * @param min           of values.
     * @param max           of values.
     */
    public void merge(final long bucketStartMs, final long count, final double sum, final double min, final double max)
    {
        final double[] b = buckets.get(bucketStartMs);
        if (null == b)
        {
            buckets.put(bucketStartMs, new double[]{sum, min, max});
            counts.put(bucketStartMs, count);
        }
        else
        {
            b[0] += sum;
            b[1] = Math.min(b[1], min);
            b[2] = Math.max(b[2], max);
            counts.merge(bucketStartMs, count, Long::sum);
        }
    }

    /**
     * Number of non-empty buckets.
     *
     * @return buckets.
     */
    public int bucketCount()
    {
        return buckets.size();
    }

    /**
     * Total points over every bucket.
     *
     * @return the count.
     */
    public long totalCount()
    {
        long total = 0;
        for (final long c : counts.values())
        {
            total += c;
        }
        return total;
    }

    /**
     * Sum of values over every bucket.
     *
     * @return the sum.
     */
    public double totalSum()
    {
        double total = 0;
        for (final double[] b : buckets.values())
        {
            total += b[0];
        }
        return total;
    }

    /**
     * Whether this aggregate equals another, sums compared with a relative tolerance.
     *
     * @param other to compare with.
     * @return true when bucket for bucket the same.
     */
    public boolean matches(final BucketAggregate other)
    {
        if (!counts.equals(other.counts))
        {
            return false;
        }
        for (final Map.Entry<Long, double[]> e : buckets.entrySet())
        {
            final double[] a = e.getValue();
            final double[] b = other.buckets.get(e.getKey());
            final double tolerance = 1e-9 * Math.max(1.0, Math.abs(a[0]));
            if (null == b || Math.abs(a[0] - b[0]) > tolerance || a[1] != b[1] || a[2] != b[2])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * One line per bucket: start, count, sum, min, max; at most {@code limit} lines, then a count of the rest.
     *
     * @param limit most lines.
     * @return the table.
     */
    public String describe(final int limit)
    {
        final StringBuilder sb = new StringBuilder();
        int lines = 0;
        for (final Map.Entry<Long, double[]> e : buckets.entrySet())
        {
            if (lines++ == limit)
            {
                sb.append(String.format("  ... %d more buckets%n", buckets.size() - limit));
                break;
            }
            final double[] b = e.getValue();
            sb.append(String.format("  bucket %,d ms: count=%d sum=%.3f min=%.3f max=%.3f%n",
                e.getKey(), counts.get(e.getKey()), b[0], b[1], b[2]));
        }
        return sb.toString();
    }
}
