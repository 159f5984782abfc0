package io.vshard.core.pipeline;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class LatencyHistogramTest
{
    @Test
    void shouldPutEveryValueInABucketWhoseHighestValueIsWithinOneThirtySecondOfIt()
    {
        final Random random = new Random(42);
        for (int i = 0; i < 1_000_000; i++)
        {
            final long value = random.nextLong() >>> (27 + random.nextInt(37));
            final int bucket = LatencyHistogram.bucketOf(value);
            final long highest = LatencyHistogram.highestValueOf(bucket);
            assertThat(highest).as("value %d bucket %d", value, bucket).isGreaterThanOrEqualTo(value);
            assertThat(highest - value).as("value %d", value).isLessThanOrEqualTo(value >> 5);
            if (bucket > 0)
            {
                assertThat(LatencyHistogram.highestValueOf(bucket - 1)).as("value %d", value).isLessThan(value);
            }
        }
    }

    @Test
    void shouldNumberBucketsWithoutGapsUpToTheLast()
    {
        long previous = -1;
        for (int bucket = 0; bucket < LatencyHistogram.BUCKET_COUNT; bucket++)
        {
            final long highest = LatencyHistogram.highestValueOf(bucket);
            assertThat(LatencyHistogram.bucketOf(highest)).isEqualTo(bucket);
            assertThat(LatencyHistogram.bucketOf(previous + 1)).isEqualTo(bucket);
            previous = highest;
        }
        assertThat(LatencyHistogram.bucketOf(Long.MAX_VALUE)).isEqualTo(LatencyHistogram.BUCKET_COUNT - 1);
        assertThat(LatencyHistogram.bucketOf(-5)).isZero();
    }

    @Test
    void shouldAnswerQuantilesCountSumAndMax()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[LatencyHistogram.LENGTH * 2]);
        final int offset = LatencyHistogram.LENGTH;
        for (long v = 1; v <= 1000; v++)
        {
            LatencyHistogram.record(buffer, offset, v * 1000, 1, v * 1000);
        }
        LatencyHistogram.record(buffer, offset, 5_000_000, 1, 5_000_000);
        final long[] values = new long[4];

        LatencyHistogram.valuesAt(buffer, offset, new double[]{0.5, 0.9, 0.99, 0.999}, values);

        assertThat(LatencyHistogram.count(buffer, offset)).isEqualTo(1001);
        assertThat(LatencyHistogram.sum(buffer, offset)).isEqualTo(500_500_000L + 5_000_000);
        assertThat(LatencyHistogram.max(buffer, offset)).isEqualTo(5_000_000);
        assertThat(values[0]).isBetween(501_000L, 501_000L + 501_000 / 32);
        assertThat(values[1]).isBetween(901_000L, 901_000L + 901_000 / 32);
        assertThat(values[2]).isBetween(991_000L, 991_000L + 991_000 / 32);
        assertThat(values[3]).isBetween(1_000_000L, 1_000_000L + 1_000_000 / 32);

        LatencyHistogram.reset(buffer, offset);
        LatencyHistogram.valuesAt(buffer, offset, new double[]{0.5}, values);
        assertThat(values[0]).isZero();
        assertThat(LatencyHistogram.count(buffer, offset)).isZero();
        assertThat(LatencyHistogram.max(buffer, offset)).isZero();
    }
}
