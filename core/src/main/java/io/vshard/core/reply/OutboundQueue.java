package io.vshard.core.reply;

import io.vshard.core.pipeline.BufferPool;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static io.vshard.core.wire.FrameDescriptor.FRAME_LENGTH_FIELD_OFFSET;
import static io.vshard.core.wire.FrameDescriptor.LENGTH_FIELD_LENGTH;

/**
 * A bounded queue of reply frames from many lane threads to one draining thread (an I/O thread): Agrona's
 * {@link ManyToOneRingBuffer}. A frame up to the ring's maximum record length is written straight into the ring;
 * a larger one into a pooled buffer that the ring record refers to, so replies keep their order either way.
 * <p>
 * The drainer is told of new frames through the {@code onPending} hook, run by a lane thread at the end of a batch
 * ({@link #endOfBatch()}) when the queue goes from drained to pending; the drainer then calls
 * {@link #drain(ReplyFrameHandler, int)} on its own thread.
 */
public final class OutboundQueue implements ReplyDestination, AutoCloseable
{
    private static final int MSG_INLINE = 1;
    private static final int MSG_LARGE = 2;
    private static final int ADDRESS_LENGTH = 8;
    private static final int LARGE_RECORD_LENGTH = ADDRESS_LENGTH + 4;
    private static final int LARGE_SLOTS = 64;

    private final ManyToOneRingBuffer ring;
    private final UnsafeBuffer ringBuffer;
    private final BufferPool pool;
    private final AtomicReferenceArray<UnsafeBuffer> largeFrames = new AtomicReferenceArray<>(LARGE_SLOTS);
    private final AtomicBoolean pending = new AtomicBoolean();
    private final Runnable onPending;
    private final MessageHandler recordHandler = this::onRecord;
    private ReplyFrameHandler frameHandler;
    private volatile boolean closed;

    /**
     * A queue of the given capacity.
     *
     * @param capacityBytes a power of two, at least 1024 (the transport's default is 4 MiB per I/O thread).
     * @param pool          for frames larger than a ring record; shared with the pipeline is fine.
     * @param onPending     run on a lane thread when frames become pending; must not block (for example
     *                      scheduling a drain on an event loop). May be {@code null} when the drainer polls.
     */
    public OutboundQueue(final int capacityBytes, final BufferPool pool, final Runnable onPending)
    {
        if (!BitUtil.isPowerOfTwo(capacityBytes) || capacityBytes < 1024)
        {
            throw new IllegalArgumentException("capacity must be a power of two >= 1024: capacity=" + capacityBytes);
        }
        ringBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            capacityBytes + RingBufferDescriptor.TRAILER_LENGTH, BitUtil.CACHE_LINE_LENGTH));
        ring = new ManyToOneRingBuffer(ringBuffer);
        this.pool = pool;
        this.onPending = onPending;
    }

    /**
     * {@inheritDoc}
     */
    public int tryClaim(final ReplyClaim claim, final long replyAddress, final int frameLength)
    {
        if (closed)
        {
            return CLOSED;
        }
        if (ADDRESS_LENGTH + frameLength <= ring.maxMsgLength())
        {
            final int index = ring.tryClaim(MSG_INLINE, ADDRESS_LENGTH + frameLength);
            if (RingBuffer.INSUFFICIENT_CAPACITY == index)
            {
                return BACK_PRESSURED;
            }
            ringBuffer.putLong(index, replyAddress, ByteOrder.LITTLE_ENDIAN);
            claim.set(ringBuffer, index + ADDRESS_LENGTH, frameLength, index, replyAddress, null);
            return CLAIMED;
        }
        return tryClaimLarge(claim, replyAddress, frameLength);
    }

    /**
     * {@inheritDoc}
     */
    public void commit(final ReplyClaim claim)
    {
        ring.commit(claim.index());
    }

    /**
     * {@inheritDoc}
     */
    public void endOfBatch()
    {
        // Dekker with drain(): the committed records, a full fence, then the pending flag; the drainer clears the flag
        // and then reads the ring. One of the two sees the other, so a batch is never left without a drain.
        VarHandle.fullFence();
        if (!pending.get() && pending.compareAndSet(false, true) && null != onPending)
        {
            onPending.run();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void abort(final ReplyClaim claim)
    {
        if (claim.attachment() instanceof UnsafeBuffer large)
        {
            largeFrames.set(ringBuffer.getInt(claim.index() + ADDRESS_LENGTH, ByteOrder.LITTLE_ENDIAN), null);
            pool.release(large);
        }
        ring.abort(claim.index());
    }

    /**
     * Deliver pending frames in order. Only the one draining thread may call this.
     *
     * @param handler receives each frame.
     * @param limit   most frames to deliver in this call.
     * @return frames delivered.
     */
    public int drain(final ReplyFrameHandler handler, final int limit)
    {
        pending.set(false);
        frameHandler = handler;
        return ring.read(recordHandler, limit);
    }

    /**
     * Whether frames wait to be drained, as far as this thread can tell.
     *
     * @return true when the ring holds records.
     */
    public boolean hasPending()
    {
        return ring.producerPosition() != ring.consumerPosition();
    }

    /**
     * Refuse further claims ({@link #CLOSED}); frames already queued can still be drained.
     */
    public void close()
    {
        closed = true;
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return closed;
    }

    private int tryClaimLarge(final ReplyClaim claim, final long replyAddress, final int frameLength)
    {
        final UnsafeBuffer large = pool.acquire(frameLength);
        if (null == large)
        {
            return BACK_PRESSURED;
        }
        for (int slot = 0; slot < LARGE_SLOTS; slot++)
        {
            if (null == largeFrames.get(slot) && largeFrames.compareAndSet(slot, null, large))
            {
                final int index = ring.tryClaim(MSG_LARGE, LARGE_RECORD_LENGTH);
                if (RingBuffer.INSUFFICIENT_CAPACITY == index)
                {
                    largeFrames.set(slot, null);
                    pool.release(large);
                    return BACK_PRESSURED;
                }
                ringBuffer.putLong(index, replyAddress, ByteOrder.LITTLE_ENDIAN);
                ringBuffer.putInt(index + ADDRESS_LENGTH, slot, ByteOrder.LITTLE_ENDIAN);
                claim.set(large, 0, frameLength, index, replyAddress, large);
                return CLAIMED;
            }
        }
        pool.release(large);
        return BACK_PRESSURED;
    }

    private void onRecord(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final long replyAddress = buffer.getLong(index, ByteOrder.LITTLE_ENDIAN);
        if (MSG_INLINE == msgTypeId)
        {
            frameHandler.onReplyFrame(replyAddress, buffer, index + ADDRESS_LENGTH, length - ADDRESS_LENGTH);
        }
        else
        {
            final int slot = buffer.getInt(index + ADDRESS_LENGTH, ByteOrder.LITTLE_ENDIAN);
            final UnsafeBuffer large = largeFrames.get(slot);
            final int frameLength =
                large.getInt(FRAME_LENGTH_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN) + LENGTH_FIELD_LENGTH;
            try
            {
                frameHandler.onReplyFrame(replyAddress, large, 0, frameLength);
            }
            finally
            {
                largeFrames.set(slot, null);
                pool.release(large);
            }
        }
    }
}
