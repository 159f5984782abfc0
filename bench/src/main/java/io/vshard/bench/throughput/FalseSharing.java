package io.vshard.bench.throughput;

import io.vshard.bench.BenchJvm;
import io.vshard.bench.PaddedCounter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

/**
 * Why hot single-writer fields are padded: two threads each bump their own counter with a release store, as a lane
 * thread bumps its sequence and its handled count while a publisher bumps its own. {@code adjacent}: the two
 * counters are neighbouring fields of one object, on one cache line, which then ping-pongs between the cores;
 * {@code padded}: each is a {@link PaddedCounter} ({@code LhsPadding -> Value -> RhsPadding}, as Disruptor's
 * {@code Sequence}), alone on its lines. The score is increments per second of each thread, summed over the group.
 * <p>
 * vshard's core already keeps its hot single-writer fields apart: lane sequences are Disruptor {@code Sequence}s,
 * counters are Agrona {@code AtomicCounter}s, each in its own 128-byte record of the counters file. This benchmark
 * measures the pattern those rely on; the benchmarks' own handled counters use it too.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = BenchJvm.FORKS, jvmArgsAppend = {
    BenchJvm.OPENS_MISC, BenchJvm.OPENS_NIO, BenchJvm.OPENS_NIO_CH, BenchJvm.XMS, BenchJvm.XMX, BenchJvm.PRE_TOUCH})
@State(Scope.Group)
public class FalseSharing
{
    private static final VarHandle LEFT_VH;
    private static final VarHandle RIGHT_VH;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            LEFT_VH = lookup.findVarHandle(FalseSharing.class, "left", long.class);
            RIGHT_VH = lookup.findVarHandle(FalseSharing.class, "right", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    long left;
    long right;
    final PaddedCounter paddedLeft = new PaddedCounter();
    final PaddedCounter paddedRight = new PaddedCounter();

    /**
     * The left thread, adjacent fields.
     *
     * @return the value stored.
     */
    @Benchmark
    @Group("adjacent")
    @GroupThreads(1)
    public long adjacentLeft()
    {
        final long value = left + 1;
        LEFT_VH.setRelease(this, value);
        return value;
    }

    /**
     * The right thread, adjacent fields.
     *
     * @return the value stored.
     */
    @Benchmark
    @Group("adjacent")
    @GroupThreads(1)
    public long adjacentRight()
    {
        final long value = right + 1;
        RIGHT_VH.setRelease(this, value);
        return value;
    }

    /**
     * The left thread, padded counters.
     */
    @Benchmark
    @Group("padded")
    @GroupThreads(1)
    public void paddedLeft()
    {
        paddedLeft.incrementRelease();
    }

    /**
     * The right thread, padded counters.
     */
    @Benchmark
    @Group("padded")
    @GroupThreads(1)
    public void paddedRight()
    {
        paddedRight.incrementRelease();
    }
}
