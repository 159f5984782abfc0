package io.vshard.transport.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Trusts a peer only when its chain validates (PKIX: signature, validity dates, key usage) against the cluster CA
 * and its leaf certificate carries exactly one node identity of this cluster. Called by the TLS stack during the
 * handshake, on whatever thread it uses; stateless after construction.
 */
public final class ClusterTrustManager extends X509ExtendedTrustManager
{
    /** No particular server node expected: any node of the cluster is trusted. */
    public static final long ANY_NODE = 0;

    private final X509TrustManager pkix;
    private final String cluster;
    private final long expectedServerNodeId;

    /**
     * A trust manager for one cluster.
     *
     * @param cluster the cluster whose nodes are trusted.
     * @param anchors the cluster CA certificates.
     */
    public ClusterTrustManager(final String cluster, final X509Certificate... anchors)
    {
        this(cluster, ANY_NODE, anchors);
    }

    /**
     * A trust manager for one cluster that, as a client's, trusts only the server certificate of one node.
     *
     * @param cluster              the cluster whose nodes are trusted.
     * @param expectedServerNodeId the node id a server certificate must carry, {@link #ANY_NODE} for any.
     * @param anchors              the cluster CA certificates.
     */
    public ClusterTrustManager(final String cluster, final long expectedServerNodeId, final X509Certificate... anchors)
    {
        if (0 == anchors.length)
        {
            throw new IllegalArgumentException("no CA certificate given for cluster=" + cluster);
        }
        this.cluster = cluster;
        this.expectedServerNodeId = expectedServerNodeId;
        try
        {
            final KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < anchors.length; i++)
            {
                store.setCertificateEntry("ca-" + i, anchors[i]);
            }
            final TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            X509TrustManager found = null;
            for (final TrustManager manager : factory.getTrustManagers())
            {
                if (manager instanceof X509TrustManager x509)
                {
                    found = x509;
                }
            }
            if (null == found)
            {
                throw new IllegalStateException("no X509TrustManager from PKIX");
            }
            this.pkix = found;
        }
        catch (final GeneralSecurityException | java.io.IOException ex)
        {
            throw new IllegalStateException("cannot build trust for cluster=" + cluster, ex);
        }
    }

    /**
     * The node identity a trusted chain carries, checked to be of this cluster.
     *
     * @param chain the peer chain, leaf first.
     * @return the identity.
     * @throws CertificateException when the leaf carries no identity of this cluster.
     */
    public NodeIdentity identityOf(final X509Certificate[] chain) throws CertificateException
    {
        if (null == chain || 0 == chain.length)
        {
            throw new CertificateException("peer sent no certificate");
        }
        final NodeIdentity identity = NodeIdentity.of(chain[0]);
        if (null == identity)
        {
            throw new CertificateException("peer certificate has no spiffe://<cluster>/node/<id> URI SAN: " +
                chain[0].getSubjectX500Principal());
        }
        if (!cluster.equals(identity.cluster()))
        {
            throw new CertificateException("peer " + identity.uri() + " is not of cluster=" + cluster);
        }
        return identity;
    }

    /**
     * {@inheritDoc}
     */
    public void checkClientTrusted(final X509Certificate[] chain, final String authType) throws CertificateException
    {
        pkix.checkClientTrusted(chain, authType);
        identityOf(chain);
    }

    /**
     * {@inheritDoc}
     */
    public void checkServerTrusted(final X509Certificate[] chain, final String authType) throws CertificateException
    {
        pkix.checkServerTrusted(chain, authType);
        final NodeIdentity identity = identityOf(chain);
        if (ANY_NODE != expectedServerNodeId && identity.nodeId() != expectedServerNodeId)
        {
            throw new CertificateException("server " + identity.uri() + " is not the expected node " +
                Long.toUnsignedString(expectedServerNodeId));
        }
    }

    /**
     * {@inheritDoc}
     */
    public void checkClientTrusted(final X509Certificate[] chain, final String authType, final Socket socket)
        throws CertificateException
    {
        checkClientTrusted(chain, authType);
    }

    /**
     * {@inheritDoc}
     */
    public void checkServerTrusted(final X509Certificate[] chain, final String authType, final Socket socket)
        throws CertificateException
    {
        checkServerTrusted(chain, authType);
    }

    /**
     * {@inheritDoc}
     */
    public void checkClientTrusted(final X509Certificate[] chain, final String authType, final SSLEngine engine)
        throws CertificateException
    {
        checkClientTrusted(chain, authType);
    }

    /**
     * {@inheritDoc}
     */
    public void checkServerTrusted(final X509Certificate[] chain, final String authType, final SSLEngine engine)
        throws CertificateException
    {
        checkServerTrusted(chain, authType);
    }

    /**
     * {@inheritDoc}
     */
    public X509Certificate[] getAcceptedIssuers()
    {
        return pkix.getAcceptedIssuers();
    }
}
