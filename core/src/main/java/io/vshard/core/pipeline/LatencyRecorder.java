package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.wire.EnvelopeView;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Collection;

/**
 * A lane's latency recording: per target it hosts, a queue wait and a service time {@link LatencyHistogram} in each
 * of two phases of one off-heap arena. The lane thread records into the active phase; the node's status thread asks
 * for a flip, the lane switches phase at its next batch start or idle round and acknowledges, and the status thread
 * then reads the phase the lane has left. The lane has a single writer's costs only: a load of the request per batch
 * and a release store per flip, no atomic read-modify-write (HdrHistogram's {@code WriterReaderPhaser} pays one per
 * entry and exit). The reader never waits: an unacknowledged flip is checked again on the status thread's next tick;
 * a parked lane wakes for it within its longest park, or at once when the status thread unparks it.
 * <p>
 * Clock reads: one at the start of each batch, then one after each handler call, except for targets whose calls are
 * cheap (under {@link #CHEAP_CALL_NS}): their consecutive calls are timed as a run, with one read at the end of the
 * run (at most {@link #RUN_LIMIT} calls, or when the target changes, or at the end of the batch), each call recorded
 * as the run's mean. A run that is not cheap as a whole hides an expensive call: it is recorded as its calls at the
 * target's last cheap cost plus one call taking the rest, and the target goes back to one read per call. Queue wait
 * is taken from the last clock read before the call, so within a cheap run it is short by at most the run's time.
 * Its start is the producer's: an {@link ExclusivePublisher} stamps every envelope of a run with the run's start (one
 * read per run); offers into the shared ring stamp one claim in {@link #SHARED_RING_SAMPLE}, and only those are counted
 * in the queue wait (service time counts every call).
 * <p>
 * Threading: {@link #onBatchStart()}, {@link #onCallStart}, {@link #onCallEnd} and {@link #onBatchEnd()} from the
 * lane thread only, allocation-free; {@link #requestFlip(long)}, {@link #isFlipComplete(boolean)} and the reads from
 * the one status thread only.
 */
final class LatencyRecorder
{
    /** A call under this is cheap: consecutive cheap calls of a target are timed as a run. */
    static final long CHEAP_CALL_NS = Configuration.longProperty(
        Configuration.LATENCY_CHEAP_CALL_NS_PROP_NAME, Configuration.LATENCY_CHEAP_CALL_NS_DEFAULT);

    /** Most calls timed by one clock read. */
    static final int RUN_LIMIT = 64;

    /** A slot's receive timestamp when the producer took none (recording off, or an offer not sampled). */
    static final long NO_TIMESTAMP = 0;

    /** The shared ring stamps one offer in this many: its producers read no clock for the others. */
    static final int SHARED_RING_SAMPLE = 16;

