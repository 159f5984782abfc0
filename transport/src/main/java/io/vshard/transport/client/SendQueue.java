package io.vshard.transport.client;

import io.netty.channel.EventLoop;
import io.vshard.core.flow.FlowResult;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.transport.ClientContext;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A client stream's send queue: whole frames, each followed by its deadline, copied in by any number of application
 * threads (an Agrona {@link ManyToOneRingBuffer} in direct memory of its own) and read by the stream's I/O thread.
 * The queue outlives the stream channels and connections it feeds.
 * <p>
 * Offers answer in the {@link FlowResult} vocabulary: the correlation id (zero or positive) when queued,
 * {@link FlowResult#BACK_PRESSURED} when full, {@link FlowResult#CLOSED} once {@link #close()}d. Nothing of the
 * ring's own vocabulary leaves this class.
 * <p>
 * A sender wakes the I/O thread only when it sleeps: the I/O thread arms a "needs wake-up" flag when a drain finds
 * the queue empty, then looks at the queue once more; a sender commits its frame, passes a full fence (the decrement
 * that ends its offer, below) and then reads the flag. Either the I/O thread's second look finds the frame, or the
 * sender finds the flag armed and, the one sender whose compare-and-set disarms it, hands the I/O thread a drain. A
 * busy I/O thread costs senders one read of a flag that does not change while it drains; deadlines come from the I/O
 * thread's {@link CoarseClock}, not a clock read per frame.
 * <p>
 * Closing frees the memory without waiting for the GC, and without freeing it under a sender still inside an offer
 * (RELIABILITY.md fix 11): each sender announces itself on a counter before it reads the closed flag; {@link #close()}
 * sets the flag and {@link #free} then waits, parked and bounded, for no sender inside, and hands what senders queued
 * after the I/O thread's last drain to a handler before freeing.
 */
final class SendQueue
{
    /** Bytes after each frame: its deadline, so that a frame the stream cannot take yet still times out. */
    static final int DEADLINE_LENGTH = 8;

    private static final int MSG_FRAME = 1;
    private static final int QUEUE_ALIGNMENT = 64;

    private static final VarHandle NEEDS_WAKEUP;

    static
    {
        try
        {
            NEEDS_WAKEUP = MethodHandles.lookup().findVarHandle(SendQueue.class, "needsWakeup", boolean.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final ManyToOneRingBuffer ring;
    private final ByteBuffer memory;
    private final int maxEnvelopeLength;
    private final long timeoutNs;
    private final CoarseClock clock;
    private final EventLoop ioThread;
    private final Runnable drainTask;
    private final AtomicInteger activeSenders = new AtomicInteger();
    private volatile boolean needsWakeup = true;
    private volatile boolean closed;
    private boolean freed;

    /**
     * A queue.
     *
     * @param capacityBytes bytes of frames the queue holds, a power of two.
     * @param timeoutNs     request timeout: each frame's deadline is its offer time plus this, never earlier (the
     *                      coarse clock's lag is added), up to the lag later.
     * @param clock         the I/O thread's clock.
     * @param ioThread      the thread that drains the queue.
     * @param drainTask     run on {@code ioThread} to wake it when it sleeps.
     */
    SendQueue(
        final int capacityBytes,
        final long timeoutNs,
        final CoarseClock clock,
        final EventLoop ioThread,
        final Runnable drainTask)
    {
        this.timeoutNs = timeoutNs + clock.maxLagNs();
        this.clock = clock;
        this.ioThread = ioThread;
        this.drainTask = drainTask;
        final int length = capacityBytes + RingBufferDescriptor.TRAILER_LENGTH;
        // Aligned by hand rather than with allocateDirectAligned, whose slice BufferUtil.free cannot free.
        this.memory = ByteBuffer.allocateDirect(length + QUEUE_ALIGNMENT);
        final int misalignment = (int)(BufferUtil.address(memory) & (QUEUE_ALIGNMENT - 1));
        final int alignedOffset = 0 == misalignment ? 0 : QUEUE_ALIGNMENT - misalignment;
        this.ring = new ManyToOneRingBuffer(new UnsafeBuffer(memory, alignedOffset, length));
        this.maxEnvelopeLength = ring.maxMsgLength() - FrameDescriptor.HEADER_LENGTH - DEADLINE_LENGTH;
    }

    /**
     * Any thread: queue an envelope frame with the given correlation id.
     *
     * @param correlationId of the frame, {@link FrameDescriptor#FIRE_AND_FORGET} for none.
     * @param src           holding the envelope.
     * @param offset        of the envelope.
     * @param length        of the envelope.
     * @return the correlation id when queued, {@link FlowResult#BACK_PRESSURED} or {@link FlowResult#CLOSED}.
     * @throws IllegalArgumentException when the envelope can never fit the queue.
     */
    long offer(final long correlationId, final DirectBuffer src, final int offset, final int length)
    {
        return offer(null, correlationId, src, offset, length);
    }

    /**
     * Any thread: queue a request whose correlation id is taken from {@code ids} only once the queue has room, so a
     * back-pressured request uses no id and a single sender sees consecutive ids.
     *
     * @param ids    the client's correlation id counter.
     * @param src    holding the envelope.
     * @param offset of the envelope.
     * @param length of the envelope.
     * @return the correlation id, {@link FlowResult#BACK_PRESSURED} or {@link FlowResult#CLOSED}.
     * @throws IllegalArgumentException when the envelope can never fit the queue.
     */
    long offerRequest(final AtomicLong ids, final DirectBuffer src, final int offset, final int length)
    {
        return offer(ids, 0, src, offset, length);
    }

    private long offer(
        final AtomicLong ids, final long givenId, final DirectBuffer src, final int offset, final int length)
    {
        // Announce ourselves, then look at the flag; close() sets the flag, then free() waits for no sender: with both
        // sides volatile one of them sees the other, so the memory is never freed under a sender.
        activeSenders.getAndIncrement();
        final long result;
        try
        {
            result = closed ? FlowResult.CLOSED : offerOpen(ids, givenId, src, offset, length);
        }
        finally
        {
            // A full fence after the commit: the sender's half of the wake-up's Dekker pair.
            activeSenders.getAndDecrement();
        }
        if (needsWakeup && result >= 0)
        {
            wakeUp();
        }
        return result;
    }

    private void wakeUp()
    {
        if (NEEDS_WAKEUP.compareAndSet(this, true, false))
        {
            try
            {
                ioThread.execute(drainTask);
            }
            catch (final RejectedExecutionException ex)
            {
                // The client is closing and its I/O thread has stopped: close() hands what is queued to free().
            }
        }
    }

    private long offerOpen(
        final AtomicLong ids, final long givenId, final DirectBuffer src, final int offset, final int length)
    {
        if (length > maxEnvelopeLength)
        {
            throw new IllegalArgumentException("envelope too large for the send queue: length=" + length +
                " max=" + maxEnvelopeLength + " (raise " + ClientContext.CLIENT_SEND_QUEUE_BYTES_PROP_NAME + ")");
        }
        final int frameLength = FrameDescriptor.HEADER_LENGTH + length;
        final int at = ring.tryClaim(MSG_FRAME, frameLength + DEADLINE_LENGTH);
        if (RingBuffer.INSUFFICIENT_CAPACITY == at)
        {
            return FlowResult.BACK_PRESSURED;
        }
        final MutableDirectBuffer buffer = ring.buffer();
        try
        {
            buffer.putBytes(at + FrameDescriptor.BODY_OFFSET, src, offset, length);
        }
        catch (final RuntimeException ex)
        {
            // A source out of bounds: the claimed record must not block the ring.
            ring.abort(at);
            throw ex;
        }
        final long correlationId = null != ids ? ids.incrementAndGet() : givenId;
        FrameDescriptor.putHeader(buffer, at, FrameDescriptor.KIND_ENVELOPE, correlationId, length);
        buffer.putLong(at + frameLength, clock.nowNs() + timeoutNs);
        ring.commit(at);
        return correlationId;
    }

    /**
     * I/O thread: read as {@link #read}; when the queue is empty, arm the wake-up flag and look once more, so that a
     * frame committed meanwhile is either read here or wakes the I/O thread (see the class comment).
     *
     * @param handler receives each record.
     * @param limit   most records to read.
     * @return records read; 0 when the queue is empty and the flag armed.
     */
    int readOrArm(final MessageHandler handler, final int limit)
    {
        final int read = read(handler, limit);
        if (0 != read)
        {
            return read;
        }
        needsWakeup = true;
        final int more = read(handler, limit);
        if (0 != more)
        {
            needsWakeup = false;
        }
        return more;
    }

    /**
     * I/O thread, as a drain starts: senders need not wake it until it arms the flag again.
     */
    void disarm()
    {
        needsWakeup = false;
    }

    /**
     * Whether a sender would wake the I/O thread now.
     *
     * @return true when armed.
     */
    boolean isArmed()
    {
        return needsWakeup;
    }

    /**
     * I/O thread: hand queued frames to {@code handler}, each as (buffer, index, frame length + deadline), up to
     * {@code limit}. Must not be called from inside the handler.
     *
     * @param handler receives each record.
     * @param limit   most records to read.
     * @return records read, 0 when the queue is empty.
     */
    int read(final MessageHandler handler, final int limit)
    {
        final int read = ring.read(handler, limit);
        // A read that meets the padding record at the end of the ring reads no message although more may follow
        // from the ring's start: read once more before taking 0 for empty.
        return 0 != read ? read : ring.read(handler, limit);
    }

    /**
     * I/O thread: as {@link #read} with a handler that may stop the read.
     *
     * @param handler receives each record.
     * @param limit   most records to read.
     * @return records consumed.
     */
    int controlledRead(final ControlledMessageHandler handler, final int limit)
    {
        return ring.controlledRead(handler, limit);
    }

    /**
     * Whether frames wait. Any thread; a snapshot.
     *
     * @return true when the queue holds a frame (or a frame being copied in).
     */
    boolean isEmpty()
    {
        return 0 == ring.size();
    }

    /**
     * The frame's length in a record {@link #read} hands out.
     *
     * @param recordLength the record's length.
     * @return the frame's length.
     */
    static int frameLength(final int recordLength)
    {
        return recordLength - DEADLINE_LENGTH;
    }

    /**
     * The deadline of the frame of a record {@link #read} hands out.
     *
     * @param buffer       the record's buffer.
     * @param index        the record's index.
     * @param recordLength the record's length.
     * @return the deadline in {@link System#nanoTime()} terms.
     */
    static long deadlineNs(final DirectBuffer buffer, final int index, final int recordLength)
    {
        return buffer.getLong(index + recordLength - DEADLINE_LENGTH);
    }

    /**
     * Control thread: refuse every later offer with {@link FlowResult#CLOSED}.
     */
    void close()
    {
        closed = true;
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed.
     */
    boolean isClosed()
    {
        return closed;
    }

    /**
     * Control thread, after {@link #close()} and once the I/O thread has stopped: wait for senders still inside an
     * offer (a copy, so briefly), hand the frames still queued (those committed after the I/O thread's last drain)
     * to {@code leftovers}, then free the memory. The memory is left to the GC when a sender is still inside after
     * the grace period.
     *
     * @param graceNs   how long to wait for senders.
     * @param leftovers receives each frame still queued, as {@link #read} does.
     * @return true when freed.
     */
    boolean free(final long graceNs, final MessageHandler leftovers)
    {
        if (freed)
        {
            return true;
        }
        final long deadlineNs = System.nanoTime() + graceNs;
        while (0 != activeSenders.get())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
        int read;
        do
        {
            read = read(leftovers, Integer.MAX_VALUE);
        }
        while (read > 0);
        freed = true;
        BufferUtil.free(memory);
        return true;
    }
}
