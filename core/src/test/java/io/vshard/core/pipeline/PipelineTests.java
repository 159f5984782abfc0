package io.vshard.core.pipeline;

import io.vshard.core.status.CounterRow;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Helpers shared by the pipeline tests: a context suited to a shared 2-core machine, envelopes, counters, awaits.
 */
final class PipelineTests
{
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    static final long SOURCE_NODE = 5;
    static final long TARGET_NODE = 6;
    static final int VSHARD_ID = 999;

    private PipelineTests()
    {
    }

    /**
     * A context with a small ring, a non-spinning wait strategy, its own directory, and errors collected.
     */
    static PipelineContext context(final Path dir, final Queue<Throwable> errors)
    {
        return new PipelineContext()
            .dir(dir.toFile())
            .name("test")
            .laneRingSize(64)
            .waitStrategy(WaitStrategyKind.BLOCKING)
            .errorHandler(errors::add);
    }

    static PipelineContext context(final Path dir)
    {
        return context(dir, new ConcurrentLinkedQueue<>());
    }

    static UnsafeBuffer envelope(final MessageType type, final byte[] payload)
    {
        return new UnsafeBuffer(VShardEnvelope.of(type, SOURCE_NODE, TARGET_NODE, VSHARD_ID, payload).encode());
    }

    static UnsafeBuffer envelope(final MessageType type, final int payloadLength)
    {
        return envelope(type, new byte[payloadLength]);
    }

    static int offer(
        final Pipeline pipeline, final AnswerSink sink, final UnsafeBuffer envelope, final long correlationId)
    {
        return pipeline.offer(envelope, 0, envelope.capacity(), sink.destination(), 7, correlationId);
    }

    /**
     * Offer, retrying while back-pressured; fails on any other result than ACCEPTED.
     */
    static void offerAccepted(
        final Pipeline pipeline, final AnswerSink sink, final UnsafeBuffer envelope, final long correlationId)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT.toNanos();
        int result;
        while (Pipeline.BACK_PRESSURED == (result = offer(pipeline, sink, envelope, correlationId)))
        {
            sink.poll();
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("back-pressured for " + TIMEOUT + ": correlationId=" + correlationId);
            }
            Thread.yield();
        }
        if (Pipeline.ACCEPTED != result)
        {
            throw new AssertionError("offer refused: result=" + result + " correlationId=" + correlationId);
        }
    }

    static List<CounterRow> counters(final CountersReader reader)
    {
        return CounterRow.readAll(reader);
    }

    /**
     * The value of one counter, such as {@code ("lane 0", "received")}.
     */
    static long counter(final CountersReader reader, final String scope, final String metric)
    {
        final List<CounterRow> rows = counters(reader);
        return rows.stream()
            .filter((row) -> row.scope().equals(scope) && row.metric().equals(metric))
            .mapToLong(CounterRow::value)
            .reduce((a, b) ->
            {
                throw new AssertionError("two counters named " + scope + ": " + metric);
            })
            .orElseThrow(() -> new AssertionError("no counter " + scope + ": " + metric + " in " + rows));
    }

    static long counter(final Pipeline pipeline, final String scope, final String metric)
    {
        return counter(pipeline.countersManager(), scope, metric);
    }

    /**
     * Wait for a condition another thread makes true; a bounded await, not a sleep.
     */
    static void awaitTrue(final BooleanSupplier condition, final Supplier<String> whatFailed)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after " + TIMEOUT + ": " + whatFailed.get());
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        }
    }

    /**
     * Close then release, for finally blocks.
     */
    static void closeAndRelease(final Pipeline pipeline)
    {
        try
        {
            pipeline.close();
        }
        finally
        {
            pipeline.release();
        }
    }
}
