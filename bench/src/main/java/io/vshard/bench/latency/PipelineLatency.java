package io.vshard.bench.latency;

import io.vshard.bench.BenchJvm;
import io.vshard.bench.Envelopes;
import io.vshard.bench.PaddedCounter;
import io.vshard.bench.PipelineFixture;
import io.vshard.core.pipeline.EnvelopeHandler;
import io.vshard.core.pipeline.Pipeline;
import io.vshard.core.pipeline.Reply;
import io.vshard.core.reply.CallbackReplyDestination;
import io.vshard.core.reply.ReplyDestination;
import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.EnvelopeView;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
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

    final Histogram toHandler = new Histogram(HIGHEST_TRACKABLE_NS, 3);
    final Histogram toReply = new Histogram(HIGHEST_TRACKABLE_NS, 3);
    final PaddedCounter replied = new PaddedCounter();
    PipelineFixture fixture;
    Pipeline pipeline;
    ReplyDestination destination;
    UnsafeBuffer envelope;
    long published;
    long correlationId;
    long backPressured;
    boolean measuring;

    /**
     * Launch the pipeline with the echoing handler.
     */
    @Setup(Level.Trial)
    public void launch()
    {
        final EnvelopeHandler echo = this::onEnvelope;
        destination = new CallbackReplyDestination(this::onReply);
        fixture = PipelineFixture.launch(waitStrategy, BenchJvm.RING_SIZE, 256, echo);
        pipeline = fixture.pipeline();
        envelope = Envelopes.envelope(PipelineFixture.typeOfLane(0), 1, payloadBytes, 0);
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
    public void close()
    {
        fixture.close();
        final String name = "PipelineLatency-rate" + ratePerSecond + "-payload" + payloadBytes + "-" + waitStrategy;
        final long pid = ProcessHandle.current().pid();
        System.out.println();
        System.out.println(summary(name + " toHandler", toHandler) + " backPressured=" + backPressured);
        System.out.println(summary(name + " toReply", toReply));
        write(name + "-toHandler-" + pid + ".hgrm", toHandler);
        write(name + "-toReply-" + pid + ".hgrm", toReply);
    }

    /**
     * Offer on schedule for the iteration's duration, then wait for the last reply.
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
            final long id = ++correlationId;
            while (Pipeline.BACK_PRESSURED == pipeline.offer(envelope, 0, envelope.capacity(), destination, 0, id))
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
