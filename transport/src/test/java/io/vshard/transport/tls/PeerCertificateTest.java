package io.vshard.transport.tls;

import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.transport.ClientContext;
import io.vshard.transport.ServerContext;
import io.vshard.transport.TestNode;
import io.vshard.transport.client.Answer;
import io.vshard.transport.client.AnswerListener;
import io.vshard.transport.client.QuicClient;
import io.vshard.transport.server.QuicServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Certificates a CA of the cluster signed but that do not name exactly one node of it: without the SPIFFE URI SAN,
 * with a URI SAN that is no node identity, with two node SANs. A server refuses such a client, and a client refuses
 * such a server, in the TLS handshake; a control with a well-formed certificate connects on the same set-up.
 */
@Timeout(60)
class PeerCertificateTest
{
    private static final String NODE_1 = "spiffe://" + TestNode.CLUSTER + "/node/1";
    private static final String NODE_2 = "spiffe://" + TestNode.CLUSTER + "/node/2";
    private static final String NODE_3 = "spiffe://" + TestNode.CLUSTER + "/node/3";

    @TempDir
    Path dir;
    private TestNode node;
    private final AtomicLong handled = new AtomicLong();

    @BeforeEach
    void setUp()
    {
        node = new TestNode(dir, (envelope, reply) -> handled.incrementAndGet(), (p) -> { },
            (t) -> t.handshakeTimeoutMs(2_000));
    }

    @AfterEach
    void tearDown()
    {
        node.close();
    }

    @Test
    void shouldHaveTheTrustManagerRefuseEachOddCertificateWithItsReason() throws Exception
    {
        final ClusterTrustManager trust = new ClusterTrustManager(TestNode.CLUSTER, node.ca.certificate());
        final X509Certificate good = node.ca.issue(TestNode.CLIENT_ID).certificate();
        trust.checkClientTrusted(new X509Certificate[]{ good }, "ECDHE_ECDSA");
        trust.checkServerTrusted(new X509Certificate[]{ good }, "ECDHE_ECDSA");

        for (final String[] sans : new String[][]{ {}, { "https://example.org/node/2" }, { NODE_2, NODE_3 },
            { NODE_2, NODE_2 } })
        {
            final X509Certificate odd = oddClient(sans).certificate();
            final X509Certificate[] chain = { odd };
            assertThatThrownBy(() -> trust.checkClientTrusted(chain, "ECDHE_ECDSA"))
                .as("client certificate with URI SANs %s", String.join(",", sans))
                .isInstanceOf(CertificateException.class)
                .hasMessageContaining("has no spiffe://<cluster>/node/<id> URI SAN");
            assertThatThrownBy(() -> trust.checkServerTrusted(chain, "ECDHE_ECDSA"))
                .as("server certificate with URI SANs %s", String.join(",", sans))
                .isInstanceOf(CertificateException.class)
                .hasMessageContaining("has no spiffe://<cluster>/node/<id> URI SAN");
            assertThat(NodeIdentity.of(odd)).isNull();
        }
    }

    @Test
    void shouldRefuseAClientCertificateWithoutTheSpiffeSan()
    {
        assertServerRefuses(oddClient());
    }

    @Test
    void shouldRefuseAClientCertificateWithAUriSanThatIsNoNodeIdentity()
    {
        assertServerRefuses(oddClient("https://example.org/node/2"));
    }

    @Test
    void shouldRefuseAClientCertificateWithTwoNodeSans()
    {
        assertServerRefuses(oddClient(NODE_2, NODE_3));
    }

    @Test
    void shouldAcceptAWellFormedClientCertificateOnTheSameSetUp() throws Exception
    {
        try (QuicClient client = new QuicClient(node.clientContext(oddClient(NODE_2)), node.server.localAddress(),
            null).connect())
        {
            final Answer answer = client.request(0, VShardEnvelope.of(MessageType.GhostCreate, TestNode.CLIENT_ID,
                TestNode.SERVER_ID, 1, new byte[0])).get(10, TimeUnit.SECONDS);
            assertThat(answer.kind()).isNotEqualTo(AnswerListener.CONNECTION_CLOSED);
        }
        assertThat(handled.get()).isEqualTo(1);
    }

