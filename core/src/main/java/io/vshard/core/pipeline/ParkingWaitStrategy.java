package io.vshard.core.pipeline;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Spin, then yield, then park until a publisher wakes the lane: an idle lane costs no CPU and wakes within a
 * {@code futex} wake-up of the next publication, while a busy lane costs publishers one fenced read per publication.
 * <p>
 * Disruptor's {@code SleepingWaitStrategy} parks for 100 ns at a time, which Linux rounds up to the timer slack
 * (~50 us): an idle lane wakes some 20,000 times a second and, on a small machine, takes a tenth of a core from the
 * I/O threads doing nothing. Its {@code BlockingWaitStrategy} takes a lock on every publication. Here the only
 * shared write is the waiting thread's own announcement that it is about to park, and a publisher unparks it only
 * when it has announced that.
 * <p>
 * The announcement and the publication are a Dekker pair: the lane stores {@code sleeper} and then reads the cursor
 * (the volatile store orders the two); the publisher's sequence store is followed by a full fence and then its read of
 * {@code sleeper}. One of the two always sees the other, so a publication is never left waiting for a lane that
 * parked without seeing it. A park is bounded all the same ({@link #MAX_PARK_NS}), as a safety net, not for progress.
 * One waiting thread per instance, which is what a lane is.
 */
public final class ParkingWaitStrategy implements WaitStrategy
{
    /** Busy spins before yielding. */
    static final int SPIN_TRIES = 100;

    /** {@link Thread#yield()}s before parking. */
    static final int YIELD_TRIES = 100;

    /** Longest single park; a publisher's unpark ends it sooner. */
    static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private volatile Thread sleeper;

    /**
     * {@inheritDoc}
     */
    public long waitFor(
        final long sequence, final Sequence cursor, final Sequence dependentSequence, final SequenceBarrier barrier)
        throws AlertException
    {
        long available;
        int counter = SPIN_TRIES + YIELD_TRIES;
        while ((available = dependentSequence.get()) < sequence)
        {
            barrier.checkAlert();
            if (counter > YIELD_TRIES)
            {
                counter--;
                Thread.onSpinWait();
            }
            else if (counter > 0)
            {
                counter--;
                Thread.yield();
            }
            else
            {
                park(sequence, dependentSequence, barrier);
            }
        }
        return available;
    }

    /**
     * {@inheritDoc}
     */
    public void signalAllWhenBlocking()
    {
        VarHandle.fullFence();
        final Thread thread = sleeper;
        if (null != thread)
        {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Park a lane thread that found nothing in any of its rings, unless a publication came in the meantime; the lane
     * calls it in its idle loop, after its own spin and yield phases.
     *
     * @param lane whose rings are checked again once the park is announced.
     */
    void park(final Lane lane)
    {
        sleeper = Thread.currentThread();
        try
        {
            if (!lane.hasPending())
            {
                LockSupport.parkNanos(this, MAX_PARK_NS);
            }
        }
        finally
        {
            sleeper = null;
        }
    }

    private void park(final long sequence, final Sequence dependentSequence, final SequenceBarrier barrier)
        throws AlertException
    {
        sleeper = Thread.currentThread();
        try
        {
            if (dependentSequence.get() < sequence)
            {
                barrier.checkAlert();
                LockSupport.parkNanos(this, MAX_PARK_NS);
            }
        }
        finally
        {
            sleeper = null;
        }
    }
}
