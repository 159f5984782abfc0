package io.vshard.bench.latency;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.ProducerType;
import io.vshard.bench.BenchJvm;
import io.vshard.bench.Envelopes;
import io.vshard.bench.PaddedCounter;
import io.vshard.bench.PipelineFixture;
import io.vshard.bench.baseline.ConsumerThread;
import io.vshard.core.pipeline.EnvelopeHandler;
import io.vshard.core.pipeline.Pipeline;
import io.vshard.core.pipeline.Reply;
import io.vshard.core.pipeline.WaitStrategyKind;
import io.vshard.core.reply.CallbackReplyDestination;
import io.vshard.core.reply.ReplyDestination;
import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.EnvelopeView;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import org.HdrHistogram.Histogram;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Latency at an offered rate, through one lane: the benchmark thread offers {@code ratePerSecond} envelopes a second
 * on a fixed schedule, each with a correlation id, and the handler echoes it as a reply. Two latencies per envelope:
 * from its intended publish time to the handler call ({@code toHandler}), and to the reply reaching the in-process
 * reply callback ({@code toReply}).
 * <p>
 * Why a harness inside a single-shot benchmark rather than JMH's {@code SampleTime}: SampleTime times calls made
 * back to back, so a stall delays the calls behind it and hides their wait (coordinated omission), and it cannot hold
 * an offered rate. Here each invocation runs the schedule for {@code durationMs}; the intended send time of each
 * envelope is carried in its payload and latency is measured from it, so a producer that falls behind is charged
 * the wait. Running it as a JMH benchmark keeps the forks, JVM flags, warm-up and command line of the rest of the
 * suite. The JMH score (ms per iteration) is only the schedule's length: the figures are the percentiles printed
 * and written as {@code .hgrm} files (values in microseconds) into {@code -Dvshard.bench.results} (default
 * {@code bench/results/latest}), one file per fork, named by the parameters, the latency and the fork's pid.
 * Warm-up iterations are recorded and discarded.
 * <p>
 * Baselines in the same harness ({@code ring}): the same paced producer, the same clock reads and the same histogram
 * on the consumer side, into a bare Disruptor ring ({@code disruptor}: a multi-producer ring of the lanes' size and
 * wait strategy, as the lane's shared ring that {@link Pipeline#offer} claims from, one long per event, read by a
 * {@link BatchEventProcessor}) and into Agrona's {@link OneToOneRingBuffer} ({@code agrona}: the envelope's bytes
 * copied in, the send time read out, a consumer thread waiting as {@link ConsumerThread} does). Their latency to the
 * consumer is written as {@code disruptorToConsumer} and {@code agronaToConsumer}, next to the pipeline's
 * {@code toHandler}; the report gives the pipeline's percentiles as ratios to the bare Disruptor's of the same run.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, batchSize = 1)
@Measurement(iterations = 3, batchSize = 1)
@Fork(value = BenchJvm.FORKS, jvmArgsAppend = {
    BenchJvm.OPENS_MISC, BenchJvm.OPENS_NIO, BenchJvm.OPENS_NIO_CH, BenchJvm.XMS, BenchJvm.XMX, BenchJvm.PRE_TOUCH})
@State(Scope.Benchmark)
public class PipelineLatency
{
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long SMOKE_DURATION_MS = 20;
    private static final int REPLY_VALUE_OFFSET =
        FrameDescriptor.BODY_OFFSET + EnvelopeDescriptor.PAYLOAD_OFFSET + Envelopes.VALUE_FIELD_OFFSET;

    @Param({"100000", "500000", "1000000"})
    int ratePerSecond;

    @Param({"64"})
    int payloadBytes;

    @Param({"2000"})
    int durationMs;

    @Param({"busy-spin"})
    String waitStrategy;

    /** What the paced producer offers into: {@code pipeline}, or a baseline, {@code disruptor} or {@code agrona}. */
    @Param({"pipeline", "disruptor", "agrona"})
    String ring;

    /** Latency to the pipeline's handler, or to a baseline ring's consumer. */
    final Histogram toHandler = new Histogram(HIGHEST_TRACKABLE_NS, 3);
    final Histogram toReply = new Histogram(HIGHEST_TRACKABLE_NS, 3);
    final PaddedCounter replied = new PaddedCounter();
    PacedRing target;
    PipelineFixture fixture;
    Pipeline pipeline;
    ReplyDestination destination;
    UnsafeBuffer envelope;
    long published;
    long correlationId;
    long backPressured;
    boolean measuring;

