package io.vshard.core.pipeline;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.TimeoutException;
import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.dispatch.LaneSpec;
import io.vshard.core.reply.ReplyDestination;
import io.vshard.core.wire.EnvelopeDescriptor;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * One lane: a Disruptor ring of pre-allocated {@link Slot}s over one cache-line-aligned off-heap arena, and the one
 * thread that takes envelopes from it and calls their handlers. Publishers are any threads (multi-producer
 * sequencer); the lane thread is the ring's only consumer.
 */
final class Lane implements Runnable
{
    /** {@link #tryClaim(int)} result: not enough free slots. */
    static final long NO_CAPACITY = -1;

    private static final System.Logger LOG = System.getLogger("io.vshard.pipeline");

    private final int laneId;
    private final LaneSpec spec;
    private final WaitStrategyKind waitStrategy;
    private final int slotLength;
    private final int resumeFreeSlots;
    private final ByteBuffer arena;
    private final RingBuffer<Slot> ring;
    private final SequenceBarrier barrier;
    private final Sequence sequence = new Sequence(-1);
    private final EnvelopeHandler[] handlers;
    private final String[] noHandlerMessages = new String[DispatchTarget.COUNT];
    private final BufferPool pool;
    private final PipelineCounters.Lane counters;
    private final PipelineCounters.Target[] targetCounters;
    private final ErrorHandler errorHandler;
    private final Pipeline pipeline;
    private final SlotView view = new SlotView();
    private final Reply reply;
    private final LatencyRecorder recorder;
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean roomWanted;
    private volatile boolean running = true;

