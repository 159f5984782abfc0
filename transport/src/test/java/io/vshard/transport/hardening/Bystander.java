package io.vshard.transport.hardening;

import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.transport.TestNode;
import io.vshard.transport.client.Answer;
import io.vshard.transport.client.QuicClient;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A well-behaved client beside the hostile or heavy traffic: on a thread of its own it sends one request at a time,
 * at a modest steady rate, to a target on another lane, and records each round trip in a histogram. Failed or wrong
 * answers are counted, never hidden.
 */
public final class Bystander implements AutoCloseable
{
    private final QuicClient client;
    private final MessageType type;
    private final long intervalNs;
    private final Thread thread;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    private volatile boolean running = true;

    /**
     * Start sending.
     *
     * @param client     connected, of node {@link TestNode#CLIENT_ID}.
     * @param type       of every request, choosing the lane.
     * @param intervalUs between requests.
     */
    public Bystander(final QuicClient client, final MessageType type, final long intervalUs)
    {
        this.client = client;
        this.type = type;
        this.intervalNs = TimeUnit.MICROSECONDS.toNanos(intervalUs);
        thread = new Thread(this::run, "bystander");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The round trips since the last call, in microseconds, and start a new histogram.
     *
     * @return the histogram.
     */
    public synchronized Histogram takeHistogram()
    {
        final Histogram taken = histogram;
        histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        return taken;
    }

    /**
     * Requests that failed, timed out or got a wrong answer.
     *
     * @return the count.
     */
    public long failures()
    {
        return failures.get();
    }

    /**
     * Requests answered correctly.
     *
     * @return the count.
     */
    public long answered()
    {
        return answered.get();
    }

    /**
     * Stop sending; the client is the caller's to close.
     */
    public void close()
    {
        running = false;
        try
        {
            thread.join(15_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One line: p50, p99, max and count of a histogram in milliseconds.
     *
     * @param histogram round trips in microseconds.
     * @return the line.
     */
    public static String describe(final Histogram histogram)
    {
        return String.format("n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms", histogram.getTotalCount(),
            histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0,
            histogram.getMaxValue() / 1000.0);
    }

    private void run()
    {
        int i = 0;
        while (running)
        {
            final byte[] payload = new byte[8];
            payload[0] = (byte)i++;
            final long startNs = System.nanoTime();
            try
            {
                final Answer answer = client.request(0, VShardEnvelope.of(type, TestNode.CLIENT_ID, TestNode.SERVER_ID,
                    i, payload)).get(30, TimeUnit.SECONDS);
                final long us = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startNs);
                if (FrameDescriptor.KIND_RESPONSE == answer.kind() && payload[0] == answer.envelope().payload()[0])
                {
                    answered.incrementAndGet();
                    synchronized (this)
                    {
                        histogram.recordValue(Math.min(us, histogram.getHighestTrackableValue()));
                    }
                }
                else
                {
                    failures.incrementAndGet();
                }
            }
            catch (final Exception ex)
            {
                failures.incrementAndGet();
            }
            LockSupport.parkNanos(intervalNs);
        }
    }
}
