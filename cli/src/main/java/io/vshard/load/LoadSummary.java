package io.vshard.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vshard.core.wire.ErrorCode;
import org.HdrHistogram.Histogram;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of a load run: counts, throughput, latency percentiles and errors by code.
 *
 * @param sent             envelopes sent.
 * @param answered         answers received (RESPONSE, ACK or ERROR); 0 for fire-and-forget runs.
 * @param responses        RESPONSE answers.
 * @param acks             ACK answers.
 * @param errorsByCode     ERROR answers by error code name.
 * @param failed           requests that failed without an answer (timeout, connection closed).
 * @param elapsedNs        from the first send to the last answer (or the last send for fire-and-forget).
 * @param requestMode      whether requests waited for answers.
 * @param rate             target rate in envelopes/s, 0 for as fast as flow control allows.
 * @param latencyNs        latency histogram in nanoseconds (empty for fire-and-forget).
 * @param interrupted      whether a signal stopped the run before its end (a partial summary).
 */
public record LoadSummary(
    long sent,
    long answered,
    long responses,
    long acks,
    Map<String, Long> errorsByCode,
    long failed,
    long elapsedNs,
    boolean requestMode,
    long rate,
    Histogram latencyNs,
    boolean interrupted)
{
    /** Percentiles printed and written, in percent. */
    static final double[] PERCENTILES = {50.0, 90.0, 99.0, 99.9, 99.99};

    /**
     * Errors of all codes.
     *
     * @return ERROR answers.
     */
    public long errors()
    {
        long total = 0;
        for (final long count : errorsByCode.values())
        {
            total += count;
        }
        return total;
    }

    /**
     * Whether every request got an answer (request mode) and nothing failed.
     *
     * @return true when nothing was lost.
     */
    public boolean nothingLost()
    {
        return failed == 0 && (!requestMode || answered == sent);
    }

    /**
     * Throughput over the run.
     *
     * @return envelopes per second.
     */
    public double throughputPerSecond()
    {
        return elapsedNs <= 0 ? 0 : (requestMode ? answered : sent) * 1e9 / elapsedNs;
    }

    /**
     * Print the human summary.
     *
     * @param out to print to.
     */
    public void print(final PrintStream out)
    {
        out.printf("%nsummary%s: %s, %s%n", interrupted ? " (interrupted, partial)" : "",
            requestMode ? "request/reply" : "fire-and-forget",
            rate > 0 ? "target rate " + rate + "/s" : "as fast as flow control allows");
        out.printf("  sent %,d  answered %,d  (responses %,d, acks %,d, errors %,d)  failed %,d%n",
            sent, answered, responses, acks, errors(), failed);
        out.printf("  elapsed %.3f s  throughput %,.0f envelopes/s%n", elapsedNs / 1e9, throughputPerSecond());
        if (latencyNs.getTotalCount() > 0)
        {
            out.printf("  latency (us)%s: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f%n",
                rate > 0 ? ", corrected for coordinated omission" : "",
                us(50.0), us(90.0), us(99.0), us(99.9), latencyNs.getMaxValue() / 1e3);
        }
        if (!errorsByCode.isEmpty())
        {
            out.println("  errors by code: " + errorsByCode);
        }
        out.println(nothingLost() ? "  result: nothing lost" :
            "  result: LOST: " + failed + " failed (timed out or connection closed)" +
            (requestMode ? ", " + (sent - answered) + " unanswered" : ""));
    }

    /**
     * Write the summary as JSON.
     *
     * @param file to write.
     * @throws IOException on a write failure.
     */
    public void writeJson(final File file) throws IOException
    {
        final Map<String, Object> json = new LinkedHashMap<>();
        json.put("mode", requestMode ? "request" : "fire-and-forget");
        json.put("rate", rate);
        json.put("interrupted", interrupted);
        json.put("sent", sent);
        json.put("answered", answered);
        json.put("responses", responses);
        json.put("acks", acks);
        json.put("errors", errors());
        json.put("errors_by_code", new TreeMap<>(errorsByCode));
        json.put("failed", failed);
        json.put("elapsed_s", elapsedNs / 1e9);
        json.put("throughput_per_s", throughputPerSecond());
        final Map<String, Object> latency = new LinkedHashMap<>();
        if (latencyNs.getTotalCount() > 0)
        {
            for (final double p : PERCENTILES)
            {
                latency.put("p" + (p == Math.rint(p) ? String.valueOf((long)p) : String.valueOf(p)), us(p));
            }
            latency.put("max", latencyNs.getMaxValue() / 1e3);
            latency.put("mean", latencyNs.getMean() / 1e3);
        }
        json.put("latency_us", latency);
        json.put("nothing_lost", nothingLost());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file, json);
    }

    /**
     * Write the percentile distribution in HdrHistogram's {@code .hgrm} format, in microseconds.
     *
     * @param file to write.
     * @throws IOException on a write failure.
     */
    public void writeHgrm(final File file) throws IOException
    {
        try (PrintStream out = new PrintStream(file, "UTF-8"))
        {
            latencyNs.outputPercentileDistribution(out, 1000.0);
        }
    }

    /**
     * Name of an error code for {@link #errorsByCode()}.
     *
     * @param code the wire value.
     * @return its name, or {@code code-N} for an unknown value.
     */
    public static String errorName(final int code)
    {
        final ErrorCode errorCode = ErrorCode.get(code);
        return null == errorCode ? "code-" + code : errorCode.name();
    }

    private double us(final double percentile)
    {
        return latencyNs.getValueAtPercentile(percentile) / 1e3;
    }
}
