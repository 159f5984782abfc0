package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.wire.MessageType;
import net.openhft.affinity.Affinity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Stream;

import static io.vshard.core.pipeline.PipelineTests.TIMEOUT;
import static io.vshard.core.pipeline.PipelineTests.envelope;
import static io.vshard.core.pipeline.PipelineTests.offer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A lane configured for a CPU runs pinned to it, as the kernel reports; a lane configured for a CPU that does not
 * exist runs unpinned and works.
 */
@Timeout(60)
class LaneAffinityTest
{
    private static final int CPU = 1;

    @TempDir
    Path dir;

    @Test
    void shouldPinALaneToItsConfiguredCpu() throws IOException
    {
        final BitSet allowed = parseCpuList(cpusAllowed(Paths.get("/proc/self/status")));
        assumeTrue(Runtime.getRuntime().availableProcessors() > 1, "needs more than one CPU");
        assumeTrue(allowed.get(CPU), "CPU " + CPU + " is not allowed to this process: " + allowed);

        final Pipeline pipeline = launchAnswering("Migration@" + CPU + ";*");
        try
        {
            assertThat(cpusAllowed(taskStatus("p-lane-0"))).isEqualTo(String.valueOf(CPU));
            assertThat(parseCpuList(cpusAllowed(taskStatus("p-lane-1")))).as("the unpinned lane").isEqualTo(allowed);
        }
        finally
        {
            PipelineTests.closeAndRelease(pipeline);
        }
    }

    @Test
    void shouldPinALaneToItsCpuWhenTheLaunchingThreadWasKeptOffIt() throws IOException
    {
        // As run-node.sh does with taskset: the JVM's threads start on the housekeeping CPUs, lanes pin themselves.
        final BitSet allowed = parseCpuList(cpusAllowed(Paths.get("/proc/self/status")));
        assumeTrue(allowed.get(0) && allowed.get(CPU), "needs CPUs 0 and " + CPU + ": " + allowed);
        final BitSet before = Affinity.getAffinity();
        Affinity.setAffinity(0);
        try
        {
            final Pipeline pipeline = launchAnswering("Migration@" + CPU + ";*");
            try
            {
                assertThat(cpusAllowed(taskStatus("p-lane-0"))).isEqualTo(String.valueOf(CPU));
                assertThat(cpusAllowed(taskStatus("p-lane-1"))).as("the unpinned lane").isEqualTo("0");
            }
            finally
            {
                PipelineTests.closeAndRelease(pipeline);
            }
        }
        finally
        {
            Affinity.setAffinity(before);
        }
    }

    @Test
    void shouldRunUnpinnedOnACpuThatDoesNotExist() throws IOException
    {
        final Pipeline pipeline = launchAnswering("Migration@4095;*");
        try
        {
            assertThat(parseCpuList(cpusAllowed(taskStatus("p-lane-0"))))
                .isEqualTo(parseCpuList(cpusAllowed(Paths.get("/proc/self/status"))));
        }
        finally
        {
            PipelineTests.closeAndRelease(pipeline);
        }
    }

    /**
     * Launch, and have lane 0 answer one envelope: by then its thread has pinned itself (or given up).
     */
    private Pipeline launchAnswering(final String lanes)
    {
        final Pipeline pipeline = Pipeline.launch(PipelineTests.context(dir)
            .name("p")
            .lanes(lanes)
            .handler(DispatchTarget.Migration, (envelope, reply) -> {}));
        final AnswerSink sink = AnswerSink.Kind.CALLBACK.create(pipeline.bufferPool());
        assertThat(offer(pipeline, sink, envelope(MessageType.SegmentChunk, 0), 1)).isEqualTo(Pipeline.ACCEPTED);
        assertThat(sink.awaitOne(1, TIMEOUT).isAck()).isTrue();
        return pipeline;
    }

    private static Path taskStatus(final String threadName) throws IOException
    {
        try (Stream<Path> tasks = Files.list(Paths.get("/proc/self/task")))
        {
            final List<Path> matching = tasks
                .filter((task) -> threadName.equals(readQuietly(task.resolve("comm"))))
                .toList();
            assertThat(matching).as("tasks named %s", threadName).hasSize(1);
            return matching.get(0).resolve("status");
        }
    }

    private static String readQuietly(final Path path)
    {
        try
        {
            return Files.readString(path).trim();
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    private static String cpusAllowed(final Path status) throws IOException
    {
        return Files.readAllLines(status).stream()
            .filter((line) -> line.startsWith("Cpus_allowed_list:"))
            .map((line) -> line.substring("Cpus_allowed_list:".length()).trim())
            .findFirst()
            .orElseThrow(() -> new AssertionError("no Cpus_allowed_list in " + status));
    }

    /**
     * Parse a kernel CPU list such as {@code 0-3,6}.
     */
    private static BitSet parseCpuList(final String list)
    {
        final BitSet cpus = new BitSet();
        for (final String range : list.split(","))
        {
            final int dash = range.indexOf('-');
            final int from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
            final int to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1));
            cpus.set(from, to + 1);
        }
        return cpus;
    }
}
