package io.vshard.transport;

import io.netty.incubator.codec.quic.QuicSslContextBuilder;
import io.vshard.core.pipeline.Pipeline;
import io.vshard.transport.client.AnswerListener;
import io.vshard.transport.client.QuicClient;
import io.vshard.transport.tls.CertificateAuthority;
import io.vshard.transport.tls.ClusterTrustManager;
import io.vshard.transport.tls.NodeCertificate;
import io.vshard.transport.tls.NodeIdentity;
import io.vshard.transport.tls.QuicTls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class MutualTlsTest
{
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
    void shouldRefuseClientWithCertificateFromAnotherCa()
    {
        final CertificateAuthority other = CertificateAuthority.create(TestNode.CLUSTER, Duration.ofDays(1));
        final NodeCertificate foreign = other.issue(TestNode.CLIENT_ID);
        // Trusts the real server, presents a certificate of a CA the server does not trust.
        final NodeCertificate trusting = new NodeCertificate(
            foreign.identity(), foreign.certificate(), foreign.key(), node.ca.certificate());
        assertRefused(new QuicClient(node.clientContext(trusting), node.server.localAddress(), null));
    }

    @Test
    void shouldRefuseClientWithoutCertificate()
    {
        assertRefused(new QuicClient(node.clientContext(node.ca.issue(TestNode.CLIENT_ID)),
            node.server.localAddress(), null)
            .sslContext(QuicTls.anonymousClient(TestNode.CLUSTER, node.ca.certificate())));
    }

    @Test
    void shouldRefuseExpiredCertificate()
    {
        final NodeCertificate expired = node.ca.issue(TestNode.CLIENT_ID,
            Instant.now().minus(Duration.ofDays(10)), Instant.now().minus(Duration.ofDays(1)));
        assertRefused(new QuicClient(node.clientContext(expired), node.server.localAddress(), null));
    }

    @Test
    void shouldRefuseCertificateOfAnotherCluster()
    {
        final NodeCertificate otherCluster = node.ca.issue(new NodeIdentity("other", TestNode.CLIENT_ID),
            Instant.now().minus(Duration.ofMinutes(5)), Instant.now().plus(Duration.ofDays(1)));
        final var sslContext = QuicSslContextBuilder.forClient()
            .keyManager(otherCluster.key(), null, otherCluster.certificate())
            .trustManager(new ClusterTrustManager(TestNode.CLUSTER, node.ca.certificate()))
            .applicationProtocols(QuicTls.ALPN)
            .build();
        assertRefused(new QuicClient(node.clientContext(node.ca.issue(TestNode.CLIENT_ID)),
            node.server.localAddress(), null).sslContext(sslContext));
    }

    @Test
    void shouldAcceptClientOfTheCluster()
    {
        final QuicClient client = node.client(null);
        assertThat(client.isConnected()).isTrue();
    }

    private void assertRefused(final QuicClient client)
    {
        try
        {
            client.connect();
            // TLS 1.3: the client may finish its side of the handshake before the server rejects its certificate;
            // the server's refusal then closes the connection, and no request may be handled.
            final var answer = client.request(0, io.vshard.core.wire.VShardEnvelope.of(
                io.vshard.core.wire.MessageType.GhostCreate, TestNode.CLIENT_ID, TestNode.SERVER_ID, 1, new byte[0]));
            try
            {
                assertThat(answer.get(10, java.util.concurrent.TimeUnit.SECONDS).kind())
                    .isEqualTo(AnswerListener.CONNECTION_CLOSED);
            }
            catch (final java.util.concurrent.ExecutionException notConnected)
            {
                assertThat(notConnected.getCause()).hasMessageContaining("not connected");
            }
            catch (final Exception ex)
            {
                throw new AssertionError(ex);
            }
        }
        catch (final IllegalStateException refusedAtConnect)
        {
            // refused during the handshake
        }
        finally
        {
            client.close();
        }
        assertThat(handled.get()).isZero();
        assertThat(node.server.connectionCount()).isZero();
        assertThat(node.pipeline.laneRemainingCapacity(0)).isEqualTo(node.pipeline.context().laneRingSize());
        assertThat(Pipeline.ACCEPTED).isZero();
    }
}
