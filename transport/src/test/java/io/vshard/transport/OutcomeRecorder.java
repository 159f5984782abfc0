package io.vshard.transport;

import io.vshard.core.wire.EnvelopeView;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.transport.client.AnswerListener;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records the outcome of every request of one client, by correlation id, and the ids the senders were given: so a test
 * can check that every request sent got exactly one outcome, and count outcomes by kind.
 */
final class OutcomeRecorder implements AnswerListener
{
    private final Set<Long> sent = ConcurrentHashMap.newKeySet();
    private final Map<Long, String> outcomes = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final AtomicLong duplicates = new AtomicLong();

    /**
     * A sender was given this correlation id: the request is on its way and must get an outcome.
     *
     * @param correlationId the id {@code QuicClient.request} returned.
     */
    void sent(final long correlationId)
    {
        sent.add(correlationId);
    }

    /**
     * {@inheritDoc}
     */
    public void onAnswer(final long correlationId, final int kind, final int errorCode, final EnvelopeView envelope)
    {
        final String name = describe(kind, errorCode);
        // Counted by kind first: a test that waits for outcomeCount() then reads counts() sees this one in both.
        counts.computeIfAbsent(name, (k) -> new AtomicLong()).incrementAndGet();
        if (null != outcomes.putIfAbsent(correlationId, name))
        {
            duplicates.incrementAndGet();
        }
    }

    long sentCount()
    {
        return sent.size();
    }

    long outcomeCount()
    {
        return outcomes.size();
    }

    long duplicates()
    {
        return duplicates.get();
    }

    /**
     * Outcomes by kind, for assertions and messages.
     *
     * @return a sorted snapshot.
     */
    Map<String, Long> counts()
    {
        final Map<String, Long> snapshot = new TreeMap<>();
        counts.forEach((name, count) -> snapshot.put(name, count.get()));
        return snapshot;
    }

    /**
     * Requests sent that have no outcome yet.
     *
     * @return the ids, at most a few for messages.
     */
    Set<Long> missing()
    {
        final Set<Long> missing = new java.util.TreeSet<>();
        for (final Long id : sent)
        {
            if (!outcomes.containsKey(id) && missing.size() < 10)
            {
                missing.add(id);
            }
        }
        return missing;
    }

    /**
     * Outcomes for ids no sender was given.
     *
     * @return the count.
     */
    long unexpected()
    {
        return outcomes.keySet().stream().filter((id) -> !sent.contains(id)).count();
    }

    static String describe(final int kind, final int errorCode)
    {
        return switch (kind)
        {
            case FrameDescriptor.KIND_RESPONSE -> "RESPONSE";
            case FrameDescriptor.KIND_ACK -> "ACK";
            case FrameDescriptor.KIND_ERROR -> "ERROR " + nameOf(errorCode);
            case AnswerListener.TIMED_OUT -> "TIMED_OUT";
            case AnswerListener.CONNECTION_CLOSED -> "CONNECTION_CLOSED";
            default -> "kind " + kind;
        };
    }

    private static String nameOf(final int errorCode)
    {
        for (final ErrorCode code : ErrorCode.values())
        {
            if (code.value() == errorCode)
            {
                return code.name();
            }
        }
        return Integer.toString(errorCode);
    }
}
