package io.vshard.bench.codec;

import io.vshard.bench.BenchJvm;
import io.vshard.bench.Envelopes;
import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameFlyweight;
import io.vshard.core.wire.MessageType;
import org.agrona.concurrent.UnsafeBuffer;
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
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * Frame decode as the I/O thread does it: {@link FrameFlyweight#validate} (header checks and the envelope inside)
 * then the correlation id and body read through the flyweight, over a cycle of frames with different correlation
 * ids and types.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = BenchJvm.FORKS, jvmArgsAppend = {
    BenchJvm.OPENS_MISC, BenchJvm.OPENS_NIO, BenchJvm.OPENS_NIO_CH, BenchJvm.XMS, BenchJvm.XMX, BenchJvm.PRE_TOUCH})
@State(Scope.Thread)
public class FrameCodec
{
    private static final int CYCLE = 16;

    UnsafeBuffer[] frames;
    final FrameFlyweight frame = new FrameFlyweight();
    int next;

    /**
     * Build the frames.
     */
    @Setup(Level.Trial)
    public void setup()
    {
        frames = new UnsafeBuffer[CYCLE];
        for (int i = 0; i < CYCLE; i++)
        {
            final MessageType type = 0 == (i & 1) ? MessageType.TsScatterRequest : MessageType.GraphAlgoSuperstep;
            frames[i] = Envelopes.frame(type, i, 64);
        }
    }

    /**
     * Validate one frame and read its fields.
     *
     * @param bh sinks the fields.
     * @return the validation result.
     */
    @Benchmark
    public int decode(final Blackhole bh)
    {
        final UnsafeBuffer buffer = frames[next++ & (CYCLE - 1)];
        final int result = FrameFlyweight.validate(
            buffer, 0, buffer.capacity(), EnvelopeDescriptor.MAX_PAYLOAD_LENGTH_DEFAULT);
        if (ErrorCode.NONE == result)
        {
            frame.wrap(buffer, 0);
            bh.consume(frame.kind());
            bh.consume(frame.correlationId());
            bh.consume(frame.bodyOffset());
            bh.consume(frame.bodyLength());
        }
        return result;
    }
}