    /**
     * Launch the pipeline with the echoing handler, or the baseline ring and its consumer.
     */
    @Setup(Level.Trial)
    public void launch()
    {
        envelope = Envelopes.envelope(PipelineFixture.typeOfLane(0), 1, payloadBytes, 0);
        switch (ring)
        {
            case "pipeline":
                final EnvelopeHandler echo = this::onEnvelope;
                destination = new CallbackReplyDestination(this::onReply);
                fixture = PipelineFixture.launch(waitStrategy, BenchJvm.RING_SIZE, 256, echo);
                pipeline = fixture.pipeline();
                target = new PipelineRing();
                break;
            case "disruptor":
                target = new DisruptorRing();
                break;
            case "agrona":
                target = new AgronaRing();
                break;
            default:
                throw new IllegalArgumentException("pipeline, disruptor or agrona: ring=" + ring);
        }
    }

    /**
     * Discard what warm-up recorded: histograms are reset before every warm-up iteration and before the first
     * measured one, when the lane has answered everything published (so it is not writing them).
     *
     * @param params tells warm-up from measurement.
     */
    @Setup(Level.Iteration)
    public void resetUnlessMeasuring(final IterationParams params)
    {
        if (IterationType.WARMUP == params.getType() || !measuring)
        {
            toHandler.reset();
            toReply.reset();
            backPressured = 0;
            measuring = IterationType.MEASUREMENT == params.getType();
        }
    }

    /**
     * Print the percentiles, write the {@code .hgrm} files and close the pipeline.
     */
    @TearDown(Level.Trial)
    public void close() throws InterruptedException
    {
        target.close();
        final String name = "PipelineLatency-rate" + ratePerSecond + "-payload" + payloadBytes + "-" + waitStrategy;
        final long pid = ProcessHandle.current().pid();
        System.out.println();
        if ("pipeline".equals(ring))
        {
            System.out.println(summary(name + " toHandler", toHandler) + " backPressured=" + backPressured);
            System.out.println(summary(name + " toReply", toReply));
            write(name + "-toHandler-" + pid + ".hgrm", toHandler);
            write(name + "-toReply-" + pid + ".hgrm", toReply);
        }
        else
        {
            final String kind = ring + "ToConsumer";
            System.out.println(summary(name + " " + kind, toHandler) + " backPressured=" + backPressured);
            write(name + "-" + kind + "-" + pid + ".hgrm", toHandler);
        }
    }

    /**
     * Offer on schedule for the iteration's duration, then wait for the last reply (the last message consumed, for a
     * baseline).
     *
     * @return envelopes offered.
     */
    @Benchmark
    public long offerAtRate()
    {
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
        final long durationNs = TimeUnit.MILLISECONDS.toNanos(BenchJvm.SMOKE ? SMOKE_DURATION_MS : durationMs);
        final long count = durationNs / intervalNs;
        final long startNs = System.nanoTime() + intervalNs;
        final int valueOffset = EnvelopeDescriptor.PAYLOAD_OFFSET + Envelopes.VALUE_FIELD_OFFSET;
        for (long i = 0; i < count; i++)
        {
            final long intendedNs = startNs + i * intervalNs;
            while (System.nanoTime() < intendedNs)
            {
                Thread.onSpinWait();
            }
            envelope.putLong(valueOffset, intendedNs, LITTLE_ENDIAN);
            while (!target.offer(intendedNs))
            {
                backPressured++;
                Thread.onSpinWait();
            }
        }
        published += count;
        while (replied.getAcquire() < published)
        {
            Thread.onSpinWait();
        }
        return count;
    }

    /**
     * Where the paced producer offers: the pipeline or a baseline ring. Each consumer records the latency from the
     * intended send time into {@link #toHandler}; {@link #replied} counts what completed (replies for the pipeline,
     * messages consumed for a baseline).
     */
    abstract static class PacedRing
    {
        /**
         * Offer one message whose intended send time is in {@link #envelope} (and given).
         *
         * @param intendedNs the intended send time.
         * @return false when back-pressured (the caller retries).
         */
        abstract boolean offer(long intendedNs);

        /**
         * Stop the consumer.
         *
         * @throws InterruptedException if interrupted while joining it.
         */
        abstract void close() throws InterruptedException;
    }

    final class PipelineRing extends PacedRing
    {
        boolean offer(final long intendedNs)
        {
            return Pipeline.BACK_PRESSURED !=
                pipeline.offer(envelope, 0, envelope.capacity(), destination, 0, ++correlationId);
        }

        void close()
        {
            fixture.close();
        }
    }

    /**
     * A bare Disruptor ring of the lanes' size, multi-producer (as a lane's shared ring), the lanes' wait strategy,
     * one long per event (the intended send time), consumed by a {@link BatchEventProcessor}.
     */
    final class DisruptorRing extends PacedRing
    {
        private final RingBuffer<TimeEvent> ringBuffer;
        private final BatchEventProcessor<TimeEvent> processor;
        private final Thread thread;

        DisruptorRing()
        {
            ringBuffer = RingBuffer.create(ProducerType.MULTI, TimeEvent::new, BenchJvm.RING_SIZE,
                WaitStrategyKind.parse(waitStrategy).newWaitStrategy());
            final EventHandler<TimeEvent> handler = this::onEvent;
            processor = new BatchEventProcessorBuilder().build(ringBuffer, ringBuffer.newBarrier(), handler);
            ringBuffer.addGatingSequences(processor.getSequence());
            thread = new Thread(processor, "disruptor-latency-consumer");
            thread.setDaemon(true);
            thread.start();
        }

