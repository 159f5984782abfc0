package io.vshard.examples.timeseries;

import org.agrona.collections.Int2ObjectHashMap;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * In-memory timeseries, one series per vshard, generated from a seed so that any process can regenerate the same
 * data (the demo checks a scatter/gather answer against an aggregate computed directly over all of it).
 * <p>
 * Each series is immutable but for its retention start, which only moves forward: a scan on one lane and a
 * retention command on another may run at once.
 */
public final class TimeseriesStore
{
    /** First timestamp of generated series. */
    public static final long EPOCH_MS = 1_700_000_000_000L;

    private final Int2ObjectHashMap<Series> series = new Int2ObjectHashMap<>();

    /**
     * Generate series for some vshards: {@code points} points each, {@code stepMs} apart from {@link #EPOCH_MS},
     * values from a generator seeded by {@code seed} and the vshard id.
     *
     * @param seed    of the data set.
     * @param vshards to generate.
     * @param points  per series.
     * @param stepMs  between points.
     * @return the store.
     */
    public static TimeseriesStore generate(final long seed, final int[] vshards, final int points, final long stepMs)
    {
        final TimeseriesStore store = new TimeseriesStore();
        for (final int vshard : vshards)
        {
            final SplittableRandom random = new SplittableRandom(seed * 1_000_003L + vshard);
            final long[] timestamps = new long[points];
            final double[] values = new double[points];
            for (int i = 0; i < points; i++)
            {
                timestamps[i] = EPOCH_MS + i * stepMs;
                values[i] = Math.round((100.0 + random.nextDouble(-50.0, 50.0)) * 1000.0) / 1000.0;
            }
            store.series.put(vshard, new Series(timestamps, values));
        }
        return store;
    }

    /**
     * The series of a vshard.
     *
     * @param vshard id.
     * @return the series, or {@code null} when this store does not hold that vshard.
     */
    public Series series(final int vshard)
    {
        return series.get(vshard);
    }

    /**
     * Aggregate a vshard's points in {@code [startMs, endMs)} into buckets of {@code bucketMs} aligned to
     * {@link #EPOCH_MS}, merging into an aggregate. For checks and coordinators: allocates.
     *
     * @param vshard    id.
     * @param startMs   first timestamp included.
     * @param endMs     first timestamp excluded.
     * @param bucketMs  bucket width.
     * @param aggregate to merge into.
     */
    public void aggregate(
        final int vshard, final long startMs, final long endMs, final long bucketMs, final BucketAggregate aggregate)
    {
        final Series s = series.get(vshard);
        if (null == s)
        {
            return;
        }
        for (int i = s.firstIndexAtOrAfter(startMs); i < s.timestamps.length && s.timestamps[i] < endMs; i++)
        {
            final double v = s.values[i];
            aggregate.merge(bucketStart(s.timestamps[i], bucketMs), 1, v, v, v);
        }
    }

    /**
     * The start of the bucket holding a timestamp.
     *
     * @param timestampMs the point.
     * @param bucketMs    bucket width.
     * @return the bucket's first timestamp.
     */
    public static long bucketStart(final long timestampMs, final long bucketMs)
    {
        return EPOCH_MS + Math.floorDiv(timestampMs - EPOCH_MS, bucketMs) * bucketMs;
    }

    /**
     * One vshard's points: timestamps ascending, values, and the retention start.
     */
    public static final class Series
    {
        private final long[] timestamps;
        private final double[] values;
        private volatile int start;

        Series(final long[] timestamps, final double[] values)
        {
            this.timestamps = timestamps;
            this.values = values;
        }

        /**
         * Index of the first retained point at or after a timestamp.
         *
         * @param timestampMs the bound.
         * @return an index in {@code [start, length]}.
         */
        public int firstIndexAtOrAfter(final long timestampMs)
        {
            final int from = start;
            int index = Arrays.binarySearch(timestamps, from, timestamps.length, timestampMs);
            if (index < 0)
            {
                index = -index - 1;
            }
            return Math.max(index, from);
        }

        /**
         * Number of stored points, retained or not.
         *
         * @return the length.
         */
        public int length()
        {
            return timestamps.length;
        }

        /**
         * Timestamp of a point.
         *
         * @param i index.
         * @return milliseconds.
         */
        public long timestampMs(final int i)
        {
            return timestamps[i];
        }

        /**
         * Value of a point.
         *
         * @param i index.
         * @return the value.
         */
        public double value(final int i)
        {
            return values[i];
        }

        /**
         * Points still retained.
         *
         * @return the count.
         */
        public int retained()
        {
            return timestamps.length - start;
        }

        /**
         * Drop points older than a timestamp. Only the retention lane calls this.
         *
         * @param beforeMs points before this are dropped.
         * @return how many were dropped.
         */
        public int dropBefore(final long beforeMs)
        {
            final int from = start;
            final int to = firstIndexAtOrAfter(beforeMs);
            start = to;
            return to - from;
        }
    }
}
