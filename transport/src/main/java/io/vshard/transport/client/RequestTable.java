package io.vshard.transport.client;

import io.vshard.core.flow.FlowResult;

/**
 * The requests written on one client stream that wait for an answer, with their expiry: a {@link PendingRequests}
 * table (correlation id to deadline) for the answers, and the ids in the order they were written for the expiry pass,
 * which stops at the first request whose deadline is still ahead. Requests are written in deadline order, give or take
 * the races of concurrent senders, so the pass costs what has expired plus one. One thread only (the stream's I/O
 * thread); allocates only to grow.
 */
final class RequestTable
{
    /**
     * Receives the requests the table gives up on.
     */
    @FunctionalInterface
    interface Failures
    {
        /**
         * A request that will get no answer.
         *
         * @param correlationId the request's id.
         * @param kind          {@link FlowResult#TIMED_OUT} or {@link FlowResult#CONNECTION_CLOSED}.
         */
        void onFailed(long correlationId, int kind);
    }

    private static final long MISSING = PendingRequests.MISSING;
    private static final int INITIAL_CAPACITY = 1024;

    private final PendingRequests pending = new PendingRequests();
    private long[] order = new long[INITIAL_CAPACITY];
    private int head;
    private int size;

    /**
     * A request written: wait for its answer until the deadline.
     *
     * @param correlationId the request's id, not 0.
     * @param deadlineNs    when it times out, in {@link System#nanoTime()} terms.
     */
    void register(final long correlationId, final long deadlineNs)
    {
        pending.put(correlationId, deadlineNs);
        if (size == order.length)
        {
            final long[] grown = new long[order.length * 2];
            for (int i = 0; i < size; i++)
            {
                grown[i] = order[(head + i) & (order.length - 1)];
            }
            order = grown;
            head = 0;
        }
        order[(head + size) & (order.length - 1)] = correlationId;
        size++;
    }

    /**
     * An answer came: take its request out.
     *
     * @param correlationId the answer's id.
     * @return true when the request was waiting; false for an answer that matches nothing (late, or never asked).
     */
    boolean complete(final long correlationId)
    {
        return MISSING != pending.remove(correlationId);
    }

    /**
     * Time out the requests whose deadline has passed, each once through {@code failures}
     * ({@link FlowResult#TIMED_OUT}), and forget the answered ones at the head of the order.
     *
     * @param nowNs    the time now, in {@link System#nanoTime()} terms.
     * @param failures receives the timed-out requests.
     * @return requests timed out.
     */
    int expire(final long nowNs, final Failures failures)
    {
        int expired = 0;
        while (size > 0)
        {
            final long id = order[head];
            final long deadlineNs = pending.get(id);
            if (MISSING != deadlineNs && deadlineNs - nowNs > 0)
            {
                break;
            }
            pop();
            if (MISSING != deadlineNs)
            {
                pending.remove(id);
                expired++;
                failures.onFailed(id, FlowResult.TIMED_OUT);
            }
        }
        return expired;
    }

    /**
     * The stream is gone: fail every waiting request through {@code failures} ({@link FlowResult#CONNECTION_CLOSED})
     * and empty the table.
     *
     * @param failures receives the failed requests.
     * @return requests failed.
     */
    int failAll(final Failures failures)
    {
        int failed = 0;
        while (size > 0)
        {
            final long id = order[head];
            pop();
            if (MISSING != pending.remove(id))
            {
                failed++;
                failures.onFailed(id, FlowResult.CONNECTION_CLOSED);
            }
        }
        pending.clear();
        return failed;
    }

    /**
     * Requests waiting for an answer.
     *
     * @return the count.
     */
    int waiting()
    {
        return pending.size();
    }

    private void pop()
    {
        head = (head + 1) & (order.length - 1);
        size--;
    }
}
