package io.vshard.core.pipeline;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;
import io.vshard.core.reply.ReplyDestination;
import io.vshard.core.wire.EnvelopeDescriptor;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * One ring of a lane: a Disruptor ring of pre-allocated {@link Slot}s over one cache-line-aligned off-heap arena, and
 * the {@link EventPoller} the lane thread reads it with. A lane has one shared ring (multi-producer sequencer: any
 * thread may offer) and one single-producer ring per {@link ExclusivePublisher} (one thread offers, no compare-and-swap
 * per claim).
 * <p>
 * Publishers claim, {@link #fill} and {@link #publish}; the lane thread is the only consumer.
 */
final class LaneRing
{
    /** {@link #tryClaim(int)} result: not enough free slots. */
    static final long NO_CAPACITY = -1;

    private final ByteBuffer arena;
    private final RingBuffer<Slot> ring;
    private final EventPoller<Slot> poller;
    private final int slotLength;
    private final int resumeFreeSlots;
    private final BufferPool pool;
    private final AtomicCounter backPressured;
    private volatile boolean roomWanted;

    LaneRing(
        final boolean multiProducer,
        final int ringSize,
        final int slotLength,
        final int resumeFreeSlots,
        final WaitStrategy signal,
        final BufferPool pool,
        final AtomicCounter backPressured)
    {
        this.slotLength = slotLength;
        this.resumeFreeSlots = resumeFreeSlots;
        this.pool = pool;
        this.backPressured = backPressured;
        // Allocated unaligned and aligned by hand, so that freeArena() can free it (an aligned slice cannot be).
        arena = ByteBuffer.allocateDirect(ringSize * slotLength + BitUtil.CACHE_LINE_LENGTH);
        final long address = BufferUtil.address(arena);
        final int alignment = (int)(BitUtil.align(address, BitUtil.CACHE_LINE_LENGTH) - address);
        ring = multiProducer ?
            RingBuffer.createMultiProducer(Slot::new, ringSize, signal) :
            RingBuffer.createSingleProducer(Slot::new, ringSize, signal);
        for (int i = 0; i < ringSize; i++)
        {
            ring.get(i).inline.wrap(arena, alignment + i * slotLength, slotLength);
        }
        poller = ring.newPoller();
        ring.addGatingSequences(poller.getSequence());
    }

    /**
     * Claim {@code count} consecutive slots, to be filled and then published or cancelled, every one of them. The
     * ring's producers only; never blocks, never allocates. When the ring has not that much room, asks for a room
     * signal and counts a back-pressure event (only when {@code count} is 1).
     *
     * @param count slots wanted, at least 1 and at most the ring size.
     * @return the highest sequence claimed (the lowest is {@code count - 1} below it), or {@link #NO_CAPACITY}.
     */
    long tryClaim(final int count)
    {
        // The exception is Disruptor's pre-allocated singleton: thrown only when the ring is full, and a jump once
        // compiled. A batch checks capacity first as it fails far more often than a single claim.
        if (1 == count || ring.hasAvailableCapacity(count))
        {
            try
            {
                return ring.tryNext(count);
            }
            catch (final InsufficientCapacityException ignore)
            {
                // Full, or another publisher took the last slots: fall through.
            }
        }
        if (count > 1)
        {
            return NO_CAPACITY;
        }
        // Ask for a room signal before the second try, so the lane cannot drain unnoticed between the two.
        // Dekker with signalRoom(): store roomWanted, full fence, then load the lane's sequence (in tryNext).
        roomWanted = true;
        VarHandle.fullFence();
        try
        {
            return ring.tryNext();
        }
        catch (final InsufficientCapacityException again)
        {
            backPressured.increment();
            return NO_CAPACITY;
        }
    }

    /**
     * Copy a validated envelope into a claimed slot, without publishing it.
     *
     * @return {@link Pipeline#ACCEPTED}, or {@link Pipeline#BACK_PRESSURED} when the spill pool is empty (the slot is
     * then untouched and may be filled again).
     */
    int fill(
        final long seq,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int targetOrdinal,
        final ReplyDestination destination,
        final long replyAddress,
        final long correlationId,
        final long receivedNs)
    {
        final Slot slot = ring.get(seq);
        if (length <= slotLength)
        {
            // The lane cleared spill after the slot's last use.
            slot.inline.putBytes(0, buffer, offset, length);
        }
        else
        {
            final int payloadLength = length - EnvelopeDescriptor.HEADER_LENGTH;
            UnsafeBuffer spill = pool.acquire(payloadLength);
            if (null == spill)
            {
                pool.roomWanted();
                spill = pool.acquire(payloadLength);
                if (null == spill)
                {
                    backPressured.increment();
                    return Pipeline.BACK_PRESSURED;
                }
            }
            slot.inline.putBytes(0, buffer, offset, EnvelopeDescriptor.HEADER_LENGTH);
            spill.putBytes(0, buffer, offset + EnvelopeDescriptor.HEADER_LENGTH, payloadLength);
            slot.spill = spill;
        }
        slot.envelopeLength = length;
        slot.targetOrdinal = targetOrdinal;
        if (slot.destination != destination)
        {
            // Only when it changes: in G1 a reference store into a long-lived slot costs a StoreLoad fence.
            slot.destination = destination;
        }
        slot.replyAddress = replyAddress;
        slot.correlationId = correlationId;
        slot.receivedNs = receivedNs;
        return Pipeline.ACCEPTED;
    }

    /**
     * Publish filled slots {@code lo..hi} to the lane thread.
     */
    void publish(final long lo, final long hi)
    {
        ring.publish(lo, hi);
    }

    /**
     * Mark a claimed slot as holding nothing, to be published with others: the lane thread skips it.
     */
    void markCancelled(final long seq)
    {
        ring.get(seq).cancelled = true;
    }

    /**
     * Publish claimed slots {@code lo..hi} that hold nothing: the lane thread skips them.
     */
    void cancel(final long lo, final long hi)
    {
        for (long seq = lo; seq <= hi; seq++)
        {
            ring.get(seq).cancelled = true;
        }
        ring.publish(lo, hi);
    }

    /**
     * Hand every published slot, up to the handler's batch limit, to the lane's handler. Lane thread only.
     */
    EventPoller.PollState poll(final EventPoller.Handler<Slot> handler) throws Exception
    {
        return poller.poll(handler);
    }

    /**
     * Whether a producer has claimed past what the lane has taken. Any thread.
     */
    boolean hasPending()
    {
        return ring.getCursor() > poller.getSequence().get();
    }

    /**
     * Whether the lane has taken everything up to {@code cursor}.
     */
    boolean isConsumedTo(final long cursor)
    {
        return poller.getSequence().get() >= cursor;
    }

    /**
     * The highest sequence claimed so far (multi-producer) or published (single producer).
     */
    long cursor()
    {
        return ring.getCursor();
    }

    long remainingCapacity()
    {
        return ring.remainingCapacity();
    }

    /**
     * Lane thread, after a batch: whether a refused producer asked for room and the ring has drained to the
     * low-water mark; the request is then taken back.
     */
    boolean takeRoomRequest()
    {
        if (roomWanted && ring.remainingCapacity() >= resumeFreeSlots)
        {
            roomWanted = false;
            return true;
        }
        return false;
    }

    void freeArena()
    {
        BufferUtil.free(arena);
    }
}
