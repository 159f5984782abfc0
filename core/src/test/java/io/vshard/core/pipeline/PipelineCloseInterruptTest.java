package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.wire.MessageType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static io.vshard.core.pipeline.PipelineTests.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * close() on an interrupted thread waits for the lanes to drain without burning its CPU (parkNanos returns at once
 * while the interrupt flag is set), handles everything accepted, and leaves the flag set.
 */
@Timeout(60)
class PipelineCloseInterruptTest
{
    private static final int ENVELOPES = 12;
    private static final long HANDLER_MS = 50;

    @TempDir
    Path dir;

    @Test
    void shouldWaitWithoutSpinningAndRestoreTheFlagWhenClosedOnAnInterruptedThread() throws Exception
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isCurrentThreadCpuTimeSupported(), "thread CPU time not supported");
        final AtomicLong handled = new AtomicLong();
        final EnvelopeHandler slow = (envelope, reply) ->
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(HANDLER_MS));
            handled.incrementAndGet();
        };
        final Pipeline pipeline = Pipeline.launch(PipelineTests.context(dir)
            .lanes("Migration;*")
            .handler(DispatchTarget.Migration, slow));
        final AnswerSink sink = AnswerSink.Kind.CALLBACK.create(pipeline.bufferPool());
        try
        {
            final UnsafeBuffer request = envelope(MessageType.SegmentChunk, 8);
            for (int i = 1; i <= ENVELOPES; i++)
            {
                PipelineTests.offerAccepted(pipeline, sink, request, i);
            }

            final AtomicLong cpuNs = new AtomicLong();
            final AtomicLong wallNs = new AtomicLong();
            final AtomicReference<Boolean> flagAfter = new AtomicReference<>();
            final Thread closer = new Thread(() ->
            {
                Thread.currentThread().interrupt();
                final long cpuStartNs = threads.getCurrentThreadCpuTime();
                final long wallStartNs = System.nanoTime();
                pipeline.close();
                wallNs.set(System.nanoTime() - wallStartNs);
                cpuNs.set(threads.getCurrentThreadCpuTime() - cpuStartNs);
                flagAfter.set(Thread.currentThread().isInterrupted());
            }, "interrupted-closer");
            closer.start();
            // Interrupt again while it waits: each interrupt must be taken up, not spun on.
            for (int i = 0; i < 5 && closer.isAlive(); i++)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(40));
                closer.interrupt();
            }
            closer.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(closer.isAlive()).as("close() returned").isFalse();

            System.out.printf("close on an interrupted thread: wall %.1f ms, cpu %.1f ms%n",
                wallNs.get() / 1e6, cpuNs.get() / 1e6);
            assertThat(handled.get()).as("every accepted envelope handled").isEqualTo(ENVELOPES);
            assertThat(wallNs.get()).as("close waited for the drain")
                .isGreaterThan(TimeUnit.MILLISECONDS.toNanos(HANDLER_MS * (ENVELOPES - 4)));
            assertThat(cpuNs.get()).as("CPU the closer used while waiting").isLessThan(wallNs.get() / 4);
            assertThat(flagAfter.get()).as("interrupt flag restored").isTrue();
            assertThat(pipeline.isClosed()).isTrue();
        }
        finally
        {
            PipelineTests.closeAndRelease(pipeline);
        }
    }
}
