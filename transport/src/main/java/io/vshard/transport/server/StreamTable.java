package io.vshard.transport.server;

import java.util.Arrays;

/**
 * The streams of one I/O thread, addressed by the opaque {@code long} reply address handed to the pipeline:
 * slot index in the low 32 bits, the slot's generation in the high 32, so that an answer for a stream that closed
 * (its slot since reused) finds nothing instead of the wrong stream. Only the owning I/O thread may use it.
 */
final class StreamTable
{
    private InboundStream[] streams = new InboundStream[64];
    private int[] generations = new int[64];
    private int[] free = new int[64];
    private int freeCount;
    private int size;

    long add(final InboundStream stream)
    {
        final int index;
        if (freeCount > 0)
        {
            index = free[--freeCount];
        }
        else
        {
            if (size == streams.length)
            {
                streams = Arrays.copyOf(streams, size * 2);
                generations = Arrays.copyOf(generations, size * 2);
                free = Arrays.copyOf(free, size * 2);
            }
            index = size++;
        }
        streams[index] = stream;
        return ((long)generations[index] << 32) | index;
    }

    InboundStream get(final long address)
    {
        final int index = (int)address;
        final InboundStream stream = index >= 0 && index < size ? streams[index] : null;
        return null != stream && generations[index] == (int)(address >>> 32) ? stream : null;
    }

    void remove(final long address)
    {
        final int index = (int)address;
        if (null != get(address))
        {
            streams[index] = null;
            generations[index]++;
            free[freeCount++] = index;
        }
    }

    int capacity()
    {
        return size;
    }

    InboundStream at(final int index)
    {
        return streams[index];
    }
}