        boolean offer(final long intendedNs)
        {
            final long sequence;
            try
            {
                sequence = ringBuffer.tryNext();
            }
            catch (final InsufficientCapacityException ex)
            {
                return false;
            }
            ringBuffer.get(sequence).intendedNs = intendedNs;
            ringBuffer.publish(sequence);
            return true;
        }

        void close() throws InterruptedException
        {
            processor.halt();
            thread.join();
        }

        private void onEvent(final TimeEvent event, final long sequence, final boolean endOfBatch)
        {
            final long nowNs = System.nanoTime();
            toHandler.recordValue(Math.min(nowNs - event.intendedNs, HIGHEST_TRACKABLE_NS));
            replied.incrementRelease();
        }
    }

    /**
     * A pre-allocated Disruptor event: the intended send time.
     */
    static final class TimeEvent
    {
        long intendedNs;
    }

    /**
     * Agrona's one-to-one ring of the lanes' size in records of the envelope's length: the envelope's bytes copied
     * in, the intended send time read out by a consumer thread waiting as {@link ConsumerThread} does.
     */
    final class AgronaRing extends PacedRing
    {
        private static final int MSG_TYPE_ID = 1;

        private final OneToOneRingBuffer ringBuffer;
        private final ConsumerThread consumer;
        private final int valueOffset = EnvelopeDescriptor.PAYLOAD_OFFSET + Envelopes.VALUE_FIELD_OFFSET;

        AgronaRing()
        {
            final int recordLength = BitUtil.align(
                RecordDescriptor.HEADER_LENGTH + envelope.capacity(), RecordDescriptor.ALIGNMENT);
            final int capacity = BitUtil.findNextPositivePowerOfTwo(BenchJvm.RING_SIZE * recordLength);
            ringBuffer = new OneToOneRingBuffer(new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                capacity + RingBufferDescriptor.TRAILER_LENGTH, BitUtil.CACHE_LINE_LENGTH)));
            final MessageHandler handler = this::onMessage;
            consumer = new ConsumerThread("agrona-latency-consumer", waitStrategy, () -> ringBuffer.read(handler));
            consumer.start();
        }

        boolean offer(final long intendedNs)
        {
            return ringBuffer.write(MSG_TYPE_ID, envelope, 0, envelope.capacity());
        }

        void close() throws InterruptedException
        {
            consumer.stop();
        }

        private void onMessage(
            final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            final long nowNs = System.nanoTime();
            final long intendedNs = buffer.getLong(index + valueOffset, LITTLE_ENDIAN);
            toHandler.recordValue(Math.min(nowNs - intendedNs, HIGHEST_TRACKABLE_NS));
            replied.incrementRelease();
        }
    }

    private void onEnvelope(final EnvelopeView view, final Reply reply)
    {
        final long nowNs = System.nanoTime();
        final DirectBuffer payload = view.payloadBuffer();
        final long intendedNs = payload.getLong(view.payloadOffset() + Envelopes.VALUE_FIELD_OFFSET, LITTLE_ENDIAN);
        toHandler.recordValue(Math.min(nowNs - intendedNs, HIGHEST_TRACKABLE_NS));
        reply.respond(MessageType.TsScatterResponse, payload, view.payloadOffset(), view.payloadLength());
    }

    private void onReply(final long replyAddress, final DirectBuffer buffer, final int offset, final int length)
    {
        final long nowNs = System.nanoTime();
        final long intendedNs = buffer.getLong(offset + REPLY_VALUE_OFFSET, LITTLE_ENDIAN);
        toReply.recordValue(Math.min(nowNs - intendedNs, HIGHEST_TRACKABLE_NS));
        replied.incrementRelease();
    }

    private static String summary(final String name, final Histogram histogram)
    {
        return String.format(
            "%s [us]: count=%d p50=%.1f p90=%.1f p99=%.1f p99.9=%.1f p99.99=%.1f max=%.1f",
            name, histogram.getTotalCount(),
            histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(90) / 1000.0,
            histogram.getValueAtPercentile(99) / 1000.0, histogram.getValueAtPercentile(99.9) / 1000.0,
            histogram.getValueAtPercentile(99.99) / 1000.0, histogram.getMaxValue() / 1000.0);
    }

    private static void write(final String fileName, final Histogram histogram)
    {
        final Path dir = Path.of(System.getProperty(BenchJvm.RESULTS_DIR_PROP_NAME, BenchJvm.RESULTS_DIR_DEFAULT));
        try
        {
            Files.createDirectories(dir);
            try (PrintStream out = new PrintStream(Files.newOutputStream(dir.resolve(fileName)), false, "US-ASCII"))
            {
                histogram.outputPercentileDistribution(out, 1000.0);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