    @Test
    void shouldRefuseAServerCertificateWithoutTheSpiffeSan()
    {
        assertClientRefuses(oddServer());
    }

    @Test
    void shouldRefuseAServerCertificateWithTwoNodeSans()
    {
        assertClientRefuses(oddServer(NODE_1, NODE_3));
    }

    @Test
    void shouldAcceptAWellFormedServerCertificateOnTheSameSetUp()
    {
        final QuicServer server = start(oddServer(NODE_1));
        try (QuicClient client = new QuicClient(node.clientContext(node.ca.issue(TestNode.CLIENT_ID)),
            server.localAddress(), null).connect())
        {
            assertThat(client.isConnected()).isTrue();
        }
        finally
        {
            server.close();
        }
    }

    /** A client certificate claiming node 2 that carries the given URI SANs. */
    private NodeCertificate oddClient(final String... sans)
    {
        return node.ca.issueWithUriSans(new NodeIdentity(TestNode.CLUSTER, TestNode.CLIENT_ID), sans);
    }

    /** A server certificate claiming node 1 that carries the given URI SANs. */
    private NodeCertificate oddServer(final String... sans)
    {
        return node.ca.issueWithUriSans(new NodeIdentity(TestNode.CLUSTER, TestNode.SERVER_ID), sans);
    }

    private QuicServer start(final NodeCertificate certificate)
    {
        return new QuicServer(node.pipeline, new ServerContext().bind("127.0.0.1:0").nodeCertificate(certificate)
            .handshakeTimeoutMs(2_000).shutdownTimeoutMs(1_000)).start();
    }

    private void assertServerRefuses(final NodeCertificate clientCertificate)
    {
        final long refusedBefore = node.server.counters().connectionsRefused.get();
        final QuicClient client = new QuicClient(node.clientContext(clientCertificate).handshakeTimeoutMs(2_000),
            node.server.localAddress(), null);
        try
        {
            client.connect();
            // TLS 1.3: the client may finish its side of the handshake before the server checks its certificate;
            // the server's refusal then closes the connection and no request is handled.
            final Answer answer = client.request(0, VShardEnvelope.of(MessageType.GhostCreate, TestNode.CLIENT_ID,
                TestNode.SERVER_ID, 1, new byte[0])).get(10, TimeUnit.SECONDS);
            assertThat(answer.kind()).isEqualTo(AnswerListener.CONNECTION_CLOSED);
        }
        catch (final ExecutionException notConnected)
        {
            assertThat(notConnected.getCause()).hasMessageContaining("not connected");
        }
        catch (final IllegalStateException refusedAtConnect)
        {
            assertThat(refusedAtConnect).hasMessageContaining("cannot connect");
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
        finally
        {
            client.close();
        }
        assertThat(handled.get()).isZero();
        assertThat(node.server.connectionCount()).isZero();
        assertThat(node.server.counters().connectionsAccepted.get()).isZero();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (node.server.counters().connectionsRefused.get() == refusedBefore && System.nanoTime() < deadlineNs)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        assertThat(node.server.counters().connectionsRefused.get()).as("refusals counted").isGreaterThan(refusedBefore);
    }

    private void assertClientRefuses(final NodeCertificate serverCertificate)
    {
        final QuicServer server = start(serverCertificate);
        try
        {
            final ClientContext ctx = node.clientContext(node.ca.issue(TestNode.CLIENT_ID)).handshakeTimeoutMs(2_000);
            final QuicClient client = new QuicClient(ctx, server.localAddress(), null);
            boolean connected;
            try
            {
                client.connect();
                connected = client.isConnected();
            }
            catch (final IllegalStateException refused)
            {
                connected = false;
            }
            finally
            {
                client.close();
            }
            assertThat(connected).as("the client accepted a server certificate without one node identity").isFalse();
            assertThat(server.counters().connectionsAccepted.get()).isZero();
            assertThat(handled.get()).isZero();
        }
        finally
        {
            server.close();
        }
    }
}
