package io.vshard.transport.hardening;

import io.vshard.core.status.CounterRow;
import io.vshard.core.status.CountersFile;
import io.vshard.core.wire.MessageType;
import io.vshard.transport.TestNode;
import io.vshard.transport.ClientContext;
import io.vshard.transport.client.QuicClient;
import io.vshard.transport.tls.CertificateAuthority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of a node under load, in a child JVM: the client must report every request that got no answer as failed
 * (timed out or connection closed) and none as succeeded; the dead node's counters file stays readable and agrees;
 * a node restarted on the same directory starts from a fresh counters file at zero and serves again.
 */
@Timeout(120)
class CrashSafetyTest
{
    private static final int CAPACITY = 2_000_000;
    private static final int MAX_IN_FLIGHT = 4_000;

    @TempDir
    Path dir;

    @Test
    void shouldFailEveryUnansweredRequestAndRestartCleanAfterKillMinus9()
    {
        final Path caDir = dir.resolve("ca");
        final Path nodeDir = dir.resolve("node");
        final CertificateAuthority ca = CertificateAuthority.create(TestNode.CLUSTER, Duration.ofDays(1));
        ca.write(caDir);
        final ClientContext clientCtx = new ClientContext().nodeCertificate(ca.issue(TestNode.CLIENT_ID))
            .clientStreams(4).requestTimeoutMs(5_000).handshakeTimeoutMs(5_000).reconnectMinMs(50)
            .reconnectMaxMs(500);

        final RequestLedger ledger = new RequestLedger(CAPACITY);
        final int sent;
        final long killedPid;
        try (ChildNode child = ChildNode.start(nodeDir, caDir, 30_000))
        {
            killedPid = child.pid();
            final QuicClient client = new QuicClient(clientCtx, child.address(), ledger).connect();
            try
            {
                final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
                final int[] lastSent = new int[1];
                final Thread sender = new Thread(() -> lastSent[0] = LedgerTraffic.send(client, ledger, 1, CAPACITY,
                    MessageType.GraphAlgoSuperstep, TestNode.CLIENT_ID, endNs, MAX_IN_FLIGHT,
                    RequestLedger.PAYLOAD_LENGTH), "crash-sender");
                sender.start();
                final long loadStartNs = System.nanoTime();
                awaitAtLeast(ledger, 20_000);
                System.out.printf("%d requests answered in %d ms; ", ledger.tally(CAPACITY).responses(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loadStartNs));
                final int exit = child.kill();
                join(sender);
                sent = lastSent[0];
                ledger.awaitOutcomes(sent, 20_000, () -> "client pending=" + client.pendingRequests());
                System.out.printf("kill -9 (exit %d) mid-load: ", exit);
            }
            finally
            {
                client.close();
            }
        }

        final RequestLedger.Tally tally = ledger.tally(sent);
        final long repliedByDeadNode = sumOf(nodeDir, "responses", killedPid);
        System.out.printf("sent=%d answered=%d timedOut=%d connectionClosed=%d other=%d; dead node's counters " +
            "file: responses=%d%n", sent, tally.responses(), tally.timedOut(), tally.closed(), tally.other(),
            repliedByDeadNode);
        assertThat(tally.problems()).isEmpty();
        assertThat(tally.responses() + tally.timedOut() + tally.closed()).as("one outcome per request")
            .isEqualTo(sent);
        assertThat(tally.other()).isZero();
        assertThat(tally.responses()).isPositive();
        assertThat(tally.responses()).as("no success the node did not send").isLessThanOrEqualTo(repliedByDeadNode);

        try (ChildNode restarted = ChildNode.start(nodeDir, caDir, 30_000))
        {
            try (CountersFile counters = CountersFile.open(nodeDir.toFile()))
            {
                assertThat(counters.pid()).as("counters file recreated by the new process").isEqualTo(restarted.pid());
                assertThat(CounterRow.readAll(counters.reader()))
                    .as("a restarted node starts from zero").allMatch((row) -> 0 == row.value());
            }
            final RequestLedger after = new RequestLedger(5_000);
            final QuicClient client = new QuicClient(clientCtx, restarted.address(), after).connect();
            try
            {
                final int n = LedgerTraffic.send(client, after, 1, 5_000, MessageType.GhostCreate,
                    TestNode.CLIENT_ID, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
                after.awaitOutcomes(n, 20_000, () -> "pending=" + client.pendingRequests());
                assertThat(after.exactlyOnceViolations(n)).isEmpty();
            }
            finally
            {
                client.close();
            }
        }
    }

    private static long sumOf(final Path nodeDir, final String metric, final long expectedPid)
    {
        try (CountersFile counters = CountersFile.open(nodeDir.toFile()))
        {
            assertThat(counters.pid()).isEqualTo(expectedPid);
            final List<CounterRow> rows = CounterRow.readAll(counters.reader());
            return rows.stream().filter((r) -> r.scope().startsWith("lane ") && metric.equals(r.metric()))
                .mapToLong(CounterRow::value).sum();
        }
    }

    private static void awaitAtLeast(final RequestLedger ledger, final long outcomes)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (ledger.outcomes() < outcomes)
        {
            assertThat(System.nanoTime()).as("load before the kill").isLessThan(deadlineNs);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static void join(final Thread thread)
    {
        try
        {
            thread.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
