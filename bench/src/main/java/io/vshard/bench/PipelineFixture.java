package io.vshard.bench;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.dispatch.LaneLayout;
import io.vshard.core.pipeline.EnvelopeHandler;
import io.vshard.core.pipeline.Pipeline;
import io.vshard.core.pipeline.PipelineContext;
import io.vshard.core.pipeline.WaitStrategyKind;
import io.vshard.core.wire.MessageType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A running pipeline of one or two lanes for benchmarks, with its own counters directory (so that concurrent forks
 * and test runs never share a counters file) and one handler per lane. Lane 0 hosts {@code TimeseriesScan}
 * ({@link MessageType#TsScatterRequest}); with two lanes, lane 1 hosts every other target
 * ({@link MessageType#GraphAlgoSuperstep} is used), else lane 0 hosts all.
 * <p>
 * Threading: control plane; {@link #close()} once, from the thread that launched it.
 */
public final class PipelineFixture implements AutoCloseable
{
    private static final MessageType[] TYPE_BY_LANE = {MessageType.TsScatterRequest, MessageType.GraphAlgoSuperstep};

    private final Path dir;
    private final Pipeline pipeline;

    private PipelineFixture(final Path dir, final Pipeline pipeline)
    {
        this.dir = dir;
        this.pipeline = pipeline;
    }

    /**
     * Launch a pipeline.
     *
     * @param waitStrategy  of every lane, as {@link WaitStrategyKind#parse(String)} reads it.
     * @param ringSize      slots per lane, a power of two.
     * @param slotLength    bytes of arena per slot.
     * @param laneHandlers  one handler per lane: one or two.
     * @return the fixture.
     */
    public static PipelineFixture launch(
        final String waitStrategy, final int ringSize, final int slotLength, final EnvelopeHandler... laneHandlers)
    {
        return launch(waitStrategy, ringSize, slotLength, true, laneHandlers);
    }

    /**
     * Launch a pipeline, with latency recording on or off.
     *
     * @param waitStrategy     of every lane, as {@link WaitStrategyKind#parse(String)} reads it.
     * @param ringSize         slots per lane, a power of two.
     * @param slotLength       bytes of arena per slot.
     * @param latencyRecording whether lanes record per-target latency.
     * @param laneHandlers     one handler per lane: one or two.
     * @return the fixture.
     */
    public static PipelineFixture launch(
        final String waitStrategy,
        final int ringSize,
        final int slotLength,
        final boolean latencyRecording,
        final EnvelopeHandler... laneHandlers)
    {
        if (laneHandlers.length < 1 || laneHandlers.length > TYPE_BY_LANE.length)
        {
            throw new IllegalArgumentException("one or two lanes: lanes=" + laneHandlers.length);
        }
        final Path dir = tempDir();
        final PipelineContext ctx = new PipelineContext()
            .name("bench")
            .dir(dir.toFile())
            .laneRingSize(ringSize)
            .slotLength(slotLength)
            .latencyRecording(latencyRecording)
            .waitStrategy(WaitStrategyKind.parse(waitStrategy))
            .laneLayout(LaneLayout.parse(1 == laneHandlers.length ? "*" : "TimeseriesScan;*"));
        for (final DispatchTarget target : DispatchTarget.values())
        {
            final int lane = 1 == laneHandlers.length || DispatchTarget.TimeseriesScan == target ? 0 : 1;
            ctx.handler(target, laneHandlers[lane]);
        }
        return new PipelineFixture(dir, Pipeline.launch(ctx));
    }

    /**
     * A message type that goes to a lane.
     *
     * @param lane the lane id.
     * @return the type.
     */
    public static MessageType typeOfLane(final int lane)
    {
        return TYPE_BY_LANE[lane];
    }

    /**
     * The pipeline.
     *
     * @return the running pipeline.
     */
    public Pipeline pipeline()
    {
        return pipeline;
    }

    /**
     * Close the pipeline (draining what it accepted), free it and delete its directory.
     */
    public void close()
    {
        pipeline.close();
        pipeline.release();
        BenchFiles.deleteTree(dir);
    }

    private static Path tempDir()
    {
        try
        {
            final Path shm = Path.of("/dev/shm");
            return Files.isDirectory(shm) && Files.isWritable(shm) ?
                Files.createTempDirectory(shm, "vshard-bench-") : Files.createTempDirectory("vshard-bench-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
