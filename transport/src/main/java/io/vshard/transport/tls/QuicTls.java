package io.vshard.transport.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.incubator.codec.quic.QuicSslContext;
import io.netty.incubator.codec.quic.QuicSslContextBuilder;

/**
 * Builds the QUIC TLS 1.3 contexts of a node: ALPN {@value #ALPN}, its own certificate, peers trusted only through a
 * {@link ClusterTrustManager}, client certificates required on the server. Control plane; any thread.
 */
public final class QuicTls
{
    /** The application protocol negotiated on every connection (wire section 2). */
    public static final String ALPN = "vshard/1";

    private QuicTls()
    {
    }

    /**
     * The server context: presents the node certificate and requires a trusted client certificate of the cluster.
     *
     * @param node the node's certificate, key and CA.
     * @return the context.
     */
    public static QuicSslContext server(final NodeCertificate node)
    {
        return QuicSslContextBuilder.forServer(node.key(), null, node.certificate())
            .trustManager(new ClusterTrustManager(node.identity().cluster(), node.ca()))
            .clientAuth(ClientAuth.REQUIRE)
            .applicationProtocols(ALPN)
            .earlyData(false)
            .build();
    }

    /**
     * The client context: presents the node certificate and trusts only servers of the cluster.
     *
     * @param node the node's certificate, key and CA.
     * @return the context.
     */
    public static QuicSslContext client(final NodeCertificate node)
    {
        return client(node, ClusterTrustManager.ANY_NODE);
    }

    /**
     * The client context: presents the node certificate and trusts only the server certificate of one node of the
     * cluster.
     *
     * @param node         the node's certificate, key and CA.
     * @param serverNodeId the node id the server's certificate must carry, {@link ClusterTrustManager#ANY_NODE}
     *                     for any node of the cluster.
     * @return the context.
     */
    public static QuicSslContext client(final NodeCertificate node, final long serverNodeId)
    {
        return clientBuilder(node, serverNodeId).build();
    }

    /**
     * A client context without a certificate of its own: servers refuse it. For tests and diagnostics.
     *
     * @param cluster the cluster whose servers are trusted.
     * @param ca      the cluster CA certificate.
     * @return the context.
     */
    public static QuicSslContext anonymousClient(final String cluster, final java.security.cert.X509Certificate ca)
    {
        return QuicSslContextBuilder.forClient()
            .trustManager(new ClusterTrustManager(cluster, ca))
            .applicationProtocols(ALPN)
            .earlyData(false)
            .build();
    }

    private static QuicSslContextBuilder clientBuilder(final NodeCertificate node, final long serverNodeId)
    {
        return QuicSslContextBuilder.forClient()
            .keyManager(node.key(), null, node.certificate())
            .trustManager(new ClusterTrustManager(node.identity().cluster(), serverNodeId, node.ca()))
            .applicationProtocols(ALPN)
            .earlyData(false);
    }
}
