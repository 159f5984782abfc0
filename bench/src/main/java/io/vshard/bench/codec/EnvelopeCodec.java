package io.vshard.bench.codec;

import io.vshard.bench.BenchJvm;
import io.vshard.bench.Envelopes;
import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.EnvelopeFlyweight;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.MessageType;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * Envelope decode: {@link EnvelopeFlyweight#validate} then every header field read through the flyweight, over a
 * cycle of envelopes of different types (so that neither the type check nor the branch on it is a constant); and
 * encode: the header written and the payload copied.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = BenchJvm.FORKS, jvmArgsAppend = {
    BenchJvm.OPENS_MISC, BenchJvm.OPENS_NIO, BenchJvm.OPENS_NIO_CH, BenchJvm.XMS, BenchJvm.XMX, BenchJvm.PRE_TOUCH})
@State(Scope.Thread)
public class EnvelopeCodec
{
    private static final int CYCLE = 16;
    private static final MessageType[] TYPES = {
        MessageType.TsScatterRequest, MessageType.GraphAlgoSuperstep, MessageType.VectorScatterRequest,
        MessageType.SegmentChunk};

    @Param({"64", "1024"})
    int payloadBytes;

    UnsafeBuffer[] envelopes;
    UnsafeBuffer payload;
    UnsafeBuffer target;
    final EnvelopeFlyweight decoder = new EnvelopeFlyweight();
    final EnvelopeFlyweight encoder = new EnvelopeFlyweight();
    int next;

    /**
     * Build the envelopes to decode and the buffers to encode into.
     */
    @Setup(Level.Trial)
    public void setup()
    {
        envelopes = new UnsafeBuffer[CYCLE];
        for (int i = 0; i < CYCLE; i++)
        {
            envelopes[i] = Envelopes.envelope(TYPES[i % TYPES.length], i, payloadBytes, 0);
        }
        payload = new UnsafeBuffer(new byte[payloadBytes]);
        target = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            BitUtil.align(EnvelopeDescriptor.HEADER_LENGTH + payloadBytes, BitUtil.CACHE_LINE_LENGTH),
            BitUtil.CACHE_LINE_LENGTH));
        encoder.wrap(target, 0);
    }

    /**
     * Validate one envelope and read its header fields.
     *
     * @param bh sinks the fields.
     * @return the validation result.
     */
    @Benchmark
    public int decode(final Blackhole bh)
    {
        final UnsafeBuffer envelope = envelopes[next++ & (CYCLE - 1)];
        final int result = EnvelopeFlyweight.validate(
            envelope, 0, envelope.capacity(), EnvelopeDescriptor.MAX_PAYLOAD_LENGTH_DEFAULT);
        if (ErrorCode.NONE == result)
        {
            final EnvelopeFlyweight flyweight = decoder.wrap(envelope, 0);
            bh.consume(flyweight.msgType());
            bh.consume(flyweight.sourceNode());
            bh.consume(flyweight.targetNode());
            bh.consume(flyweight.vshardId());
            bh.consume(flyweight.payloadLength());
        }
        return result;
    }

    /**
     * Write one envelope: header and payload.
     *
     * @return its encoded length.
     */
    @Benchmark
    public int encode()
    {
        final int i = next++;
        return encoder
            .header(MessageType.TsScatterResponse.code(), Envelopes.TARGET_NODE, Envelopes.SOURCE_NODE, i, payloadBytes)
            .payload(payload, 0, payloadBytes)
            .encodedLength();
    }
}
