package io.vshard.transport.hardening;

import io.vshard.core.wire.EnvelopeView;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.transport.client.AnswerListener;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Books every request of a run and every outcome the client reports, to prove exactly-once answers with the right
 * correlation. Request {@code i} (1-based) carries {@code i} in the first 8 bytes of its payload and the echo handler sends it back,
 * so a RESPONSE names its request by content, independently of the correlation id it came with. Outcomes that carry
 * no envelope (ERROR, ACK, timeout, connection closed) are kept by correlation id and matched after the run.
 * The sender calls {@link #sent(int, long)}; the client's I/O thread calls {@link #onAnswer}.
 */
public final class RequestLedger implements AnswerListener
{
    /** Payload length of a ledger request. */
    public static final int PAYLOAD_LENGTH = 8;

    private final int count;
    private final AtomicLongArray idOf;
    private final AtomicLongArray answeredWith;
    private final AtomicIntegerArray responses;
    private final ConcurrentHashMap<Long, Integer> otherOutcomes = new ConcurrentHashMap<>();
    private final AtomicLong outcomes = new AtomicLong();
    private final AtomicLong strayResponses = new AtomicLong();
    private final AtomicLong duplicateOutcomes = new AtomicLong();

    /**
     * A ledger for requests 1 to count.
     *
     * @param count requests in the run.
     */
    public RequestLedger(final int count)
    {
        this.count = count;
        this.idOf = new AtomicLongArray(count + 1);
        this.answeredWith = new AtomicLongArray(count + 1);
        this.responses = new AtomicIntegerArray(count + 1);
    }

    /**
     * Write request {@code i}'s payload.
     *
     * @param buffer holding the envelope.
     * @param payloadOffset where its payload starts.
     * @param i the request number.
     */
    public static void payload(final UnsafeBuffer buffer, final int payloadOffset, final int i)
    {
        buffer.putLong(payloadOffset, i, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Book a request as sent.
     *
     * @param i             the request number.
     * @param correlationId what the client returned for it.
     */
    public void sent(final int i, final long correlationId)
    {
        idOf.set(i, correlationId);
    }

    /**
     * {@inheritDoc}
     */
    public void onAnswer(final long correlationId, final int kind, final int errorCode, final EnvelopeView envelope)
    {
        outcomes.incrementAndGet();
        if (FrameDescriptor.KIND_RESPONSE == kind && null != envelope && envelope.payloadLength() >= PAYLOAD_LENGTH)
        {
            final long i = envelope.payloadBuffer().getLong(envelope.payloadOffset(), ByteOrder.LITTLE_ENDIAN);
            if (i < 1 || i > count)
            {
                strayResponses.incrementAndGet();
                return;
            }
            if (responses.incrementAndGet((int)i) > 1)
            {
                duplicateOutcomes.incrementAndGet();
            }
            answeredWith.set((int)i, correlationId);
            return;
        }
        if (null != otherOutcomes.putIfAbsent(correlationId, kind))
        {
            duplicateOutcomes.incrementAndGet();
        }
    }

    /**
     * Outcomes reported so far.
     *
     * @return the count.
     */
    public long outcomes()
    {
        return outcomes.get();
    }

    /**
     * Wait until {@code expected} outcomes were reported, failing when none comes for {@code stallMs}: a stall.
     *
     * @param expected   outcomes to wait for.
     * @param stallMs    longest time without progress.
     * @param diagnostic what to report on a stall.
     * @return milliseconds waited.
     */
    public long awaitOutcomes(final long expected, final long stallMs, final java.util.function.Supplier<String> diagnostic)
    {
        final long startNs = System.nanoTime();
        long last = -1;
        long lastProgressNs = startNs;
        while (outcomes.get() < expected)
        {
            final long now = outcomes.get();
            if (now != last)
            {
                last = now;
                lastProgressNs = System.nanoTime();
            }
            else if (System.nanoTime() - lastProgressNs > TimeUnit.MILLISECONDS.toNanos(stallMs))
            {
                throw new AssertionError("STALL: no outcome for " + stallMs + " ms at " + now + "/" + expected +
                    " outcomes; " + diagnostic.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
    }

    /**
     * Everything wrong with the run, empty when every request 1..sent got exactly one RESPONSE carrying its own
     * payload and its own correlation id, and nothing else was reported.
     *
     * @param sent requests sent, 1..sent.
     * @return one line per problem, at most 20 lines.
     */
    public List<String> exactlyOnceViolations(final int sent)
    {
        final List<String> problems = new ArrayList<>();
        if (strayResponses.get() > 0)
        {
            problems.add(strayResponses.get() + " responses carrying no request's payload");
        }
        if (duplicateOutcomes.get() > 0)
        {
            problems.add(duplicateOutcomes.get() + " requests with more than one outcome");
        }
        if (!otherOutcomes.isEmpty())
        {
            problems.add(otherOutcomes.size() + " outcomes other than RESPONSE, kinds " +
                otherOutcomes.values().stream().distinct().toList());
        }
        for (int i = 1; i <= sent && problems.size() < 20; i++)
        {
            if (1 != responses.get(i))
            {
                problems.add("request " + i + " got " + responses.get(i) + " responses");
            }
            else if (answeredWith.get(i) != idOf.get(i))
            {
                problems.add("request " + i + " sent as " + idOf.get(i) + " answered as " + answeredWith.get(i));
            }
        }
        return problems;
    }

    /**
     * For a run cut short (the node killed): count the outcomes per kind and check that every RESPONSE matched its
     * own request and no request has two outcomes.
     *
     * @param sent requests sent.
     * @return responses, failures and problems found.
     */
    public Tally tally(final int sent)
    {
        long ok = 0;
        final List<String> problems = new ArrayList<>();
        for (int i = 1; i <= sent; i++)
        {
            final int n = responses.get(i);
            if (n > 1)
            {
                problems.add("request " + i + " got " + n + " responses");
            }
            if (1 == n)
            {
                ok++;
                if (answeredWith.get(i) != idOf.get(i))
                {
                    problems.add("request " + i + " sent as " + idOf.get(i) + " answered as " + answeredWith.get(i));
                }
                if (otherOutcomes.containsKey(idOf.get(i)))
                {
                    problems.add("request " + i + " both answered and failed");
                }
            }
        }
        if (duplicateOutcomes.get() > 0)
        {
            problems.add(duplicateOutcomes.get() + " duplicate outcomes");
        }
        final long timedOut = otherOutcomes.values().stream().filter((k) -> TIMED_OUT == k).count();
        final long closed = otherOutcomes.values().stream().filter((k) -> CONNECTION_CLOSED == k).count();
        final long other = otherOutcomes.size() - timedOut - closed;
        return new Tally(ok, timedOut, closed, other, problems);
    }

    /**
     * Outcomes of a run, by kind.
     *
     * @param responses the requests answered with their own RESPONSE.
     * @param timedOut  reported TIMED_OUT.
     * @param closed    reported CONNECTION_CLOSED.
     * @param other     any other outcome (ACK, ERROR).
     * @param problems  violations of exactly-once or of correlation.
     */
    public record Tally(long responses, long timedOut, long closed, long other, List<String> problems)
    {
    }
}
