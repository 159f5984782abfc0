package io.vshard.core.pipeline;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pooled off-heap buffers in power-of-two size classes, for payloads and replies too large for a slot or a ring
 * record. Buffers are allocated on first need, up to a bound per class, and reused; none is freed before
 * {@link #close()}. Any thread may acquire and release; nothing is allocated once a class has warmed up.
 * <p>
 * {@link #close()} frees the buffers that are back in the pool; a buffer still out at that moment is never freed
 * explicitly (a late user may still hold it) and goes back to the system through its cleaner once unreachable.
 */
public final class BufferPool implements AutoCloseable
{
    /** Smallest size class. */
    public static final int MIN_CLASS_LENGTH = 1024;

    /** Most buffers any one class may hold. */
    public static final int MAX_BUFFERS_PER_CLASS = 4096;

    private final int minShift;
    private final int maxLength;
    private final int[] maxBuffers;
    private final AtomicInteger[] allocated;
    private final ManyToManyConcurrentArrayQueue<UnsafeBuffer>[] free;
    private volatile boolean roomWanted;
    private Runnable roomCallback;
    private volatile boolean closed;

    /**
     * A pool for buffers up to a maximum length.
     *
     * @param maxLength  the largest length {@link #acquire(int)} must serve.
     * @param classBytes upper bound of memory per size class; every class may hold at least two buffers.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public BufferPool(final int maxLength, final int classBytes)
    {
        this.maxLength = maxLength;
        minShift = Integer.numberOfTrailingZeros(MIN_CLASS_LENGTH);
        final int maxClassLength = BitUtil.findNextPositivePowerOfTwo(Math.max(maxLength, MIN_CLASS_LENGTH));
        final int classCount = Integer.numberOfTrailingZeros(maxClassLength) - minShift + 1;
        maxBuffers = new int[classCount];
        allocated = new AtomicInteger[classCount];
        free = new ManyToManyConcurrentArrayQueue[classCount];
        for (int i = 0; i < classCount; i++)
        {
            final int length = MIN_CLASS_LENGTH << i;
            maxBuffers[i] = Math.max(2, Math.min(MAX_BUFFERS_PER_CLASS, classBytes / length));
            allocated[i] = new AtomicInteger();
            free[i] = new ManyToManyConcurrentArrayQueue<>(Math.max(2, maxBuffers[i]));
        }
    }

    /**
     * A buffer of at least {@code length} bytes, or {@code null} when its class is at its bound and all its buffers
     * are in use: the caller is back-pressured and may ask {@link #roomWanted()} to be signalled.
     *
     * @param length needed, at most the pool's maximum.
     * @return a buffer whose capacity is the class length, or {@code null}.
     * @throws IllegalArgumentException when length exceeds the pool's maximum.
     */
    public UnsafeBuffer acquire(final int length)
    {
        if (length > maxLength)
        {
            throw new IllegalArgumentException("length above pool maximum: length=" + length + " max=" + maxLength);
        }
        final int classIndex = classIndex(length);
        final UnsafeBuffer buffer = free[classIndex].poll();
        if (closed)
        {
            return null;
        }
        return null != buffer ? buffer : allocate(classIndex);
    }

    /**
     * Return a buffer acquired from this pool. After a release, the releasing thread learns from
     * {@link #takeRoomWanted()} whether a publisher waits for room.
     *
     * @param buffer from {@link #acquire(int)}.
     */
    public void release(final UnsafeBuffer buffer)
    {
        final ManyToManyConcurrentArrayQueue<UnsafeBuffer> queue = free[classIndex(buffer.capacity())];
        // The queue holds every buffer of its class, so it is never full; but offer fails while a concurrent poll
        // of the slot it needs is half done. Dropping the buffer then would shrink the class for good.
        while (!queue.offer(buffer))
        {
            Thread.onSpinWait();
        }
        if (null != roomCallback && takeRoomWanted())
        {
            roomCallback.run();
        }
    }

    /**
     * What to run when a buffer comes back while a publisher waits for room (see {@link #roomWanted()}). Whoever
     * releases runs it: a lane thread, or an I/O thread returning a large reply's buffer. Control plane: set once
     * before use.
     *
     * @param roomCallback must not block.
     */
    public void roomCallback(final Runnable roomCallback)
    {
        this.roomCallback = roomCallback;
    }

    /**
     * Ask to be told of room: set by a publisher that got {@code null} from {@link #acquire(int)}, before it tries
     * once more.
     */
    public void roomWanted()
    {
        roomWanted = true;
        VarHandle.fullFence();
    }

    /**
     * Called after releases: whether a publisher asked for room since the last call, clearing the request.
     *
     * @return true when a publisher should be told to retry.
     */
    public boolean takeRoomWanted()
    {
        VarHandle.fullFence();
        if (roomWanted)
        {
            roomWanted = false;
            return true;
        }
        return false;
    }

    /**
     * Bytes of buffers allocated so far, in use or free.
     *
     * @return bytes.
     */
    public long allocatedBytes()
    {
        long total = 0;
        for (int i = 0; i < allocated.length; i++)
        {
            total += (long)allocated[i].get() * (MIN_CLASS_LENGTH << i);
        }
        return total;
    }

    /**
     * Buffers currently in use (acquired and not yet released).
     *
     * @return the count.
     */
    public int inUse()
    {
        int inUse = 0;
        for (int i = 0; i < allocated.length; i++)
        {
            inUse += allocated[i].get() - free[i].size();
        }
        return inUse;
    }

    /**
     * Refuse further acquisitions and free the buffers back in the pool.
     */
    public void close()
    {
        closed = true;
        for (final ManyToManyConcurrentArrayQueue<UnsafeBuffer> queue : free)
        {
            UnsafeBuffer buffer;
            while (null != (buffer = queue.poll()))
            {
                BufferUtil.free(buffer);
            }
        }
    }

    private UnsafeBuffer allocate(final int classIndex)
    {
        final AtomicInteger count = allocated[classIndex];
        while (true)
        {
            final int current = count.get();
            if (current >= maxBuffers[classIndex] || closed)
            {
                return null;
            }
            if (count.compareAndSet(current, current + 1))
            {
                return new UnsafeBuffer(ByteBuffer.allocateDirect(MIN_CLASS_LENGTH << classIndex));
            }
        }
    }

    private int classIndex(final int length)
    {
        if (length <= MIN_CLASS_LENGTH)
        {
            return 0;
        }
        return (32 - Integer.numberOfLeadingZeros(length - 1)) - minShift;
    }
}
