package io.vshard.bench.baseline;

import io.vshard.bench.BenchJvm;
import io.vshard.bench.Envelopes;
import io.vshard.bench.PaddedCounter;
import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.MessageType;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What a naive port would do: decode each envelope into a new heap object with its payload copied into a new
 * {@code byte[]}, put it on an {@link ArrayBlockingQueue} (the pipeline's ring size), and have a consumer thread
 * dispatch it with a {@code switch} on the message type to a handler that sums a payload field. The consumer polls
 * and waits as a lane of the same wait strategy does (a blocking {@code take()} would only be slower). It allocates
 * per envelope: {@code gc.alloc.rate.norm} shows by how much.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = BenchJvm.FORKS, jvmArgsAppend = {
    BenchJvm.OPENS_MISC, BenchJvm.OPENS_NIO, BenchJvm.OPENS_NIO_CH, BenchJvm.XMS, BenchJvm.XMX, BenchJvm.PRE_TOUCH})
@State(Scope.Group)
public class AbqBaseline
{
    @Param({"64"})
    int payloadBytes;

    @Param({"busy-spin"})
    String waitStrategy;

    ArrayBlockingQueue<HeapEnvelope> queue;
    UnsafeBuffer envelope;
    final PaddedCounter handled = new PaddedCounter();
    long sum;
    long otherTypes;
    private ConsumerThread consumer;

    /**
     * An envelope decoded onto the heap, as a naive port represents it.
     */
    record HeapEnvelope(int msgType, long sourceNode, long targetNode, int vshardId, byte[] payload)
    {
    }

    /**
     * Build the queue and start the consumer.
     */
    @Setup(Level.Trial)
    public void start()
    {
        queue = new ArrayBlockingQueue<>(BenchJvm.RING_SIZE);
        envelope = Envelopes.envelope(MessageType.TsScatterRequest, 7, payloadBytes, 0);
        consumer = new ConsumerThread("abq-consumer", waitStrategy, this::poll);
        consumer.start();
    }

    /**
     * Stop the consumer.
     *
     * @throws InterruptedException if interrupted while joining it.
     */
    @TearDown(Level.Trial)
    public void stop() throws InterruptedException
    {
        consumer.stop();
    }

    private int poll()
    {
        final HeapEnvelope heapEnvelope = queue.poll();
        if (null == heapEnvelope)
        {
            return 0;
        }
        switch (heapEnvelope.msgType())
        {
            case 40:
                onTsScatterRequest(heapEnvelope);
                break;
            case 30:
                onGraphAlgoSuperstep(heapEnvelope);
                break;
            default:
                otherTypes++;
                break;
        }
        handled.incrementRelease();
        return 1;
    }

    private void onTsScatterRequest(final HeapEnvelope heapEnvelope)
    {
        final byte[] payload = heapEnvelope.payload();
        long value = 0;
        for (int i = 7; i >= 0; i--)
        {
            value = (value << 8) | (payload[Envelopes.VALUE_FIELD_OFFSET + i] & 0xFF);
        }
        sum += value;
    }

    private void onGraphAlgoSuperstep(final HeapEnvelope heapEnvelope)
    {
        sum += heapEnvelope.vshardId();
    }

    /**
     * The producer thread and its counters.
     */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Producer
    {
        /** Envelopes handled by the consumer during the iteration: the figure. */
        public long handled;

        /** Offers refused for want of space, each retried. */
        public long backPressured;

        private AbqBaseline bench;
        private long handledAtBegin;

        /**
         * Start the handled count of the iteration.
         *
         * @param bench the queue.
         */
        @Setup(Level.Iteration)
        public void beginIteration(final AbqBaseline bench)
        {
            this.bench = bench;
            handledAtBegin = bench.handled.getAcquire();
            handled = 0;
            backPressured = 0;
        }

        /**
         * End the handled count of the iteration.
         */
        @TearDown(Level.Iteration)
        public void endIteration()
        {
            handled = bench.handled.getAcquire() - handledAtBegin;
        }
    }

    /**
     * Decode one envelope onto the heap and offer it, retrying while the queue is full.
     *
     * @param producer its counters.
     * @return true.
     */
    @Benchmark
    @Group("oneProducer")
    @GroupThreads(1)
    public boolean oneProducer(final Producer producer)
    {
        final UnsafeBuffer buffer = envelope;
        final int payloadLength = EnvelopeDescriptor.payloadLength(buffer, 0);
        final byte[] payload = new byte[payloadLength];
        buffer.getBytes(EnvelopeDescriptor.PAYLOAD_OFFSET, payload);
        final HeapEnvelope heapEnvelope = new HeapEnvelope(
            EnvelopeDescriptor.msgType(buffer, 0),
            EnvelopeDescriptor.sourceNode(buffer, 0),
            EnvelopeDescriptor.targetNode(buffer, 0),
            EnvelopeDescriptor.vshardId(buffer, 0),
            payload);
        boolean offered;
        while (!(offered = queue.offer(heapEnvelope)))
        {
            producer.backPressured++;
            Thread.yield();
        }
        return offered;
    }
}
