package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.reply.CallbackReplyDestination;
import io.vshard.core.reply.ReplyDestination;
import io.vshard.core.status.CountersFile;
import io.vshard.core.status.LatencySnapshot;
import io.vshard.core.wire.MessageType;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.vshard.core.pipeline.PipelineTests.envelope;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-target latency: a handler that sleeps a known time on every fourth envelope shows in its own target's service
 * time percentiles and slow-call count, and not in those of another target sharing its lane; the slow calls reach a
 * JFR recording as events with the envelope's fields.
 */
@Timeout(60)
class LatencyRecordingTest
{
    private static final long SLEEP_MS = 30;
    private static final long SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(SLEEP_MS);
    private static final int PER_TARGET = 40;
    private static final ReplyDestination NO_REPLY = new CallbackReplyDestination((a, b, o, l) -> { });

    @TempDir
    Path dir;

    @Test
    void shouldShowASleepingHandlerInItsOwnTargetsPercentilesOnly() throws Exception
    {
        final AtomicLong handled = new AtomicLong();
        final Pipeline pipeline = launch(handled, SLEEP_NS / 2);
        try
        {
            sendInterleaved(pipeline, handled);
        }
        finally
        {
            PipelineTests.closeAndRelease(pipeline);
        }

        try (CountersFile file = CountersFile.open(dir.toFile()))
        {
            final LatencySnapshot scan = LatencySnapshot.read(
                file.latencySection(), DispatchTarget.TimeseriesScan.ordinal());
            final LatencySnapshot vector = LatencySnapshot.read(
                file.latencySection(), DispatchTarget.VectorSearch.ordinal());
            System.out.println(scan + "\n" + vector);

            assertThat(scan.laneId()).isEqualTo(0);
            assertThat(vector.laneId()).isEqualTo(0);
            assertThat(scan.serviceTime().count()).isEqualTo(PER_TARGET);
            assertThat(vector.serviceTime().count()).isEqualTo(PER_TARGET);
            assertThat(scan.queueWait().count()).isEqualTo(PER_TARGET);
            assertThat(scan.serviceTime().totalCount()).isEqualTo(PER_TARGET);
            assertThat(scan.serviceTime().p50Ns()).as("3 of 4 scans do not sleep").isLessThan(SLEEP_NS / 2);
            assertThat(scan.serviceTime().p90Ns()).as("1 of 4 scans sleeps").isGreaterThanOrEqualTo(SLEEP_NS);
            assertThat(scan.serviceTime().maxNs()).isGreaterThanOrEqualTo(SLEEP_NS);
            assertThat(scan.serviceTime().totalSumNs()).isGreaterThanOrEqualTo(PER_TARGET / 4 * SLEEP_NS);
            // A shared 2-core machine may stall any call now and then: no single value is asserted for the other target.
            assertThat(vector.serviceTime().p90Ns()).as("vector searches never sleep").isLessThan(SLEEP_NS / 2);
            assertThat(vector.queueWait().maxNs()).as("but they queue behind the sleeping scans")
                .isGreaterThanOrEqualTo(SLEEP_NS);
            assertThat(PipelineTests.counter(file.reader(), "target TimeseriesScan", "slow"))
                .as("every sleeping call, and maybe a call the machine stalled").isBetween(PER_TARGET / 4L, PER_TARGET / 4L + 2);
            assertThat(PipelineTests.counter(file.reader(), "target VectorSearch", "slow")).isLessThan(PER_TARGET / 8);
            final LatencySnapshot idle = LatencySnapshot.read(file.latencySection(), DispatchTarget.Migration.ordinal());
            assertThat(idle.laneId()).as("the other lane hosts Migration").isEqualTo(1);
            assertThat(idle.serviceTime().totalCount()).isZero();
        }
    }

    @Test
    void shouldEmitSlowHandlerEventsToAFlightRecording() throws Exception
    {
        final Path jfr = dir.resolve("slow.jfr");
        final AtomicLong handled = new AtomicLong();
        final Pipeline pipeline = launch(handled, SLEEP_NS / 2);
        try (Recording recording = new Recording())
        {
            recording.enable(SlowHandlerEvent.NAME).withThreshold(Duration.ZERO);
            recording.start();
            sendInterleaved(pipeline, handled);
            recording.stop();
            recording.dump(jfr);
        }
        finally
        {
            PipelineTests.closeAndRelease(pipeline);
        }

        final List<RecordedEvent> events = RecordingFile.readAllEvents(jfr).stream()
            .filter((e) -> SlowHandlerEvent.NAME.equals(e.getEventType().getName()))
            .filter((e) -> "TimeseriesScan".equals(e.getString("target")))
            .toList();
        assertThat(events).as("one per sleeping call, and maybe a call the machine stalled")
            .hasSizeBetween(PER_TARGET / 4, PER_TARGET / 4 + 2);
        for (final RecordedEvent event : events)
        {
            assertThat(event.getString("target")).isEqualTo("TimeseriesScan");
            assertThat(event.getInt("msgType")).isEqualTo(MessageType.TsScatterRequest.code());
            assertThat(event.getLong("vshard")).isEqualTo(PipelineTests.VSHARD_ID);
            assertThat(event.getDuration("handlerDuration")).isGreaterThan(Duration.ofNanos(SLEEP_NS / 2));
            assertThat(event.getBoolean("exact")).isTrue();
        }
    }

    private Pipeline launch(final AtomicLong handled, final long slowThresholdNs)
    {
        final AtomicLong scans = new AtomicLong();
        return Pipeline.launch(PipelineTests.context(dir)
            .lanes("TimeseriesScan,VectorSearch;*")
            .laneRingSize(256)
            .latencyIntervalMs(600_000)
            .slowHandlerThresholdNs(slowThresholdNs)
            .handler(DispatchTarget.TimeseriesScan, (envelope, reply) ->
            {
                if (0 == scans.getAndIncrement() % 4)
                {
                    sleep();
                }
                handled.incrementAndGet();
            })
            .handler(DispatchTarget.VectorSearch, (envelope, reply) -> handled.incrementAndGet()));
    }

    /**
     * Through an exclusive publisher, as an I/O thread offers: it stamps every envelope (the shared ring only samples).
     */
    private static void sendInterleaved(final Pipeline pipeline, final AtomicLong handled)
    {
        final ExclusivePublisher publisher = pipeline.newExclusivePublisher();
        final UnsafeBuffer scan = envelope(MessageType.TsScatterRequest, 16);
        final UnsafeBuffer vector = envelope(MessageType.VectorScatterRequest, 16);
        for (int i = 0; i < PER_TARGET; i++)
        {
            offer(publisher, scan);
            offer(publisher, vector);
        }
        PipelineTests.awaitTrue(() -> handled.get() == 2 * PER_TARGET, () -> "handled " + handled.get());
        publisher.close();
    }

    private static void offer(final ExclusivePublisher publisher, final UnsafeBuffer envelope)
    {
        while (Pipeline.ACCEPTED != publisher.offer(envelope, 0, envelope.capacity(), NO_REPLY, 0, 0))
        {
            publisher.endRun();
            Thread.yield();
        }
        publisher.endRun();
    }

    private static void sleep()
    {
        final long deadlineNs = System.nanoTime() + SLEEP_NS;
        long leftNs;
        while ((leftNs = deadlineNs - System.nanoTime()) > 0)
        {
            try
            {
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(leftNs) + 1);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