    private static final VarHandle REQUESTED_PHASE;
    private static final VarHandle ACKNOWLEDGED_PHASE;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            REQUESTED_PHASE = lookup.findVarHandle(LatencyRecorder.class, "requestedPhase", int.class);
            ACKNOWLEDGED_PHASE = lookup.findVarHandle(LatencyRecorder.class, "acknowledgedPhase", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final boolean enabled;
    private final long slowThresholdNs;
    private final int[] hostedTargets;
    private final int[] waitOffsets = new int[DispatchTarget.COUNT];
    private final int[] serviceOffsets = new int[DispatchTarget.COUNT];
    private final boolean[] cheap = new boolean[DispatchTarget.COUNT];
    private final long[] cheapCallNs = new long[DispatchTarget.COUNT];
    private final AtomicCounter[] slowCalls;
    private final String[] targetNames = new String[DispatchTarget.COUNT];
    private final int phaseLength;
    private final UnsafeBuffer arena;

    /** The phase (0 or 1) the status thread wants the lane to record into. */
    @SuppressWarnings("unused") // through REQUESTED_PHASE
    private volatile int requestedPhase;
    /** The phase the lane records into, stored after its last write into the other. */
    @SuppressWarnings("unused") // through ACKNOWLEDGED_PHASE
    private volatile int acknowledgedPhase;

    // Lane thread only.
    private int phase;
    private int phaseOffset;
    private long lastNs;
    private int waitTarget;
    private long waitNs;
    private int waitCount;
    private int runTarget;
    private int runCount;
    private long runStartNs;
    private int runMsgType;
    private long runVshard;

    // Status thread only.
    private boolean flipPending;
    private int flippedTo;
    private long intervalStartMs;
    private long flipMs;

    LatencyRecorder(
        final boolean enabled,
        final long slowThresholdNs,
        final Collection<DispatchTarget> targets,
        final AtomicCounter[] slowCalls,
        final long nowMs)
    {
        this.enabled = enabled;
        this.slowThresholdNs = slowThresholdNs;
        this.slowCalls = slowCalls;
        this.intervalStartMs = nowMs;
        hostedTargets = new int[targets.size()];
        phaseLength = targets.size() * 2 * LatencyHistogram.LENGTH;
        int i = 0;
        for (final DispatchTarget target : targets)
        {
            hostedTargets[i] = target.ordinal();
            waitOffsets[target.ordinal()] = 2 * i * LatencyHistogram.LENGTH;
            serviceOffsets[target.ordinal()] = (2 * i + 1) * LatencyHistogram.LENGTH;
            targetNames[target.ordinal()] = target.name();
            i++;
        }
        arena = enabled ?
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(1, 2 * phaseLength), 64)) :
            new UnsafeBuffer(new byte[0]);
    }

    boolean isEnabled()
    {
        return enabled;
    }

    /**
     * The timestamp a producer puts in a slot it fills: a clock read when recording, else 0. Any thread.
     */
    long receiveTimestamp()
    {
        return enabled ? System.nanoTime() : NO_TIMESTAMP;
    }

    /**
     * The timestamp for the shared ring's slot {@code seq}: a clock read for one claim in
     * {@link #SHARED_RING_SAMPLE}, so that offers from any thread pay a clock read only that often; queue wait is then
     * a sample of the shared ring's envelopes. Any thread.
     */
    long sampledReceiveTimestamp(final long seq)
    {
        return enabled && 0 == (seq & (SHARED_RING_SAMPLE - 1)) ? System.nanoTime() : NO_TIMESTAMP;
    }

    /**
     * Take up a requested flip, and read the clock for a batch of envelopes. Lane thread.
     */
    void onBatchStart()
    {
        if (enabled)
        {
            takeFlip();
            lastNs = System.nanoTime();
        }
    }

    /**
     * Take up a requested flip while the lane has nothing to do. Lane thread.
     */
    void onIdle()
    {
        if (enabled)
        {
            takeFlip();
        }
    }

    private void takeFlip()
    {
        final int requested = (int)REQUESTED_PHASE.getAcquire(this);
        if (requested != phase)
        {
            // Every write into the old phase is before this release store; the status thread reads it after.
            phase = requested;
            phaseOffset = requested * phaseLength;
            ACKNOWLEDGED_PHASE.setRelease(this, requested);
        }
    }

    /**
     * Before a handler call: closes a run of another target, records the envelope's queue wait. Lane thread.
     *
     * @param targetOrdinal the envelope's target.
     * @param receivedNs    the producer's timestamp.
     */
    void onCallStart(final int targetOrdinal, final long receivedNs)
    {
        if (enabled)
        {
            if (0 != runCount && targetOrdinal != runTarget)
            {
                closeRun(System.nanoTime());
            }
            if (NO_TIMESTAMP != receivedNs)
            {
                // Envelopes of one producer run read in one batch share both ends of their wait: recorded as one.
                final long envelopeWaitNs = Math.max(0, lastNs - receivedNs);
                if (0 != waitCount && (targetOrdinal != waitTarget || envelopeWaitNs != waitNs))
                {
                    recordWaits();
                }
                waitTarget = targetOrdinal;
                waitNs = envelopeWaitNs;
                waitCount++;
            }
        }
    }

    /**
     * After a handler call (returned or thrown): records its service time, or extends the target's run. Lane thread.
     *
     * @param targetOrdinal the envelope's target.
     * @param envelope      the envelope, read only for a slow call's event.
     */
    void onCallEnd(final int targetOrdinal, final EnvelopeView envelope)
    {
        if (!enabled)
        {
            return;
        }
        if (cheap[targetOrdinal])
        {
            if (0 == runCount)
            {
                runTarget = targetOrdinal;
                runStartNs = lastNs;
            }
            runMsgType = envelope.msgType();
            runVshard = envelope.vshardId() & 0xFFFF_FFFFL;
            if (++runCount == RUN_LIMIT)
            {
                closeRun(System.nanoTime());
            }
            return;
        }
        final long nowNs = System.nanoTime();
        final long serviceNs = nowNs - lastNs;
        lastNs = nowNs;
        LatencyHistogram.record(arena, phaseOffset + serviceOffsets[targetOrdinal], serviceNs, 1, serviceNs);
        if (serviceNs > slowThresholdNs)
        {
            slow(targetOrdinal, envelope.msgType(), envelope.vshardId() & 0xFFFF_FFFFL, serviceNs, true);
        }
        if (serviceNs < CHEAP_CALL_NS)
        {
            cheap[targetOrdinal] = true;
            cheapCallNs[targetOrdinal] = serviceNs;
        }
    }

    /**
     * Close the batch's run. Lane thread.
     */
    void onBatchEnd()
    {
        if (enabled)
        {
            if (0 != waitCount)
            {
                recordWaits();
            }
            if (0 != runCount)
            {
                closeRun(System.nanoTime());
            }
        }
    }

    private void recordWaits()
    {
        LatencyHistogram.record(
            arena, phaseOffset + waitOffsets[waitTarget], waitNs, waitCount, waitNs * waitCount);
        waitCount = 0;
    }

    private void closeRun(final long nowNs)
    {
        final int target = runTarget;
        final int count = runCount;
        final long elapsedNs = nowNs - runStartNs;
        final int offset = phaseOffset + serviceOffsets[target];
        runCount = 0;
        lastNs = nowNs;
        if (elapsedNs <= count * CHEAP_CALL_NS)
        {
            final long eachNs = elapsedNs / count;
            LatencyHistogram.record(arena, offset, eachNs, count, elapsedNs);
            cheapCallNs[target] = eachNs;
        }
        else
        {
            final long typicalNs = Math.min(cheapCallNs[target], elapsedNs / count);
            final long outlierNs = elapsedNs - (count - 1) * typicalNs;
            if (count > 1)
            {
                LatencyHistogram.record(arena, offset, typicalNs, count - 1, (count - 1) * typicalNs);
            }
            LatencyHistogram.record(arena, offset, outlierNs, 1, outlierNs);
            cheap[target] = false;
            if (outlierNs > slowThresholdNs)
            {
                slow(target, runMsgType, runVshard, outlierNs, 1 == count);
            }
        }
    }

    private void slow(
        final int targetOrdinal, final int msgType, final long vshard, final long serviceNs, final boolean exact)
    {
        slowCalls[targetOrdinal].incrementRelease();
        SlowHandlerEvent.emit(targetNames[targetOrdinal], msgType, vshard, serviceNs, exact);
    }

    /**
     * Ask the lane to record into the other phase, unless a flip is still pending. Status thread.
     *
     * @param nowMs epoch ms: the end of the interval being closed.
     * @return true when asked now.
     */
    boolean requestFlip(final long nowMs)
    {
        if (flipPending)
        {
            return false;
        }
        flippedTo = 1 - flippedTo;
        REQUESTED_PHASE.setRelease(this, flippedTo);
        flipPending = true;
        flipMs = nowMs;
        return true;
    }

    /**
     * Whether the lane has left the phase flipped away from, so that it may be read. Status thread.
     *
     * @param laneStopped true when the lane thread has ended (seen through {@link Thread#isAlive()} or a join, which
     *                    orders its last writes before this read): its phases are then both at rest.
     * @return true when a flip is pending and complete.
     */
    boolean isFlipComplete(final boolean laneStopped)
    {
        return flipPending && (laneStopped || (int)ACKNOWLEDGED_PHASE.getAcquire(this) == flippedTo);
    }

    /**
     * After a complete flip: the interval read is over; the inactive phase is zeroed for the next flip. Status
     * thread.
     *
     * @return the start of the next interval, epoch ms.
     */
    long finishFlip()
    {
        final int inactive = inactivePhaseOffset();
        for (final int target : hostedTargets)
        {
            LatencyHistogram.reset(arena, inactive + waitOffsets[target]);
            LatencyHistogram.reset(arena, inactive + serviceOffsets[target]);
        }
        flipPending = false;
        intervalStartMs = flipMs;
        return intervalStartMs;
    }

    int inactivePhaseOffset()
    {
        return (1 - flippedTo) * phaseLength;
    }

    long intervalStartMs()
    {
        return intervalStartMs;
    }

    long flipMs()
    {
        return flipMs;
    }

    int[] hostedTargets()
    {
        return hostedTargets;
    }

    UnsafeBuffer arena()
    {
        return arena;
    }

    int waitOffset(final int targetOrdinal)
    {
        return waitOffsets[targetOrdinal];
    }

    int serviceOffset(final int targetOrdinal)
    {
        return serviceOffsets[targetOrdinal];
    }
}
