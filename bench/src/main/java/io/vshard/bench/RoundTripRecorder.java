package io.vshard.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Round trips of a ping-pong driven from the answer callback: one request in flight, the next one sent by the thread
 * that received the answer, with no hand-off to another thread. That thread calls {@link #start()} before the first
 * request and {@link #lap()} on each answer, just before it sends the next request; each lap records one round trip
 * into an HdrHistogram {@link Recorder} (no allocation, no lock) and counts it.
 * <p>
 * The benchmark thread brackets each JMH iteration with {@link #iterationStart()} and
 * {@link #iterationEnd(boolean)}, so that only measured iterations reach the histogram, and calls
 * {@link #finish(String)} at the end of the trial: it prints the percentiles and writes {@code <series>-roundTrip-
 * <pid>.hgrm} (values in microseconds) into {@code -Dvshard.bench.results}, where the report finds it.
 */
public final class RoundTripRecorder
{
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(10);

    private final Recorder recorder = new Recorder(HIGHEST_TRACKABLE_NS, 3);
    private final Histogram measured = new Histogram(HIGHEST_TRACKABLE_NS, 3);
    private final AtomicLong roundTrips = new AtomicLong();
    private Histogram interval;
    private long sentNs;

    /**
     * The first request is about to leave. Answering thread, or before it runs.
     */
    public void start()
    {
        sentNs = System.nanoTime();
    }

    /**
     * An answer came back and the next request is about to leave: record the round trip and restart the clock.
     * Answering thread only.
     */
    public void lap()
    {
        final long nowNs = System.nanoTime();
        recorder.recordValue(Math.min(nowNs - sentNs, HIGHEST_TRACKABLE_NS));
        sentNs = nowNs;
        roundTrips.lazySet(roundTrips.get() + 1);
    }

    /**
     * Round trips completed so far. Any thread.
     *
     * @return the count.
     */
    public long roundTrips()
    {
        return roundTrips.get();
    }

    /**
     * Drop what was recorded before this iteration. Benchmark thread, at the start of each iteration.
     */
    public void iterationStart()
    {
        interval = recorder.getIntervalHistogram(interval);
    }

    /**
     * Keep this iteration's round trips when it was a measured one. Benchmark thread, at the end of each iteration.
     *
     * @param measurement whether the iteration is a measured one (not warm-up).
     */
    public void iterationEnd(final boolean measurement)
    {
        interval = recorder.getIntervalHistogram(interval);
        if (measurement)
        {
            measured.add(interval);
        }
    }

    /**
     * Print the measured percentiles and write them as an {@code .hgrm} file. Benchmark thread, at trial end.
     *
     * @param series the file name's stem: benchmark and parameters, such as {@code GrpcEcho.bidiPingPong-payload=64}.
     */
    public void finish(final String series)
    {
        if (0 == measured.getTotalCount())
        {
            return;
        }
        System.out.printf("%n  HdrHistogram round trip (us), %d samples: p50 %.1f  p90 %.1f  p99 %.1f  " +
            "p99.9 %.1f  max %.1f%n", measured.getTotalCount(),
            measured.getValueAtPercentile(50) / 1e3, measured.getValueAtPercentile(90) / 1e3,
            measured.getValueAtPercentile(99) / 1e3, measured.getValueAtPercentile(99.9) / 1e3,
            measured.getMaxValue() / 1e3);
        final Path dir = Path.of(System.getProperty(BenchJvm.RESULTS_DIR_PROP_NAME, BenchJvm.RESULTS_DIR_DEFAULT));
        final String fileName = series + "-roundTrip-" + ProcessHandle.current().pid() + ".hgrm";
        try
        {
            Files.createDirectories(dir);
            try (PrintStream out = new PrintStream(Files.newOutputStream(dir.resolve(fileName)), false, "US-ASCII"))
            {
                measured.outputPercentileDistribution(out, 1000.0);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
