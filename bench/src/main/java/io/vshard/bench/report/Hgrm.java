package io.vshard.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code .hgrm} file (HdrHistogram's percentile distribution, values in microseconds) of the latency harness,
 * named {@code <series>-<pid>.hgrm}.
 *
 * @param series      the file name without its pid: benchmark, parameters and latency kind.
 * @param fork        the pid of the fork that wrote it.
 * @param percentiles percentile of each row, in [0, 1].
 * @param values      value of each row, microseconds.
 * @param max         the largest value recorded, microseconds.
 */
record Hgrm(String series, String fork, double[] percentiles, double[] values, double max)
{
    private static final Pattern NAME = Pattern.compile("(.+)-(\\d+)\\.hgrm");
    private static final Pattern MAX = Pattern.compile("#\\[Max\\s*=\\s*([0-9.eE+-]+)");

    static Hgrm read(final Path file) throws IOException
    {
        final Matcher name = NAME.matcher(file.getFileName().toString());
        final String series = name.matches() ? name.group(1) : file.getFileName().toString();
        final String fork = name.matches() ? name.group(2) : "?";
        final List<double[]> rows = new ArrayList<>();
        double max = Double.NaN;
        for (final String line : Files.readAllLines(file))
        {
            final String trimmed = line.trim();
            final Matcher maxMatcher = MAX.matcher(trimmed);
            if (maxMatcher.find())
            {
                max = Double.parseDouble(maxMatcher.group(1));
            }
            if (trimmed.isEmpty() || !Character.isDigit(trimmed.charAt(0)))
            {
                continue;
            }
            final String[] columns = trimmed.split("\\s+");
            if (columns.length >= 2)
            {
                rows.add(new double[]{Double.parseDouble(columns[1]), Double.parseDouble(columns[0])});
            }
        }
        final double[] percentiles = rows.stream().mapToDouble((row) -> row[0]).toArray();
        final double[] values = rows.stream().mapToDouble((row) -> row[1]).toArray();
        return new Hgrm(series, fork, percentiles, values, Double.isNaN(max) && values.length > 0 ?
            values[values.length - 1] : max);
    }

    /** The value at a percentile (in [0, 100]): the first row at or above it. */
    double valueAt(final double percentile)
    {
        final double fraction = percentile / 100.0;
        for (int i = 0; i < percentiles.length; i++)
        {
            if (percentiles[i] >= fraction)
            {
                return values[i];
            }
        }
        return max;
    }
}
