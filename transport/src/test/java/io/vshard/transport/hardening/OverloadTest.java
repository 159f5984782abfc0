package io.vshard.transport.hardening;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.wire.MessageType;
import io.vshard.transport.TestNode;
import io.vshard.transport.client.QuicClient;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Offered load far above what a slow engine can take, for a while: flooding clients pipeline requests to a handler
 * that takes its time, on a lane of its own, while a bystander sends modest traffic to a target on another lane.
 * The node must push back (lane full: stop reading; QUIC flow control holds the senders), keep heap and direct memory
 * bounded, keep the bystander's latency within its normal band, and answer every request it accepted.
 */
class OverloadTest
{
    private static final int FLOODERS = 3;
    private static final long SLOW_HANDLER_US = 200;

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldStayBoundedAndServeTheBystanderUnderTenSecondsOfOverload()
    {
        run(10);
    }

    @Test
    @Tag("slow")
    @Timeout(300)
    void shouldStayBoundedAndServeTheBystanderUnderThirtySecondsOfOverload()
    {
        run(30);
    }

    private void run(final int seconds)
    {
        final AtomicLong handled = new AtomicLong();
        try (TestNode node = new TestNode(dir, Handlers.echo(),
            (p) -> p.lanes("TimeseriesScan;*").laneRingSize(1024).exclusiveRingSize(1024)
                .handler(DispatchTarget.TimeseriesScan, Handlers.slowEcho(SLOW_HANDLER_US, handled)),
            (t) -> t.streamWindowBytes(64 * 1024).connectionWindowBytes(256 * 1024)))
        {
            final QuicClient good = node.client(null);
            try (Bystander bystander = new Bystander(good, MessageType.GraphAlgoSuperstep, 2_000);
                ResourceProbe.Sampler sampler = new ResourceProbe.Sampler(20))
            {
                awaitAnswers(bystander, 200);
                bystander.takeHistogram();
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(3));
                final Histogram before = bystander.takeHistogram();
                final ResourceProbe baseline = ResourceProbe.afterGc();
                sampler.reset();

                final List<Flooder> flooders = new ArrayList<>();
                final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                for (int i = 0; i < FLOODERS; i++)
                {
                    flooders.add(new Flooder(node, endNs));
                }
                long sent = 0;
                for (final Flooder flooder : flooders)
                {
                    sent += flooder.join();
                }
                final Histogram during = bystander.takeHistogram();
                final ResourceProbe peak = sampler.peak();
                final long pausesDuring = node.server.counters().backPressurePauses.get();
                final long handledDuring = handled.get();
                for (final Flooder flooder : flooders)
                {
                    flooder.ledger.awaitOutcomes(flooder.sent, 30_000, () -> "flooder pending=" +
                        flooder.client.pendingRequests() + " handled=" + handled.get());
                }
                System.out.printf("overload %d s: %d flooders sent %d requests (%.0f/s) to a %d us handler, " +
                    "handled %d during the flood; back-pressure pauses %d; bystander before %s, during %s, " +
                    "failures %d; baseline %s; peak %s%n", seconds, FLOODERS, sent, sent / (double)seconds,
                    SLOW_HANDLER_US, handledDuring, pausesDuring, Bystander.describe(before),
                    Bystander.describe(during), bystander.failures(), baseline.describe(), peak.describe());

                System.out.printf("overload diagnostics: streams reset=%d, replies dropped=%d, connections " +
                    "accepted=%d, flooder connects=%s, errors=%s%n", node.server.counters().streamsReset.get(),
                    node.server.counters().repliesDropped.get(), node.server.counters().connectionsAccepted.get(),
                    flooders.stream().map((f) -> f.client.connectCount()).toList(), node.errors);
                for (final Flooder flooder : flooders)
                {
                    assertThat(flooder.ledger.exactlyOnceViolations(flooder.sent)).isEmpty();
                }
                assertThat(handled.get()).as("every accepted request handled once").isEqualTo(sent);
                assertThat(pausesDuring).as("the node pushed back").isPositive();
                assertThat(peak.directBytes() - baseline.directBytes()).isLessThan(64L * 1024 * 1024);
                assertThat(peak.heapBytes()).isLessThan(768L * 1024 * 1024);
                assertThat(bystander.failures()).isZero();
                assertThat(during.getTotalCount()).isPositive();
                assertThat(during.getValueAtPercentile(99))
                    .isLessThan(Math.max(10 * before.getValueAtPercentile(99), TimeUnit.MILLISECONDS.toMicros(100)));
                assertThat(node.errors).isEmpty();
            }
        }
    }

    private static void awaitAnswers(final Bystander bystander, final long answers)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (bystander.answered() < answers)
        {
            assertThat(System.nanoTime()).as("bystander warm-up").isLessThan(deadlineNs);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /**
     * A client that sends as fast as the node lets it until a deadline, on a thread of its own.
     */
    private static final class Flooder
    {
        private static final int CAPACITY = 500_000;

        final QuicClient client;
        final RequestLedger ledger = new RequestLedger(CAPACITY);
        final Thread thread;
        volatile int sent;

        Flooder(final TestNode node, final long endNs)
        {
            client = node.client(node.clientContext(node.ca.issue(TestNode.CLIENT_ID))
                .clientStreams(4).clientSendQueueBytes(64 * 1024).requestTimeoutMs(120_000), ledger);
            thread = new Thread(() -> sent = LedgerTraffic.send(client, ledger, 1, CAPACITY,
                MessageType.TsScatterRequest, TestNode.CLIENT_ID, endNs), "flooder");
            thread.start();
        }

        int join()
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            return sent;
        }
    }
}
