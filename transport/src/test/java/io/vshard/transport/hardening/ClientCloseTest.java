package io.vshard.transport.hardening;

import io.vshard.core.wire.MessageType;
import io.vshard.transport.TestNode;
import io.vshard.transport.client.QuicClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client closed with requests in flight, written or still queued, must report an outcome for every one of them
 * before {@code close()} returns: found by the soak test, where such requests were left pending forever.
 */
class ClientCloseTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldReportEveryRequestWhenClosedWithRequestsInFlight()
    {
        try (TestNode node = new TestNode(dir, Handlers.echo()))
        {
            for (int round = 0; round < 20; round++)
            {
                final int count = 70;
                final RequestLedger ledger = new RequestLedger(count);
                final QuicClient client = node.client(node.clientContext(node.ca.issue(TestNode.CLIENT_ID))
                    .clientStreams(1 + round % 4).requestTimeoutMs(30_000), ledger);
                final int sent = LedgerTraffic.send(client, ledger, 1, count, MessageType.GhostCreate,
                    TestNode.CLIENT_ID, System.nanoTime() + TimeUnit.SECONDS.toNanos(30), count, 70_000);
                client.close();
                final RequestLedger.Tally tally = ledger.tally(sent);
                assertThat(client.pendingRequests()).as("round %d: %s", round, tally).isZero();
                assertThat(tally.responses() + tally.closed() + tally.timedOut()).as("round %d", round).isEqualTo(sent);
                assertThat(tally.problems()).isEmpty();
            }
        }
    }
}
