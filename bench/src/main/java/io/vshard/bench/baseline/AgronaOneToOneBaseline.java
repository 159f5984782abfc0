package io.vshard.bench.baseline;

import io.vshard.bench.BenchJvm;
import io.vshard.bench.Envelopes;
import io.vshard.bench.PaddedCounter;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
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

import java.util.concurrent.TimeUnit;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Agrona's {@link OneToOneRingBuffer}: one producer thread writes (copies) {@code messageBytes}-byte messages, a
 * busy-spinning consumer thread reads each and sums a field. Capacity: the pipeline's ring size in records of this
 * length. The bar for the pipeline at 64 bytes is half of this figure.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = BenchJvm.FORKS, jvmArgsAppend = {
    BenchJvm.OPENS_MISC, BenchJvm.OPENS_NIO, BenchJvm.OPENS_NIO_CH, BenchJvm.XMS, BenchJvm.XMX, BenchJvm.PRE_TOUCH})
@State(Scope.Group)
public class AgronaOneToOneBaseline
{
    private static final int MSG_TYPE_ID = 1;

    @Param({"64"})
    int messageBytes;

    @Param({"busy-spin"})
    String waitStrategy;

    OneToOneRingBuffer ring;
    UnsafeBuffer message;
    final PaddedCounter handled = new PaddedCounter();
    final PaddedCounter sum = new PaddedCounter();
    private ConsumerThread consumer;

    /**
     * Allocate the ring and start the consumer.
     */
    @Setup(Level.Trial)
    public void start()
    {
        final int recordLength = BitUtil.align(
            RecordDescriptor.HEADER_LENGTH + messageBytes, RecordDescriptor.ALIGNMENT);
        final int capacity = BitUtil.findNextPositivePowerOfTwo(BenchJvm.RING_SIZE * recordLength);
        ring = new OneToOneRingBuffer(new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            capacity + RingBufferDescriptor.TRAILER_LENGTH, BitUtil.CACHE_LINE_LENGTH)));
        message = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            BitUtil.align(messageBytes, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH), 0, messageBytes);
        message.putLong(Envelopes.VALUE_FIELD_OFFSET, 1L, LITTLE_ENDIAN);
        final MessageHandler handler = this::onMessage;
        consumer = new ConsumerThread("agrona-consumer", waitStrategy, () -> ring.read(handler));
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

    private void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        sum.addRelease(buffer.getLong(index + Envelopes.VALUE_FIELD_OFFSET, LITTLE_ENDIAN));
        handled.incrementRelease();
    }

    /**
     * The producer thread and its counters.
     */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Producer
    {
        /** Messages handled by the consumer during the iteration: the figure. */
        public long handled;

        /** Writes refused for want of space, each retried. */
        public long backPressured;

        private AgronaOneToOneBaseline bench;
        private long handledAtBegin;

        /**
         * Start the handled count of the iteration.
         *
         * @param bench the ring.
         */
        @Setup(Level.Iteration)
        public void beginIteration(final AgronaOneToOneBaseline bench)
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
     * Write one message, retrying while the ring is full.
     *
     * @param producer its counters.
     * @return true.
     */
    @Benchmark
    @Group("oneProducer")
    @GroupThreads(1)
    public boolean oneProducer(final Producer producer)
    {
        boolean written;
        while (!(written = ring.write(MSG_TYPE_ID, message, 0, messageBytes)))
        {
            producer.backPressured++;
            Thread.yield();
        }
        return written;
    }
}
