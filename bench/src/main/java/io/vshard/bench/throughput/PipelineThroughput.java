package io.vshard.bench.throughput;

import io.vshard.bench.BenchJvm;
import io.vshard.bench.Envelopes;
import io.vshard.bench.PipelineFixture;
import io.vshard.bench.SumHandler;
import io.vshard.core.pipeline.Configuration;
import io.vshard.core.pipeline.ExclusivePublisher;
import io.vshard.core.pipeline.Pipeline;
import io.vshard.core.reply.CallbackReplyDestination;
import io.vshard.core.reply.ReplyDestination;
import io.vshard.core.wire.FrameDescriptor;
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

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Offer, lane, handler: one or two producer threads ({@code oneProducer}, {@code twoProducers}) offer
 * fire-and-forget envelopes to one or two lanes (alternating between them), whose handler sums a payload field.
 * {@code offerBatch=1} offers each through {@link Pipeline#offer} (the shared multi-producer ring: one
 * compare-and-swap claim and one publication per envelope); {@code offerBatch=64} through the producer's own
 * {@link ExclusivePublisher} (a single-producer ring per lane, what a run accepted published when the run ends,
 * every 64 envelopes), as an I/O thread offers the
 * frames of one read. The figure is {@code :handled}, envelopes handled per second; a back-pressured offer
 * is counted in {@code :backPressured} and retried after a {@link Thread#yield()} (the ring is full, so the lane is
 * the bottleneck, and on a shared machine it may need this core). The primary score counts offer calls that
 * returned, one per accepted envelope.
 * <p>
 * Counting: each producer writes its index into its payloads and the lane's {@link SumHandler} counts per producer;
 * the producer's {@code @AuxCounters} state takes the difference of its count between iteration set-up and
 * tear-down (JMH runs the tear-down before it reads the counters, and reads only fields declared in the state class
 * itself, hence the fields are repeated in each benchmark's producer). The window is the iteration's plus the
 * instants of set-up and tear-down (and the warm-down of the other thread of a group): at most a ring of envelopes,
 * far below the noise for one-second iterations.
 * <p>
 * With busy-spin lanes, one producer and one lane fill the two cores of a small machine; more threads than cores
 * measure the scheduler as much as the pipeline ({@code -p waitStrategy=yielding} is kinder there).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = BenchJvm.FORKS, jvmArgsAppend = {
    BenchJvm.OPENS_MISC, BenchJvm.OPENS_NIO, BenchJvm.OPENS_NIO_CH, BenchJvm.XMS, BenchJvm.XMX, BenchJvm.PRE_TOUCH})
@State(Scope.Group)
public class PipelineThroughput
{
    @Param({"1", "2"})
    int lanes;

    @Param({"64", "1024"})
    int payloadBytes;

    @Param({"1", "64"})
    int offerBatch;

    @Param({"busy-spin"})
    String waitStrategy;

    @Param({"256"})
    int slotLength;

    @Param({"" + BenchJvm.RING_SIZE})
    int ringSize;

    /**
     * Per-target latency recording: {@code off}; {@code on} (the default: cheap calls timed in runs, one clock read
     * per run); {@code per-call} (a clock read after every call, {@code vshard.latency.cheap.call.ns=0}, set before
     * the recorder's class loads, so one value per fork).
     */
    @Param({"on"})
    String recording;

    SumHandler[] handlers;
    PipelineFixture fixture;
    final AtomicInteger producers = new AtomicInteger();

    /**
     * Launch the pipeline.
     */
    @Setup(Level.Trial)
    public void launch()
    {
        handlers = new SumHandler[lanes];
        for (int i = 0; i < lanes; i++)
        {
            handlers[i] = new SumHandler();
        }
        if ("per-call".equals(recording))
        {
            System.setProperty(Configuration.LATENCY_CHEAP_CALL_NS_PROP_NAME, "0");
        }
        else if (!"on".equals(recording) && !"off".equals(recording))
        {
            throw new IllegalArgumentException("recording must be off, on or per-call: recording=" + recording);
        }
        fixture = PipelineFixture.launch(waitStrategy, ringSize, slotLength, !"off".equals(recording), handlers);
    }

    /**
     * Close the pipeline: drains what it accepted and stops the lane threads.
     */
    @TearDown(Level.Trial)
    public void close()
    {
        fixture.close();
    }

