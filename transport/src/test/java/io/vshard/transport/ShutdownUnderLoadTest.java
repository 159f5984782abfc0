package io.vshard.transport;

import io.vshard.core.wire.MessageType;
import io.vshard.transport.client.QuicClient;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node closes while several clients pipeline requests at it: every request a client was given an id for gets
 * exactly one outcome, RESPONSE, ACK, ERROR SHUTTING_DOWN or CONNECTION_CLOSED, within a bounded time; none hangs,
 * none times out, none is answered twice.
 */
class ShutdownUnderLoadTest
{
    private static final int CLIENTS = 3;
    private static final int STREAMS = 2;
    private static final long SHUTDOWN_TIMEOUT_MS = 3_000;
    /** Requests a sender keeps unanswered at most: the client itself does not bound them (see BackPressureTest). */
    private static final long MAX_IN_FLIGHT = 20_000;
    private static final Set<String> ALLOWED = Set.of("RESPONSE", "ACK", "ERROR SHUTTING_DOWN", "CONNECTION_CLOSED");

    static
    {
        LeakDetection.install();
    }

    @TempDir
    Path dir;

    @RepeatedTest(3)
    @Timeout(90)
    void shouldGiveEveryRequestExactlyOneOutcomeWhenTheNodeClosesMidLoad()
    {
        try (TestNode node = new TestNode(dir, (envelope, reply) ->
        {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(20));
            if (MessageType.GraphAlgoSuperstep == envelope.messageType())
            {
                reply.respond(envelope.messageType());
            }
        }, (p) -> { }, (t) -> t.shutdownTimeoutMs(SHUTDOWN_TIMEOUT_MS)))
        {
            final List<OutcomeRecorder> recorders = new ArrayList<>();
            final List<QuicClient> clients = new ArrayList<>();
            final List<Thread> senders = new ArrayList<>();
            final AtomicBoolean stop = new AtomicBoolean();
            for (int c = 0; c < CLIENTS; c++)
            {
                final OutcomeRecorder recorder = new OutcomeRecorder();
                final QuicClient client = node.client(node.clientContext(node.ca.issue(TestNode.CLIENT_ID))
                    .clientStreams(STREAMS).requestTimeoutMs(300_000).reconnectMinMs(50), recorder);
                recorders.add(recorder);
                clients.add(client);
                final Thread sender = new Thread(() -> pipeline(client, recorder, stop), "sender-" + c);
                senders.add(sender);
                sender.start();
            }
            // All clients' outcomes together: under a full lane one stream can starve for many seconds (reported).
            Await.until("load to build up", 30_000,
                () -> recorders.stream().mapToLong(OutcomeRecorder::outcomeCount).sum() >= 6_000);

            final long inFlightAtClose = recorders.stream().mapToLong((r) -> r.sentCount() - r.outcomeCount()).sum();
            final long startNs = System.nanoTime();
            node.server.close();
            final long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            stop.set(true);
            senders.forEach(ShutdownUnderLoadTest::join);

            for (int c = 0; c < CLIENTS; c++)
            {
                final OutcomeRecorder recorder = recorders.get(c);
                final String who = "client " + c;
                try
                {
                    Await.until(who + ": an outcome for every request sent; still missing e.g. " + recorder.missing(),
                        30_000, () -> recorder.outcomeCount() >= recorder.sentCount());
                }
                catch (final AssertionError e)
                {
                    throw new AssertionError(e.getMessage() + "; outcomes " + recorder.counts() + " of " +
                        recorder.sentCount() + " sent, client waits for " + clients.get(c).pendingRequests() +
                        ", errors " + node.errors, e);
                }
                System.out.printf("shutdown under load, %s: %d sent, outcomes %s (in flight at close, all " +
                    "clients: %d; close took %d ms)%n", who, recorder.sentCount(), recorder.counts(), inFlightAtClose,
                    closeMs);
                assertThat(recorder.counts().keySet()).as(who + ": outcome kinds").isSubsetOf(ALLOWED);
                assertThat(recorder.counts().values().stream().mapToLong(Long::longValue).sum())
                    .as(who + ": outcomes, all kinds").isEqualTo(recorder.sentCount());
                assertThat(recorder.duplicates()).as(who + ": requests with two outcomes").isZero();
                assertThat(recorder.unexpected()).as(who + ": outcomes for ids never sent").isZero();
            }
            assertThat(inFlightAtClose).as("requests in flight when the node closed").isPositive();
            assertThat(closeMs).as("close time (ms)").isLessThan(SHUTDOWN_TIMEOUT_MS + 5_000);
            assertThat(node.errors).isEmpty();
        }
        assertThat(LeakDetection.collect()).as("Netty buffer leaks").isEmpty();
    }

    /**
     * Send requests as fast as the client takes them, alternating a RESPONSE type and an ACK type over the streams,
     * until told to stop or the client is closed.
     */
    private static void pipeline(final QuicClient client, final OutcomeRecorder recorder, final AtomicBoolean stop)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        for (long i = 1; !stop.get(); i++)
        {
            if (recorder.sentCount() - recorder.outcomeCount() >= MAX_IN_FLIGHT)
            {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
                continue;
            }
            final MessageType type = 0 == (i & 1) ? MessageType.GraphAlgoSuperstep : MessageType.TsScatterRequest;
            final int length = TestNode.envelope(buffer, type, TestNode.CLIENT_ID, (int)i, 8);
            buffer.putLong(28, i, ByteOrder.LITTLE_ENDIAN);
            final long id = client.request((int)(i % STREAMS), buffer, 0, length);
            if (id > 0)
            {
                recorder.sent(id);
            }
            else if (QuicClient.CLOSED == id)
            {
                return;
            }
            else
            {
                // BACK_PRESSURED, or NOT_CONNECTED once the node has gone: try again shortly.
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(QuicClient.BACK_PRESSURED == id ? 50 : 1_000));
            }
        }
    }

    private static void join(final Thread thread)
    {
        try
        {
            thread.join(10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        assertThat(thread.isAlive()).as(thread.getName() + " stopped").isFalse();
    }
}
