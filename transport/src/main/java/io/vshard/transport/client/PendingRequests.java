package io.vshard.transport.client;

import org.agrona.collections.Long2LongHashMap;

import java.util.Arrays;

/**
 * The requests a client stream waits answers for: correlation id to deadline. Correlation ids come from one counter,
 * so the ids a stream has in flight are near-consecutive: a direct-mapped table indexed by the id's low bits holds
 * each at its own slot, puts and removes walk the same cache lines in order, and a lookup of an id that is not there
 * (an answered request met by the expiry pass) costs one slot read. A general hash map scatters the ids (one cache
 * miss per put and per remove was a seventh of the client I/O thread's time at 500 k round trips/s); linear probing
 * keeps them together but then walks the whole run of consecutive ids to delete or to miss.
 * <p>
 * An id whose slot holds another live id (one outstanding for longer than the table's span of ids) goes to an
 * overflow map; when that holds more than an eighth of the table's size the table doubles, up to 2^20 slots (16 MiB).
 * One thread only; allocates only to grow and in the overflow map.
 */
final class PendingRequests
{
    /** Returned when an id is not in the table. */
    static final long MISSING = Long.MIN_VALUE;

    private static final long EMPTY = 0;
    private static final int INITIAL_CAPACITY = 8192;
    private static final int MAX_CAPACITY = 1 << 20;

    private long[] ids = new long[INITIAL_CAPACITY];
    private long[] deadlines = new long[INITIAL_CAPACITY];
    private int mask = INITIAL_CAPACITY - 1;
    private final Long2LongHashMap overflow = new Long2LongHashMap(MISSING);
    private int size;

    /**
     * Add a request, or replace the deadline of one already there.
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
        final int slot = (int)id & mask;
        final long at = ids[slot];
        if (EMPTY == at || id == at)
        {
            if (EMPTY == at)
            {
                size++;
            }
            ids[slot] = id;
            deadlines[slot] = deadline;
            return;
        }
        if (MISSING == overflow.put(id, deadline))
        {
            size++;
            if (overflow.size() > (mask + 1) >> 3 && mask + 1 < MAX_CAPACITY)
            {
                grow();
            }
        }
    }

    /**
     * The deadline of a request.
     *
     * @param id correlation id.
     * @return its deadline, or {@link #MISSING}.
     */
    long get(final long id)
    {
        final int slot = (int)id & mask;
        if (id == ids[slot] && EMPTY != id)
        {
            return deadlines[slot];
        }
        return overflow.isEmpty() ? MISSING : overflow.get(id);
    }

    /**
     * Remove a request.
     *
     * @param id correlation id.
     * @return its deadline, or {@link #MISSING} when it was not there.
     */
    long remove(final long id)
    {
        final int slot = (int)id & mask;
        if (id == ids[slot] && EMPTY != id)
        {
            ids[slot] = EMPTY;
            size--;
            return deadlines[slot];
        }
        if (overflow.isEmpty())
        {
            return MISSING;
        }
        final long deadline = overflow.remove(id);
        if (MISSING != deadline)
        {
            size--;
        }
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
        overflow.clear();
        size = 0;
    }

    private void grow()
    {
        final long[] oldIds = ids;
        final long[] oldDeadlines = deadlines;
        final int capacity = oldIds.length << 1;
        ids = new long[capacity];
        deadlines = new long[capacity];
        mask = capacity - 1;
        size = 0;
        final long[] spilled = new long[overflow.size() * 2];
        int n = 0;
        for (final Long2LongHashMap.EntryIterator it = overflow.entrySet().iterator(); it.hasNext(); )
        {
            it.next();
            spilled[n++] = it.getLongKey();
            spilled[n++] = it.getLongValue();
        }
        overflow.clear();
        for (int k = 0; k < oldIds.length; k++)
        {
            if (EMPTY != oldIds[k])
            {
                put(oldIds[k], oldDeadlines[k]);
            }
        }
        for (int k = 0; k < n; k += 2)
        {
            put(spilled[k], spilled[k + 1]);
        }
    }
}
