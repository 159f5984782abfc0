package io.vshard.bench.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One metric of one benchmark: JMH's score and 99.9% error, and the raw iteration values per fork, from which the
 * median and the spread of the per-fork means are taken.
 *
 * @param score    JMH's mean over all iterations of all forks.
 * @param error    JMH's half-width of the 99.9% confidence interval, NaN when JMH had too few samples.
 * @param unit     such as {@code ops/s}.
 * @param forks    raw iteration values, one array per fork.
 * @param percentiles JMH's percentiles of a {@code sample} run, keyed as in its JSON ({@code "50.0"}); else empty.
 */
record Stats(double score, double error, String unit, List<double[]> forks, Map<String, Double> percentiles)
{
    /**
     * A percentile of a {@code sample} run.
     *
     * @param percentile in [0, 100], one JMH reports (50, 90, 95, 99, 99.9, ...).
     * @return the value, NaN when the run has no such percentile.
     */
    double percentile(final double percentile)
    {
        final Double value = percentiles.get(String.valueOf(percentile));
        return null == value ? Double.NaN : value;
    }

    double median()
    {
        final double[] all = forks.stream().flatMapToDouble(Arrays::stream).sorted().toArray();
        if (0 == all.length)
        {
            return score;
        }
        final int mid = all.length / 2;
        return 0 == (all.length & 1) ? (all[mid - 1] + all[mid]) / 2 : all[mid];
    }

    double[] forkMeans()
    {
        final List<Double> means = new ArrayList<>();
        for (final double[] fork : forks)
        {
            means.add(Arrays.stream(fork).average().orElse(Double.NaN));
        }
        return means.stream().mapToDouble(Double::doubleValue).toArray();
    }

    double minForkMean()
    {
        return Arrays.stream(forkMeans()).min().orElse(Double.NaN);
    }

    double maxForkMean()
    {
        return Arrays.stream(forkMeans()).max().orElse(Double.NaN);
    }

    double relativeError()
    {
        return Double.isNaN(error) || 0 == score ? 0 : error / score;
    }
}