    /**
     * One producer thread: its envelopes (one per lane, its index in the payload), its place in the lane cycle, and
     * its counters.
     */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Producer
    {
        /** Envelopes of this producer handled by the lanes during the iteration: the figure. */
        public long handled;

        /** Offers refused as back-pressured, each retried. */
        public long backPressured;

        private long handledAtBegin;
        Pipeline pipeline;
        ExclusivePublisher publisher;
        int offerBatch;
        int untilFlush;
        SumHandler[] handlers;
        UnsafeBuffer[] envelopes;
        int producer;
        int laneMask;
        int next;

        /**
         * Build this producer's envelopes.
         *
         * @param bench the group's pipeline.
         */
        @Setup(Level.Trial)
        public void setup(final PipelineThroughput bench)
        {
            pipeline = bench.fixture.pipeline();
            offerBatch = bench.offerBatch;
            untilFlush = offerBatch;
            publisher = pipeline.newExclusivePublisher();
            handlers = bench.handlers;
            producer = bench.producers.getAndIncrement();
            laneMask = bench.lanes - 1;
            envelopes = new UnsafeBuffer[bench.lanes];
            for (int lane = 0; lane < bench.lanes; lane++)
            {
                envelopes[lane] = Envelopes.envelope(
                    PipelineFixture.typeOfLane(lane), producer, bench.payloadBytes, producer);
            }
            for (int lane = 0; lane < bench.lanes; lane++)
            {
                // One offer per lane before measuring (counted before the first iteration begins).
                offer();
            }
            publisher.endRun();
            untilFlush = offerBatch;
            // What a node allocates at start-up is in the old generation after it has run a while; there a reference
            // store costs what G1's post-write barrier does for long-lived objects (a fence when not young).
            System.gc();
        }

        /**
         * Start the handled count of the iteration.
         */
        @Setup(Level.Iteration)
        public void beginIteration()
        {
            handledAtBegin = handledSoFar();
            handled = 0;
            backPressured = 0;
        }

        /**
         * End the handled count of the iteration, ending the exclusive publisher's run first (JMH runs every thread's
         * iteration tear-down before the trial tear-down closes the pipeline, which waits for open runs).
         */
        @TearDown(Level.Iteration)
        public void endIteration()
        {
            publisher.endRun();
            untilFlush = offerBatch;
            handled = handledSoFar() - handledAtBegin;
        }

        int offer()
        {
            final UnsafeBuffer envelope = envelopes[next++ & laneMask];
            return 1 == offerBatch ? offerOne(envelope) : offerInBatch(envelope);
        }

        private int offerOne(final UnsafeBuffer envelope)
        {
            int result;
            int retries = MAX_RETRIES;
            while (Pipeline.BACK_PRESSURED == (result = pipeline.offer(
                envelope, 0, envelope.capacity(), NO_REPLY, 0, FrameDescriptor.FIRE_AND_FORGET)) && --retries > 0)
            {
                backPressured++;
                Thread.yield();
            }
            return result;
        }

        private int offerInBatch(final UnsafeBuffer envelope)
        {
            int result;
            int retries = MAX_RETRIES;
            while (Pipeline.BACK_PRESSURED == (result = publisher.offer(
                envelope, 0, envelope.capacity(), NO_REPLY, 0, FrameDescriptor.FIRE_AND_FORGET)) && --retries > 0)
            {
                backPressured++;
                publisher.endRun();
                untilFlush = offerBatch;
                Thread.yield();
            }
            if (0 == --untilFlush)
            {
                publisher.endRun();
                untilFlush = offerBatch;
            }
            return result;
        }

        private long handledSoFar()
        {
            long handled = 0;
            for (final SumHandler handler : handlers)
            {
                handled += handler.handled(producer);
            }
            return handled;
        }
    }

    /**
     * Retries of one back-pressured offer before the invocation gives up, so that an iteration always ends even when
     * a lane is starved of CPU on a loaded machine.
     */
    static final int MAX_RETRIES = 10_000;

    /** Never called: fire-and-forget envelopes are not answered. */
    static final ReplyDestination NO_REPLY = new CallbackReplyDestination((replyAddress, buffer, offset, length) -> {});

    /**
     * One producer thread.
     *
     * @param producer its state and counters.
     * @return the offer's result, {@link Pipeline#ACCEPTED}.
     */
    @Benchmark
    @Group("oneProducer")
    @GroupThreads(1)
    public int oneProducer(final Producer producer)
    {
        return producer.offer();
    }

    /**
     * Two producer threads.
     *
     * @param producer its state and counters.
     * @return the offer's result, {@link Pipeline#ACCEPTED}.
     */
    @Benchmark
    @Group("twoProducers")
    @GroupThreads(2)
    public int twoProducers(final Producer producer)
    {
        return producer.offer();
    }
}
