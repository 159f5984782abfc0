package io.vshard.transport;

import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.transport.client.Answer;
import io.vshard.transport.client.QuicClient;
import io.vshard.transport.hardening.Handlers;
import io.vshard.transport.server.QuicServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Identities both ways: an envelope for another node is answered WRONG_TARGET, and a client that expects one node
 * refuses a server presenting the certificate of another node of the cluster.
 */
@Timeout(60)
class IdentityTest
{
    @TempDir
    Path dir;
    private TestNode node;
    private final AtomicLong handled = new AtomicLong();

    @BeforeEach
    void setUp()
    {
        node = new TestNode(dir, (envelope, reply) ->
        {
            handled.incrementAndGet();
            Handlers.echo().onEnvelope(envelope, reply);
        });
    }

    @AfterEach
    void tearDown()
    {
        node.close();
    }

    @Test
    void shouldAnswerWrongTargetForAnEnvelopeToAnotherNodeAndServeTheOthers() throws Exception
    {
        final QuicClient client = node.client(null);
        final Answer wrong = client.request(0, VShardEnvelope.of(MessageType.GhostCreate, TestNode.CLIENT_ID, 999, 1,
            new byte[8])).get(10, TimeUnit.SECONDS);
        final Answer mine = client.request(0, VShardEnvelope.of(MessageType.GhostCreate, TestNode.CLIENT_ID,
            TestNode.SERVER_ID, 1, new byte[8])).get(10, TimeUnit.SECONDS);
        final Answer routed = client.request(0, VShardEnvelope.of(MessageType.GhostCreate, TestNode.CLIENT_ID, 0, 1,
            new byte[8])).get(10, TimeUnit.SECONDS);

        assertThat(wrong.kind()).isEqualTo(FrameDescriptor.KIND_ERROR);
        assertThat(wrong.errorCode()).isEqualTo(ErrorCode.WRONG_TARGET.value());
        assertThat(mine.kind()).isEqualTo(FrameDescriptor.KIND_RESPONSE);
        assertThat(mine.envelope().sourceNode()).isEqualTo(TestNode.SERVER_ID);
        assertThat(routed.kind()).as("target 0: resolve by routing table").isEqualTo(FrameDescriptor.KIND_RESPONSE);
        assertThat(handled.get()).as("the wrong-target envelope never reached a handler").isEqualTo(2);
        assertThat(node.pipeline.errorCounter(ErrorCode.WRONG_TARGET).get()).isEqualTo(1);
    }

    @Test
    void shouldRefuseAServerCertificateOfAnotherNodeThanTheOneExpected() throws Exception
    {
        final long expected = 2;
        final long actual = 3;
        final QuicServer other = new QuicServer(node.pipeline, new ServerContext().bind("127.0.0.1:0")
            .nodeCertificate(node.ca.issue(actual)).shutdownTimeoutMs(1_000)).start();
        try
        {
            final ClientContext expecting = node.clientContext(node.ca.issue(TestNode.CLIENT_ID))
                .serverNodeId(expected).handshakeTimeoutMs(2_000);
            final QuicClient refused = new QuicClient(expecting, other.localAddress(), null);
            boolean connected;
            try
            {
                refused.connect();
                connected = refused.isConnected();
            }
            catch (final IllegalStateException ex)
            {
                connected = false;
            }
            finally
            {
                refused.close();
            }
            assertThat(connected).as("a client expecting node 2 connected to node 3").isFalse();

            final ClientContext right = node.clientContext(node.ca.issue(TestNode.CLIENT_ID)).serverNodeId(actual);
            try (QuicClient accepted = new QuicClient(right, other.localAddress(), null).connect())
            {
                assertThat(accepted.isConnected()).isTrue();
            }
            assertThat(handled.get()).isZero();
        }
        finally
        {
            other.close();
        }
    }
}
