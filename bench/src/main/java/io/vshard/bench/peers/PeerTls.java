package io.vshard.bench.peers;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.vshard.transport.tls.CertificateAuthority;
import io.vshard.transport.tls.ClusterTrustManager;
import io.vshard.transport.tls.NodeCertificate;

import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * Mutual TLS for a peer benchmark from vshard's own certificate code: a cluster CA made in memory, one node
 * certificate for the server and one for the client (EC P-256 keys, identity in a URI SAN), and on both sides the
 * node's {@link ClusterTrustManager} (PKIX against the cluster CA plus the identity check; no host name check, as
 * between vshard nodes). The TLS engine is the BoringSSL inside {@code grpc-netty-shaded}, the same library QUIC's
 * quiche uses for the node. Control plane; the one place the peers import vshard classes.
 */
final class PeerTls
{
    /** Cluster name in the certificates. */
    static final String CLUSTER = "bench";

    private static final long SERVER_NODE_ID = 1;
    private static final long CLIENT_NODE_ID = 2;

    private final NodeCertificate server;
    private final NodeCertificate client;

    private PeerTls(final NodeCertificate server, final NodeCertificate client)
    {
        this.server = server;
        this.client = client;
    }

    /**
     * A new CA and the two node certificates. Checks once that gRPC's BoringSSL loaded.
     *
     * @return the certificates.
     * @throws IllegalStateException when the native TLS library of {@code grpc-netty-shaded} is not available.
     */
    static PeerTls create()
    {
        if (!OpenSsl.isAvailable())
        {
            throw new IllegalStateException("grpc-netty-shaded's BoringSSL (netty-tcnative) did not load: " +
                OpenSsl.unavailabilityCause(), OpenSsl.unavailabilityCause());
        }
        final CertificateAuthority ca = CertificateAuthority.create(CLUSTER, Duration.ofDays(1));
        return new PeerTls(ca.issue(SERVER_NODE_ID), ca.issue(CLIENT_NODE_ID));
    }

    /**
     * The gRPC server context: presents the server node's certificate, requires a client certificate of the cluster.
     *
     * @return the context.
     * @throws SSLException when the context cannot be built.
     */
    SslContext grpcServer() throws SSLException
    {
        return GrpcSslContexts.configure(SslContextBuilder.forServer(server.key(), server.certificate()),
            SslProvider.OPENSSL)
            .trustManager(new ClusterTrustManager(CLUSTER, server.ca()))
            .clientAuth(ClientAuth.REQUIRE)
            .build();
    }

    /**
     * The gRPC client context: presents the client node's certificate, trusts only servers of the cluster.
     *
     * @return the context.
     * @throws SSLException when the context cannot be built.
     */
    SslContext grpcClient() throws SSLException
    {
        return GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.OPENSSL)
            .keyManager(client.key(), client.certificate())
            .trustManager(new ClusterTrustManager(CLUSTER, client.ca()))
            .build();
    }

    /**
     * The TLS library in use, for the log.
     *
     * @return such as {@code BoringSSL}.
     */
    static String version()
    {
        return OpenSsl.versionString();
    }
}
