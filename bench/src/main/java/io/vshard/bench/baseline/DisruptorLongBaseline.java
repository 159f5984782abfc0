package io.vshard.bench.baseline;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.ProducerType;
import io.vshard.bench.BenchJvm;
import io.vshard.bench.PaddedCounter;
import io.vshard.core.pipeline.WaitStrategyKind;
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

/**
 * A bare Disruptor 4 moving one long per event: the pipeline's ring without the pipeline. Same ring size and wait
 * strategy as the lanes; {@code producerType=MULTI} is the sequencer the lanes use, claiming one slot per event
 * ({@code tryNext()}), {@code SINGLE} the single-producer one. The handler sums the longs.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = BenchJvm.FORKS, jvmArgsAppend = {
    BenchJvm.OPENS_MISC, BenchJvm.OPENS_NIO, BenchJvm.OPENS_NIO_CH, BenchJvm.XMS, BenchJvm.XMX, BenchJvm.PRE_TOUCH})
@State(Scope.Group)
public class DisruptorLongBaseline
{
    @Param({"MULTI", "SINGLE"})
    ProducerType producerType;

    @Param({"busy-spin"})
    String waitStrategy;

    RingBuffer<LongEvent> ring;
    final PaddedCounter handled = new PaddedCounter();
    final PaddedCounter sum = new PaddedCounter();
    private BatchEventProcessor<LongEvent> processor;
    private Thread thread;

    /**
     * A pre-allocated ring event.
     */
    static final class LongEvent
    {
        long value;
    }

    /**
     * Build the ring and start its processor.
     */
    @Setup(Level.Trial)
    public void start()
    {
        ring = RingBuffer.create(
            producerType, LongEvent::new, BenchJvm.RING_SIZE, WaitStrategyKind.parse(waitStrategy).newWaitStrategy());
        final EventHandler<LongEvent> handler = (event, sequence, endOfBatch) ->
        {
            sum.addRelease(event.value);
            handled.incrementRelease();
        };
        processor = new BatchEventProcessorBuilder().build(ring, ring.newBarrier(), handler);
        ring.addGatingSequences(processor.getSequence());
        thread = new Thread(processor, "disruptor-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Stop the processor.
     *
     * @throws InterruptedException if interrupted while joining it.
     */
    @TearDown(Level.Trial)
    public void stop() throws InterruptedException
    {
        processor.halt();
        thread.join();
    }

    /**
     * The producer thread and its counters.
     */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Producer
    {
        /** Events handled by the processor during the iteration: the figure. */
        public long handled;

        /** Claims refused for want of space, each retried. */
        public long backPressured;

        private DisruptorLongBaseline bench;
        private long handledAtBegin;
        long value;

        /**
         * Start the handled count of the iteration.
         *
         * @param bench the ring.
         */
        @Setup(Level.Iteration)
        public void beginIteration(final DisruptorLongBaseline bench)
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
     * Claim one slot, write a long, publish; retry while the ring is full, as the pipeline's offer does.
     *
     * @param producer its counters.
     * @return the sequence published.
     */
    @Benchmark
    @Group("oneProducer")
    @GroupThreads(1)
    public long oneProducer(final Producer producer)
    {
        long sequence;
        while (true)
        {
            try
            {
                sequence = ring.tryNext();
                break;
            }
            catch (final InsufficientCapacityException ex)
            {
                producer.backPressured++;
                Thread.yield();
            }
        }
        ring.get(sequence).value = ++producer.value;
        ring.publish(sequence);
        return sequence;
    }
}
