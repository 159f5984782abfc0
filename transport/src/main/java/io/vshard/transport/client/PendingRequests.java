package io.vshard.transport.client;

import java.util.Arrays;

/**
 * The requests a client stream waits answers for: correlation id to deadline, an open-addressing table with linear
 * probing whose slot is the id's low bits. Correlation ids come from one counter, so the ids a stream has in flight
 * are near-consecutive and land in near-consecutive slots: a put writes the cache line the previous put wrote, and
 * answers, which come back mostly in order, remove along the same lines. A general hash map scatters them (one cache
 * miss per put and per remove was a seventh of the client I/O thread's time at 500 k round trips/s). The table
 * doubles when half full; removal shifts the following entries of the run back, so no tombstones accumulate.
 * One thread only; never allocates except to grow.
 */
final class PendingRequests
{
    /** Returned when an id is not in the table. */
    static final long MISSING = Long.MIN_VALUE;

    private static final long EMPTY = 0;
    private static final int INITIAL_CAPACITY = 1024;

    private long[] ids = new long[INITIAL_CAPACITY];
    private long[] deadlines = new long[INITIAL_CAPACITY];
    private int mask = INITIAL_CAPACITY - 1;
    private int size;

    /**
     * Add a request.
     *
     * @param id       correlation id, never 0 (0 is fire-and-forget, which waits for nothing).
     * @param deadline its deadline, never {@link #MISSING}.
     */
    void put(final long id, final long deadline)
    {
        if (EMPTY == id)
        {
            throw new IllegalArgumentException("correlation id 0 is fire-and-forget");
        }
        final int at = indexOf(id);
        if (-1 != at)
        {
            deadlines[at] = deadline;
            return;
        }
        if (++size > (mask + 1) >> 1)
        {
            grow();
        }
        int i = (int)id & mask;
        while (EMPTY != ids[i])
        {
            i = (i + 1) & mask;
        }
        ids[i] = id;
        deadlines[i] = deadline;
    }

    /**
     * The deadline of a request.
     *
     * @param id correlation id.
     * @return its deadline, or {@link #MISSING}.
     */
    long get(final long id)
    {
        final int i = indexOf(id);
        return -1 == i ? MISSING : deadlines[i];
    }

    /**
     * Remove a request.
     *
     * @param id correlation id.
     * @return its deadline, or {@link #MISSING} when it was not there.
     */
    long remove(final long id)
    {
        int i = indexOf(id);
        if (-1 == i)
        {
            return MISSING;
        }
        final long deadline = deadlines[i];
        size--;
        // Backward-shift deletion: move up each later entry of the run whose home slot is not between the hole and
        // its own slot, so every entry stays reachable from its home without tombstones.
        int j = i;
        while (true)
        {
            j = (j + 1) & mask;
            final long next = ids[j];
            if (EMPTY == next)
            {
                break;
            }
            final int home = (int)next & mask;
            if (((j - home) & mask) >= ((j - i) & mask))
            {
                ids[i] = next;
                deadlines[i] = deadlines[j];
                i = j;
            }
        }
        ids[i] = EMPTY;
        return deadline;
    }

    /**
     * Requests in the table.
     *
     * @return count.
     */
    int size()
    {
        return size;
    }

    /**
     * Forget every request.
     */
    void clear()
    {
        Arrays.fill(ids, EMPTY);
        size = 0;
    }

    private int indexOf(final long id)
    {
        if (EMPTY == id)
        {
            return -1;
        }
        int i = (int)id & mask;
        long at;
        while (EMPTY != (at = ids[i]))
        {
            if (at == id)
            {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    private void grow()
    {
        final long[] oldIds = ids;
        final long[] oldDeadlines = deadlines;
        final int capacity = oldIds.length << 1;
        ids = new long[capacity];
        deadlines = new long[capacity];
        mask = capacity - 1;
        for (int k = 0; k < oldIds.length; k++)
        {
            final long id = oldIds[k];
            if (EMPTY != id)
            {
                int i = (int)id & mask;
                while (EMPTY != ids[i])
                {
                    i = (i + 1) & mask;
                }
                ids[i] = id;
                deadlines[i] = oldDeadlines[k];
            }
        }
    }
}
