package io.vshard.core.status;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.pipeline.Pipeline;
import io.vshard.core.pipeline.PipelineContext;
import io.vshard.core.pipeline.WaitStrategyKind;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The counters file does not lie: it names its owner and keeps a heartbeat; a second node is refused a live
 * node's directory; a closed, killed or hung owner is seen as such and its directory may be taken.
 */
@Timeout(60)
class LivenessTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRefuseASecondNodeOnTheDirectoryOfARunningOne()
    {
        final Pipeline first = Pipeline.launch(context());
        try
        {
            assertThatThrownBy(() -> Pipeline.launch(context()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a running node owns " + new File(dir.toFile(), "counters.dat"))
                .hasMessageContaining("pid " + ProcessHandle.current().pid());

            try (CountersFile file = CountersFile.open(dir.toFile()))
            {
                assertThat(file.pid()).isEqualTo(ProcessHandle.current().pid());
                assertThat(file.liveness(System.currentTimeMillis())).isEqualTo(Liveness.RUNNING);
                final long firstBeat = file.heartbeatMs();
                awaitHeartbeatAfter(file, firstBeat);
            }
        }
        finally
        {
            first.close();
            first.release();
        }
    }

    @Test
    void shouldRefuseADirectoryWhoseLockIsHeldEvenWhenItsHeartbeatLooksStale()
    {
        try (CountersFile first = CountersFile.create(dir.toFile(), 16, 0, 1, 0))
        {
            // A heartbeat far older than the 1 ms timeout: only the lock tells that the owner still runs, as when
            // two nodes start at the same instant and both find no live file.
            first.heartbeat(0);
            assertThatThrownBy(() -> CountersFile.create(dir.toFile(), 16))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another node owns " + dir.toFile())
                .hasMessageContaining("counters.lock");
        }
        try (CountersFile next = CountersFile.create(dir.toFile(), 16))
        {
            assertThat(next.pid()).as("taken once the owner has closed it").isEqualTo(ProcessHandle.current().pid());
        }
    }

    @Test
    void shouldMarkTheFileClosedOnReleaseAndLetTheNextNodeTakeIt()
    {
        final Pipeline first = Pipeline.launch(context());
        first.close();
        first.release();
        try (CountersFile file = CountersFile.open(dir.toFile()))
        {
            assertThat(file.liveness(System.currentTimeMillis())).isEqualTo(Liveness.CLOSED);
        }

        final Pipeline second = Pipeline.launch(context());
        try (CountersFile file = CountersFile.open(dir.toFile()))
        {
            assertThat(file.liveness(System.currentTimeMillis())).isEqualTo(Liveness.RUNNING);
        }
        finally
        {
            second.close();
            second.release();
        }
    }

    @Test
    void shouldSeeAGoneProcessAndAStaleHeartbeatAndLetANodeTakeTheDirectory() throws Exception
    {
        final Process gone = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-version")
            .redirectErrorStream(true).start();
        gone.getInputStream().readAllBytes();
        assertThat(gone.waitFor()).isZero();
        final CountersFile created = CountersFile.create(dir.toFile(), 16, DispatchTarget.COUNT, 1000, 1000);
        final long nowMs = System.currentTimeMillis();
        try
        {
            assertThat(created.liveness(nowMs)).isEqualTo(Liveness.RUNNING);
            assertThat(created.liveness(nowMs + 1001)).isEqualTo(Liveness.STALE);
            patchPid(gone.pid());
            assertThat(created.liveness(nowMs)).isEqualTo(Liveness.PROCESS_GONE);
        }
        finally
        {
            created.close();
        }

        final Pipeline taker = Pipeline.launch(context());
        try (CountersFile file = CountersFile.open(dir.toFile()))
        {
            assertThat(file.pid()).isEqualTo(ProcessHandle.current().pid());
        }
        finally
        {
            taker.close();
            taker.release();
        }
    }

    private void patchPid(final long pid)
    {
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(new File(dir.toFile(), "counters.dat"), "counters");
        try
        {
            new UnsafeBuffer(mapped).putLongVolatile(CountersFileDescriptor.PID_FIELD_OFFSET, pid);
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    private static void awaitHeartbeatAfter(final CountersFile file, final long beatMs)
    {
        final long deadlineNs = System.nanoTime() + 10_000_000_000L;
        while (file.heartbeatMs() <= beatMs)
        {
            assertThat(System.nanoTime() - deadlineNs).as("heartbeat refreshed").isNegative();
            Thread.yield();
            try
            {
                Thread.sleep(10);
            }
            catch (final InterruptedException ex)
            {
                throw new AssertionError(ex);
            }
        }
    }

    private PipelineContext context()
    {
        return new PipelineContext()
            .dir(dir.toFile())
            .laneRingSize(64)
            .heartbeatIntervalMs(20)
            .waitStrategy(WaitStrategyKind.BLOCKING);
    }
}
