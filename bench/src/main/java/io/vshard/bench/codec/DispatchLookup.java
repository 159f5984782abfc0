package io.vshard.bench.codec;

import io.vshard.bench.BenchJvm;
import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.wire.MessageType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The dispatch look-up, {@code MessageType.get(code).target()}, over a shuffled cycle of every wire code in use, so
 * that the look-up is neither constant nor predictable.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = BenchJvm.FORKS, jvmArgsAppend = {
    BenchJvm.OPENS_MISC, BenchJvm.OPENS_NIO, BenchJvm.OPENS_NIO_CH, BenchJvm.XMS, BenchJvm.XMX, BenchJvm.PRE_TOUCH})
@State(Scope.Thread)
public class DispatchLookup
{
    private static final int CYCLE = 1024;

    int[] codes;
    int next;

    /**
     * Shuffle the codes, with a fixed seed.
     */
    @Setup(Level.Trial)
    public void setup()
    {
        final MessageType[] types = MessageType.values();
        final Random random = new Random(42);
        codes = new int[CYCLE];
        for (int i = 0; i < CYCLE; i++)
        {
            codes[i] = types[random.nextInt(types.length)].code();
        }
    }

    /**
     * Look one code up.
     *
     * @return its target.
     */
    @Benchmark
    public DispatchTarget targetOfCode()
    {
        return MessageType.get(codes[next++ & (CYCLE - 1)]).target();
    }
}
