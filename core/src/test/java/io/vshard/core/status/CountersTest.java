package io.vshard.core.status;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.pipeline.Pipeline;
import io.vshard.core.pipeline.PipelineContext;
import io.vshard.core.pipeline.WaitStrategyKind;
import io.vshard.core.reply.CallbackReplyDestination;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The counters file is live: a second reader over the mapping sees the counters rise while traffic flows, and a
 * second JVM reads them from the file.
 */
@Timeout(60)
class CountersTest
{
    private static final MessageType TYPE = MessageType.SegmentChunk;

    @TempDir
    Path dir;

    @Test
    void shouldShowRisingCountersToASecondReaderWhileTrafficFlows() throws Exception
    {
        final CountDownLatch halfway = new CountDownLatch(1);
        final AtomicLong handled = new AtomicLong();
        final int envelopes = 200_000;
        final Pipeline pipeline = launch(handled, halfway, envelopes / 2);
        final Producer producer = new Producer(pipeline, envelopes);
        final CountersFile reader = CountersFile.open(dir.toFile());
        try
        {
            producer.start();
            final List<Long> samples = new ArrayList<>();
            long last = -1;
            while (producer.isAlive() || samples.size() < 2)
            {
                final long received = received(reader);
                assertThat(received).as("received never goes down: samples %s", samples).isGreaterThanOrEqualTo(last);
                if (received != last)
                {
                    samples.add(received);
                    last = received;
                }
                Thread.onSpinWait();
                if (!producer.isAlive() && received == envelopes)
                {
                    break;
                }
            }
            producer.join();
            assertThat(producer.failure).isNull();
            assertThat(halfway.await(10, TimeUnit.SECONDS)).isTrue();
            pipeline.close();

            assertThat(received(reader)).isEqualTo(envelopes);
            assertThat(samples).as("values seen while the producer ran").hasSizeGreaterThan(2).isSorted();
            assertThat(reader.pid()).isEqualTo(ProcessHandle.current().pid());
        }
        finally
        {
            reader.close();
            producer.join();
            pipeline.close();
            pipeline.release();
        }
    }

    @Test
    void shouldBeReadableFromASecondJvm() throws Exception
    {
        final int envelopes = 1000;
        final CountDownLatch all = new CountDownLatch(1);
        final Pipeline pipeline = launch(new AtomicLong(), all, envelopes);
        try
        {
            final Producer producer = new Producer(pipeline, envelopes);
            producer.start();
            producer.join();
            assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();

            final List<String> lines = runCountersPrinter();

            assertThat(lines).contains("pid=" + ProcessHandle.current().pid());
            final int lane = pipeline.laneOf(TYPE.code());
            assertThat(lines).contains(CountersFileDescriptor.LANE_TYPE_ID + "|lane " + lane + "|received|" + envelopes);
            assertThat(lines).contains(CountersFileDescriptor.TARGET_TYPE_ID + "|target Migration|received|" +
                envelopes);
        }
        finally
        {
            pipeline.close();
            pipeline.release();
        }
    }

    private Pipeline launch(final AtomicLong handled, final CountDownLatch reached, final long at)
    {
        return Pipeline.launch(new PipelineContext()
            .dir(dir.toFile())
            .laneRingSize(256)
            .waitStrategy(WaitStrategyKind.BLOCKING)
            .handler(DispatchTarget.Migration, (envelope, reply) ->
            {
                if (handled.incrementAndGet() == at)
                {
                    reached.countDown();
                }
            }));
    }

    private long received(final CountersFile file)
    {
        return CounterRow.readAll(file.reader()).stream()
            .filter((row) -> row.typeId() == CountersFileDescriptor.TARGET_TYPE_ID &&
                row.scope().equals("target Migration") && row.metric().equals("received"))
            .mapToLong(CounterRow::value)
            .findFirst()
            .orElseThrow();
    }

    private List<String> runCountersPrinter() throws IOException, InterruptedException
    {
        final String java = ProcessHandle.current().info().command().orElse("java");
        final Process process = new ProcessBuilder(
            java,
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"),
            CountersPrinter.class.getName(),
            dir.toString())
            .redirectErrorStream(true)
            .start();
        try
        {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("second JVM finished").isTrue();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as("exit value; output:%n%s", output).isZero();
            return output.lines().toList();
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    private static final class Producer extends Thread
    {
        private final Pipeline pipeline;
        private final int count;
        private final CallbackReplyDestination destination = new CallbackReplyDestination((a, b, o, l) -> {});
        private volatile Throwable failure;

        Producer(final Pipeline pipeline, final int count)
        {
            super("counters-producer");
            this.pipeline = pipeline;
            this.count = count;
        }

        public void run()
        {
            final UnsafeBuffer envelope = new UnsafeBuffer(VShardEnvelope.of(TYPE, 1, 2, 3, new byte[16]).encode());
            try
            {
                for (int i = 0; i < count; i++)
                {
                    int result;
                    while (Pipeline.BACK_PRESSURED ==
                        (result = pipeline.offer(envelope, 0, envelope.capacity(), destination, 0, i + 1)))
                    {
                        Thread.yield();
                    }
                    assertThat(result).isEqualTo(Pipeline.ACCEPTED);
                }
            }
            catch (final Throwable ex)
            {
                failure = ex;
            }
        }
    }
}