    Lane(
        final int laneId,
        final LaneSpec spec,
        final PipelineContext ctx,
        final BufferPool pool,
        final PipelineCounters pipelineCounters,
        final Pipeline pipeline)
    {
        this.laneId = laneId;
        this.spec = spec;
        this.waitStrategy = null != spec.waitStrategy() ? spec.waitStrategy() : ctx.waitStrategy();
        this.slotLength = ctx.slotLength();
        this.resumeFreeSlots = ctx.laneResumeFreeSlots();
        this.pool = pool;
        this.counters = pipelineCounters.lanes[laneId];
        this.targetCounters = pipelineCounters.targets;
        this.errorHandler = ctx.errorHandler();
        this.pipeline = pipeline;
        this.handlers = new EnvelopeHandler[DispatchTarget.COUNT];
        for (final DispatchTarget target : spec.targets())
        {
            handlers[target.ordinal()] = ctx.handler(target);
            noHandlerMessages[target.ordinal()] = "no handler for target " + target.name();
        }

        final int ringSize = ctx.laneRingSize();
        // Allocated unaligned and aligned by hand, so that close() can free it (an aligned slice cannot be).
        arena = ByteBuffer.allocateDirect(ringSize * slotLength + BitUtil.CACHE_LINE_LENGTH);
        final long address = BufferUtil.address(arena);
        final int alignment = (int)(BitUtil.align(address, BitUtil.CACHE_LINE_LENGTH) - address);
        ring = RingBuffer.createMultiProducer(Slot::new, ringSize, waitStrategy.newWaitStrategy());
        for (int i = 0; i < ringSize; i++)
        {
            ring.get(i).inline.wrap(arena, alignment + i * slotLength, slotLength);
        }
        barrier = ring.newBarrier();
        ring.addGatingSequences(sequence);
        reply = new Reply(pipelineCounters, laneId);
        final AtomicCounter[] slowCalls = new AtomicCounter[DispatchTarget.COUNT];
        for (final DispatchTarget target : spec.targets())
        {
            slowCalls[target.ordinal()] = targetCounters[target.ordinal()].slow;
        }
        recorder = new LatencyRecorder(ctx.latencyRecording(), ctx.slowHandlerThresholdNs(), spec.targets(), slowCalls,
            System.currentTimeMillis());
        thread = new Thread(this, ctx.name() + "-lane-" + laneId);
        thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    int laneId()
    {
        return laneId;
    }

    Thread thread()
    {
        return thread;
    }

    LaneSpec spec()
    {
        return spec;
    }

    WaitStrategyKind waitStrategy()
    {
        return waitStrategy;
    }

    LatencyRecorder recorder()
    {
        return recorder;
    }

    /**
     * The receive timestamp for slots filled now: one clock read per claim when latency is recorded, else 0.
     */
    long receiveTimestamp()
    {
        return recorder.receiveTimestamp();
    }

    long remainingCapacity()
    {
        return ring.remainingCapacity();
    }

    /**
     * Copy an envelope, already validated, into a slot and publish it. Any thread; never blocks, never allocates.
     */
    int offer(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int targetOrdinal,
        final ReplyDestination destination,
        final long replyAddress,
        final long correlationId)
    {
        final long seq = tryClaim(1);
        if (NO_CAPACITY == seq)
        {
            return Pipeline.BACK_PRESSURED;
        }
        if (closed)
        {
            cancel(seq, seq);
            return Pipeline.CLOSED;
        }
        final int result = fill(
            seq, buffer, offset, length, targetOrdinal, destination, replyAddress, correlationId, receiveTimestamp());
        if (Pipeline.ACCEPTED == result)
        {
            ring.publish(seq);
        }
        else
        {
            cancel(seq, seq);
        }
        return result;
    }

    /**
     * Claim {@code count} consecutive slots, to be filled and then published or cancelled, every one of them. Any
     * thread; never blocks, never allocates. When the ring has not that much room, asks for a room signal and
     * counts a back-pressure event (only when {@code count} is 1: a batch falls back to single claims first).
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
            counters.backPressured.increment();
            return NO_CAPACITY;
        }
    }

    /**
     * Whether {@link #close()} has begun: a publisher holding claimed slots cancels them.
     */
    boolean isClosed()
    {
        return closed;
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
            slot.inline.putBytes(0, buffer, offset, length);
            slot.spill = null;
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
                    counters.backPressured.increment();
                    return Pipeline.BACK_PRESSURED;
                }
            }
            slot.inline.putBytes(0, buffer, offset, EnvelopeDescriptor.HEADER_LENGTH);
            spill.putBytes(0, buffer, offset + EnvelopeDescriptor.HEADER_LENGTH, payloadLength);
            slot.spill = spill;
        }
        slot.envelopeLength = length;
        slot.targetOrdinal = targetOrdinal;
        slot.destination = destination;
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
     * The lane thread's loop: wait for published slots, handle each, release them, signal room when asked.
     * Throwables are caught here, at the loop boundary, and handed to the error handler.
     */
    public void run()
    {
        if (LaneSpec.NO_CPU != spec.cpu())
        {
            final String unpinned = LaneAffinity.pinCurrentThread(spec.cpu());
            if (null != unpinned)
            {
                LOG.log(System.Logger.Level.WARNING, "lane " + laneId + " runs unpinned: " + unpinned);
            }
        }

        long next = sequence.get() + 1;
        while (running)
        {
            try
            {
                final long available = barrier.waitFor(next);
                if (available >= next)
                {
                    recorder.onBatchStart();
                    while (next <= available)
                    {
                        handle(ring.get(next));
                        next++;
                    }
                    recorder.onBatchEnd();
                    sequence.set(available);
                }
                signalRoom();
            }
            catch (final AlertException ex)
            {
                barrier.clearAlert();
            }
            catch (final TimeoutException ex)
            {
                signalRoom();
            }
            catch (final Throwable ex)
            {
                // Only an error outside the handler call gets here: skip the slot it happened on.
                errorHandler.onError(ex);
                recorder.onBatchEnd();
                sequence.set(next);
                next++;
            }
        }
    }

    private void handle(final Slot slot)
    {
        if (slot.cancelled)
        {
            slot.cancelled = false;
            return;
        }

        final int targetOrdinal = slot.targetOrdinal;
        final PipelineCounters.Target target = targetCounters[targetOrdinal];
        counters.received.incrementRelease();
        counters.bytes.getAndAddRelease(slot.envelopeLength);
        target.received.incrementRelease();
        target.bytes.getAndAddRelease(slot.envelopeLength);

        recorder.onCallStart(targetOrdinal, slot.receivedNs);
        reply.reset(view.wrap(slot), targetOrdinal, slot.destination, slot.replyAddress, slot.correlationId);
        final EnvelopeHandler handler = handlers[targetOrdinal];
        try
        {
            if (null == handler)
            {
                reply.noHandler(noHandlerMessages[targetOrdinal]);
            }
            else
            {
                handler.onEnvelope(view, reply);
                reply.complete();
            }
        }
        catch (final Throwable ex)
        {
            errorHandler.onError(ex);
            try
            {
                reply.fail(ex);
            }
            catch (final Throwable replyFailure)
            {
                errorHandler.onError(replyFailure);
            }
        }
        finally
        {
            recorder.onCallEnd(targetOrdinal, view);
            final UnsafeBuffer spill = slot.spill;
            if (null != spill)
            {
                slot.spill = null;
                counters.spilled.incrementRelease();
                pool.release(spill);
            }
            slot.destination = null;
            counters.handled.incrementRelease();
            target.handled.incrementRelease();
        }
    }

    private void signalRoom()
    {
        // Dekker with offer(): we store our sequence then load roomWanted; a publisher stores roomWanted then loads
        // our sequence. Without a full fence on each side both loads can miss both stores (store-load reordering,
        // which x86 does): the publisher is refused and the signal it asked for never comes.
        VarHandle.fullFence();
        if (roomWanted)
        {
            if (ring.remainingCapacity() >= resumeFreeSlots)
            {
                roomWanted = false;
                pipeline.notifyRoom(laneId);
            }
        }
    }

    /**
     * Refuse new offers; those already claimed are still handled.
     *
     * @return the highest sequence claimed so far: the lane is drained once it has handled up to it.
     */
    long close()
    {
        closed = true;
        VarHandle.fullFence();
        return ring.getCursor();
    }

    boolean isDrainedTo(final long cursor)
    {
        return sequence.get() >= cursor || !thread.isAlive();
    }

    void halt()
    {
        running = false;
        barrier.alert();
    }

    void freeArena()
    {
        BufferUtil.free(arena);
    }
}
