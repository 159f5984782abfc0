package io.vshard.core.pipeline;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.WaitStrategy;
import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.dispatch.LaneSpec;
import io.vshard.core.reply.ReplyDestination;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * One lane: the rings that feed it and the one thread that takes envelopes from them and calls their handlers. The
 * shared ring takes offers from any thread (multi-producer sequencer); each {@link ExclusivePublisher} has a
 * single-producer ring of its own here, which its one thread fills without a compare-and-swap per claim (Aeron's
 * {@code ExclusivePublication} against {@code Publication}).
 * <p>
 * The lane thread polls every ring in turn, at most {@link PipelineContext#laneBatchSize()} envelopes from each per
 * turn, and does per batch what need not be done per envelope: it publishes its counters, releases the slots, and
 * signals room. When no ring has anything it idles by its {@link WaitStrategyKind}; the parking and blocking kinds
 * announce the park, and a publisher wakes the lane only when it has announced one.
 */
final class Lane implements Runnable, EventPoller.Handler<Slot>
{
    private static final System.Logger LOG = System.getLogger("io.vshard.pipeline");
    private static final LaneRing[] NO_RINGS = new LaneRing[0];
    private static final int SPIN_TRIES = 100;
    private static final int YIELD_TRIES = 100;
    private static final long SLEEP_NS = 100;

    private final int laneId;
    private final LaneSpec spec;
    private final WaitStrategyKind waitStrategy;
    private final WaitStrategy signal;
    private final ParkingWaitStrategy parking;
    private final int ringSize;
    private final int exclusiveRingSize;
    private final int slotLength;
    private final int batchSize;
    private final LaneRing shared;
    private final EnvelopeHandler[] handlers;
    private final String[] noHandlerMessages = new String[DispatchTarget.COUNT];
    private final BufferPool pool;
    private final PipelineCounters.Lane counters;
    private final PipelineCounters.Target[] targetCounters;
    private final long[] targetReceived = new long[DispatchTarget.COUNT];
    private final long[] targetBytes = new long[DispatchTarget.COUNT];
    private final int[] touchedTargets = new int[DispatchTarget.COUNT];
    private final ErrorHandler errorHandler;
    private final Pipeline pipeline;
    private final SlotView view = new SlotView();
    private final Reply reply;
    private final LatencyRecorder recorder;
    private final Thread thread;
    private volatile LaneRing[] exclusive = NO_RINGS;
    private int touchedCount;
    private int batchCount;
    private long batchBytes;
    private long batchSpilled;
    private int idleCounter;
    private boolean roomCheckedIdle;
    private volatile boolean closed;
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
        final boolean parks = WaitStrategyKind.PARKING == waitStrategy || WaitStrategyKind.BLOCKING == waitStrategy;
        this.parking = parks ? new ParkingWaitStrategy() : null;
        this.signal = parks ? parking : new BusySpinWaitStrategy();
        this.ringSize = ctx.laneRingSize();
        this.exclusiveRingSize = ctx.exclusiveRingSize();
        this.slotLength = ctx.slotLength();
        this.batchSize = ctx.laneBatchSize();
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
        shared = new LaneRing(
            true, ringSize, slotLength, ctx.laneResumeFreeSlots(), signal, pool, counters.backPressured);
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
     * The receive timestamp for slots filled now: one clock read per claim (or per exclusive run) when latency is
     * recorded, else 0.
     */
    long receiveTimestamp()
    {
        return recorder.receiveTimestamp();
    }

    long remainingCapacity()
    {
        return shared.remainingCapacity();
    }

    /**
     * A new single-producer ring fed by one {@link ExclusivePublisher}, polled by this lane from now on. Control
     * plane.
     */
    synchronized LaneRing newExclusiveRing()
    {
        final LaneRing ring = new LaneRing(
            false, exclusiveRingSize, slotLength, exclusiveRingSize / 2, signal, pool, counters.backPressured);
        final LaneRing[] current = exclusive;
        final LaneRing[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = ring;
        exclusive = next;
        return ring;
    }

    /**
     * Copy an envelope, already validated, into a slot of the shared ring and publish it. Any thread; never blocks,
     * never allocates.
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
        final long seq = shared.tryClaim(1);
        if (LaneRing.NO_CAPACITY == seq)
        {
            return Pipeline.BACK_PRESSURED;
        }
        if (closed)
        {
            shared.cancel(seq, seq);
            return Pipeline.CLOSED;
        }
        final int result = shared.fill(seq, buffer, offset, length, targetOrdinal, destination, replyAddress,
            correlationId, recorder.sampledReceiveTimestamp(seq));
        if (Pipeline.ACCEPTED == result)
        {
            shared.publish(seq, seq);
        }
        else
        {
            shared.cancel(seq, seq);
        }
        return result;
    }

    /**
     * The lane thread's loop: poll every ring, handle what it holds, do the per-batch work, idle when there was
     * nothing. Throwables are caught at the handler call and at this loop's boundary, handed to the error handler and
     * counted; the lane goes on.
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

        while (running)
        {
            try
            {
                int work = poll(shared);
                for (final LaneRing ring : exclusive)
                {
                    work += poll(ring);
                }
                if (work > 0)
                {
                    endOfBatch();
                    idleCounter = 0;
                    roomCheckedIdle = false;
                }
                else
                {
                    recorder.onIdle();
                    if (!roomCheckedIdle)
                    {
                        // The fenced room check, once per stretch of idling: see takeRoomRequests().
                        roomCheckedIdle = true;
                        signalRoom();
                    }
                    idle();
                }
            }
            catch (final Throwable ex)
            {
                counters.loopErrors.increment();
                errorHandler.onError(ex);
            }
        }
        endOfBatch();
    }

    private int poll(final LaneRing ring) throws Exception
    {
        batchCount = 0;
        try
        {
            ring.poll(this);
        }
        finally
        {
            if (batchCount > 0)
            {
                recorder.onBatchEnd();
            }
        }
        return batchCount;
    }

    /**
     * {@inheritDoc}
     */
    public boolean onEvent(final Slot slot, final long sequence, final boolean endOfBatch)
    {
        if (0 == batchCount)
        {
            recorder.onBatchStart();
        }
        try
        {
            handle(slot);
        }
        catch (final Throwable ex)
        {
            // Only an error outside the handler call gets here: the slot is skipped, the lane goes on.
            counters.loopErrors.increment();
            errorHandler.onError(ex);
        }
        return ++batchCount < batchSize;
    }

    private void handle(final Slot slot)
    {
        if (slot.cancelled)
        {
            slot.cancelled = false;
            return;
        }

        final int targetOrdinal = slot.targetOrdinal;
        if (0 == targetReceived[targetOrdinal])
        {
            touchedTargets[touchedCount++] = targetOrdinal;
        }
        targetReceived[targetOrdinal]++;
        targetBytes[targetOrdinal] += slot.envelopeLength;
        batchBytes += slot.envelopeLength;

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
                batchSpilled++;
                pool.release(spill);
            }
            // slot.destination is left for the slot's next fill, which stores it only if it differs: at most a ring
            // of destinations outlives its use.
        }
    }

    private void endOfBatch()
    {
        reply.endOfBatch();
        publishCounters();
        takeRoomRequests();
    }

    private void publishCounters()
    {
        long envelopes = 0;
        for (int i = 0; i < touchedCount; i++)
        {
            final int ordinal = touchedTargets[i];
            final long received = targetReceived[ordinal];
            final PipelineCounters.Target target = targetCounters[ordinal];
            target.received.getAndAddRelease(received);
            target.bytes.getAndAddRelease(targetBytes[ordinal]);
            target.handled.getAndAddRelease(received);
            envelopes += received;
            targetReceived[ordinal] = 0;
            targetBytes[ordinal] = 0;
        }
        touchedCount = 0;
        if (envelopes > 0)
        {
            counters.received.getAndAddRelease(envelopes);
            counters.bytes.getAndAddRelease(batchBytes);
            counters.handled.getAndAddRelease(envelopes);
        }
        if (batchSpilled > 0)
        {
            counters.spilled.getAndAddRelease(batchSpilled);
        }
        batchBytes = 0;
        batchSpilled = 0;
    }

    private void signalRoom()
    {
        // Dekker with a refused claim: we store our sequence then load roomWanted; a publisher stores roomWanted then
        // loads our sequence. Without a full fence on each side both loads can miss both stores (store-load
        // reordering, which x86 does): the publisher is refused and the signal it asked for never comes.
        VarHandle.fullFence();
        takeRoomRequests();
    }

    /**
     * The room check without the fence, after each batch: it misses only a request stored in the instant before, and
     * that one is seen by the next batch's check or by the fenced one in {@link #signalRoom()} before the lane idles
     * (a refused publisher adds nothing, so the lane runs out of work and idles unless other rings keep it busy).
     */
    private void takeRoomRequests()
    {
        boolean room = shared.takeRoomRequest();
        for (final LaneRing ring : exclusive)
        {
            room |= ring.takeRoomRequest();
        }
        if (room)
        {
            pipeline.notifyRoom(laneId);
        }
    }

    /**
     * Whether any ring holds what this lane has not taken. Any thread.
     */
    boolean hasPending()
    {
        if (shared.hasPending())
        {
            return true;
        }
        for (final LaneRing ring : exclusive)
        {
            if (ring.hasPending())
            {
                return true;
            }
        }
        return false;
    }

    private void idle()
    {
        switch (waitStrategy)
        {
            case BUSY_SPIN:
                Thread.onSpinWait();
                break;
            case YIELDING:
                if (!spinThenYield(SPIN_TRIES))
                {
                    Thread.yield();
                }
                break;
            case SLEEPING:
                if (!spinThenYield(SPIN_TRIES + YIELD_TRIES))
                {
                    LockSupport.parkNanos(SLEEP_NS);
                }
                signalRoom();
                break;
            default:
                if (WaitStrategyKind.BLOCKING == waitStrategy || !spinThenYield(SPIN_TRIES + YIELD_TRIES))
                {
                    signalRoom();
                    parking.park(this);
                }
                break;
        }
    }

    /**
     * One step of the first {@code tries} idle rounds since the last work: spins, then yields.
     *
     * @return false once the rounds are used up: the caller idles its own way.
     */
    private boolean spinThenYield(final int tries)
    {
        if (idleCounter >= tries)
        {
            return false;
        }
        if (++idleCounter <= SPIN_TRIES)
        {
            Thread.onSpinWait();
        }
        else
        {
            Thread.yield();
        }
        return true;
    }

    /**
     * Refuse new offers; those already claimed are still handled.
     *
     * @return the highest sequence claimed in the shared ring so far: the lane is drained once it has handled up to
     * it and every exclusive ring is drained (see {@link #isDrainedTo(long)}).
     */
    long close()
    {
        closed = true;
        VarHandle.fullFence();
        return shared.cursor();
    }

    /**
     * Whether the lane has handled everything claimed in the shared ring up to {@code cursor} and everything
     * published in its exclusive rings (whose publishers have ended their runs: see {@link ExclusivePublisher}).
     */
    boolean isDrainedTo(final long cursor)
    {
        if (!thread.isAlive())
        {
            return true;
        }
        if (!shared.isConsumedTo(cursor))
        {
            return false;
        }
        for (final LaneRing ring : exclusive)
        {
            if (!ring.isConsumedTo(ring.cursor()))
            {
                return false;
            }
        }
        return true;
    }

    void halt()
    {
        running = false;
        LockSupport.unpark(thread);
    }

    void freeArena()
    {
        shared.freeArena();
        for (final LaneRing ring : exclusive)
        {
            ring.freeArena();
        }
    }
}
