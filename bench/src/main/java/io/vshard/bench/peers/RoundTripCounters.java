package io.vshard.bench.peers;

import io.vshard.bench.ProcessCpu;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per-iteration counts of a peer benchmark, rated per second by JMH: {@code roundTrips} (answers back at the client)
 * and {@code cpuNs} (CPU time of the whole process, client and server together; divided by {@code roundTrips} it is
 * the CPU per round trip). The benchmark thread calls {@link #update(long)} with the running count of round trips;
 * the first call of an iteration takes the bases, so an iteration's figures start at its first invocation.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class RoundTripCounters
{
    /** Round trips completed during the iteration. */
    public long roundTrips;

    /** Nanoseconds of process CPU used during the iteration. */
    public long cpuNs;

    private long roundTripsBase = -1;
    private long cpuNsBase;

    /**
     * Start an iteration: the next {@link #update(long)} takes the bases.
     */
    @Setup(Level.Iteration)
    public void reset()
    {
        roundTripsBase = -1;
        roundTrips = 0;
        cpuNs = 0;
    }

    /**
     * Take the counts. Benchmark thread; reads the process CPU time, so call it every millisecond or every few
     * hundred operations, not on every one.
     *
     * @param roundTripsNow round trips completed since the trial started.
     */
    void update(final long roundTripsNow)
    {
        final long cpuNowNs = ProcessCpu.nanos();
        if (roundTripsBase < 0)
        {
            roundTripsBase = roundTripsNow;
            cpuNsBase = cpuNowNs;
        }
        roundTrips = roundTripsNow - roundTripsBase;
        cpuNs = cpuNowNs - cpuNsBase;
    }
}
