package io.vshard.transport.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;

/**
 * A cluster's certificate authority: a self-signed CA certificate and key that issue node certificates carrying the
 * node identity URI SAN {@code spiffe://<cluster>/node/<id>} (wire section 3). Keys are ECDSA P-256; files are PEM
 * ({@value #CA_CERT_FILE}, {@value #CA_KEY_FILE} in a directory). Used by the development mode and by the
 * {@code vshard certs} command. Creating a CA and issuing certificates need BouncyCastle
 * ({@code org.bouncycastle:bcpkix-jdk18on}, an optional dependency of the transport); loading and writing do not.
 * Control plane: any thread, not thread-safe for concurrent issuing.
 */
public final class CertificateAuthority
{
    /** File name of the CA certificate in a CA directory. */
    public static final String CA_CERT_FILE = "ca.pem";

    /** File name of the CA private key (PKCS#8 PEM) in a CA directory. */
    public static final String CA_KEY_FILE = "ca.key";

    /** Default validity of a CA certificate. */
    public static final Duration CA_VALIDITY_DEFAULT = Duration.ofDays(3650);

    /** Default validity of a node certificate. */
    public static final Duration NODE_VALIDITY_DEFAULT = Duration.ofDays(365);

    /** The artifact certificate generation needs. */
    public static final String BOUNCY_CASTLE_ARTIFACT = "org.bouncycastle:bcpkix-jdk18on";

    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private final String cluster;
    private final X509Certificate certificate;
    private final PrivateKey key;
    private final SecureRandom random = new SecureRandom();

    private CertificateAuthority(final String cluster, final X509Certificate certificate, final PrivateKey key)
    {
        this.cluster = cluster;
        this.certificate = certificate;
        this.key = key;
    }

    /**
     * Create a new CA for a cluster, in memory.
     *
     * @param cluster  the cluster name.
     * @param validity how long the CA certificate is valid from now.
     * @return the new CA.
     */
    public static CertificateAuthority create(final String cluster, final Duration validity)
    {
        if (!NodeIdentity.isValidCluster(cluster))
        {
            throw new IllegalArgumentException("invalid cluster name: cluster=" + cluster);
        }
        ensureGenerationAvailable();
        final KeyPair pair = newKeyPair();
        final Instant now = Instant.now();
        try
        {
            final X509Certificate certificate = CertificateGenerator.caCertificate(
                cluster, pair, now.minus(CLOCK_SKEW), now.plus(validity), new SecureRandom());
            return new CertificateAuthority(cluster, certificate, pair.getPrivate());
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("cannot create CA for cluster=" + cluster, ex);
        }
    }

    /**
     * Check that certificate generation can run: BouncyCastle must be on the class path.
     *
     * @throws IllegalStateException naming the dependency to add when it is missing.
     */
    public static void ensureGenerationAvailable()
    {
        try
        {
            Class.forName("org.bouncycastle.cert.X509v3CertificateBuilder", false,
                CertificateAuthority.class.getClassLoader());
            Class.forName("org.bouncycastle.jce.provider.BouncyCastleProvider", false,
                CertificateAuthority.class.getClassLoader());
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            throw new IllegalStateException("certificate generation (development mode, vshard certs) needs " +
                "BouncyCastle: add " + BOUNCY_CASTLE_ARTIFACT + " to the class path, or give a certificate, " +
                "key and CA made elsewhere");
        }
    }

    /**
     * Load the CA kept in a directory, or create one there (validity {@link #CA_VALIDITY_DEFAULT}) when the
     * directory holds none.
     *
     * @param dir     the CA directory; created when missing. The key file is written owner-readable only.
     * @param cluster the cluster name; a loaded CA must belong to it.
     * @return the CA.
     * @throws IllegalStateException when the directory holds the CA of another cluster.
     */
    public static CertificateAuthority loadOrCreate(final Path dir, final String cluster)
    {
        if (Files.exists(dir.resolve(CA_CERT_FILE)) && Files.exists(dir.resolve(CA_KEY_FILE)))
        {
            return load(dir, cluster);
        }
        final CertificateAuthority ca = create(cluster, CA_VALIDITY_DEFAULT);
        ca.write(dir);
        return ca;
    }

    /**
     * Load the CA kept in a directory.
     *
     * @param dir     holding {@value #CA_CERT_FILE} and {@value #CA_KEY_FILE}.
     * @param cluster the cluster the CA must belong to.
     * @return the CA.
     */
    public static CertificateAuthority load(final Path dir, final String cluster)
    {
        final X509Certificate certificate = Pem.readCertificates(dir.resolve(CA_CERT_FILE))[0];
        final PrivateKey key = Pem.readPrivateKey(dir.resolve(CA_KEY_FILE));
        final String caCluster = clusterOf(certificate);
        if (!cluster.equals(caCluster))
        {
            throw new IllegalStateException(
                "CA in " + dir + " belongs to cluster=" + caCluster + ", not cluster=" + cluster);
        }
        return new CertificateAuthority(cluster, certificate, key);
    }

    /**
     * Write the CA certificate and key as PEM into a directory.
     *
     * @param dir created when missing.
     */
    public void write(final Path dir)
    {
        try
        {
            Files.createDirectories(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        Pem.writeCertificates(dir.resolve(CA_CERT_FILE), certificate);
        Pem.writePrivateKey(dir.resolve(CA_KEY_FILE), key);
    }

    /**
     * Issue a node certificate valid for {@link #NODE_VALIDITY_DEFAULT} from now.
     *
     * @param nodeId the node id, unsigned.
     * @return the certificate, its key and this CA's certificate.
     */
    public NodeCertificate issue(final long nodeId)
    {
        final Instant now = Instant.now();
        return issue(nodeId, now.minus(CLOCK_SKEW), now.plus(NODE_VALIDITY_DEFAULT));
    }

    /**
     * Issue a node certificate for a validity window (tests issue expired ones this way).
     *
     * @param nodeId    the node id, unsigned.
     * @param notBefore start of validity.
     * @param notAfter  end of validity.
     * @return the certificate, its key and this CA's certificate.
     */
    public NodeCertificate issue(final long nodeId, final Instant notBefore, final Instant notAfter)
    {
        return issue(new NodeIdentity(cluster, nodeId), notBefore, notAfter);
    }

    /**
     * Issue a certificate for any identity, even one of another cluster: for tests of the trust rules only.
     *
     * @param identity  written into the URI SAN.
     * @param notBefore start of validity.
     * @param notAfter  end of validity.
     * @return the certificate, its key and this CA's certificate.
     */
    public NodeCertificate issue(final NodeIdentity identity, final Instant notBefore, final Instant notAfter)
    {
        ensureGenerationAvailable();
        final KeyPair pair = newKeyPair();
        try
        {
            final X509Certificate issued = CertificateGenerator.nodeCertificate(
                certificate, key, cluster, identity, pair.getPublic(), notBefore, notAfter, random);
            return new NodeCertificate(identity, issued, pair.getPrivate(), certificate);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("cannot issue certificate for " + identity.uri(), ex);
        }
    }

    /**
     * Issue a certificate whose URI SANs are exactly the ones given (none: no SAN extension), paired with a claimed
     * identity that the certificate need not carry: for tests of the trust rules only (a peer without a node
     * identity, a peer with two).
     *
     * @param claimed the identity the returned {@link NodeCertificate} claims; its node id names the subject.
     * @param uriSans the URI SANs to write, in order.
     * @return the certificate, its key and this CA's certificate.
     */
    NodeCertificate issueWithUriSans(final NodeIdentity claimed, final String... uriSans)
    {
        ensureGenerationAvailable();
        final KeyPair pair = newKeyPair();
        final Instant now = Instant.now();
        try
        {
            final X509Certificate issued = CertificateGenerator.leafCertificate(certificate, key, cluster,
                claimed.nodeId(), uriSans, pair.getPublic(), now.minus(CLOCK_SKEW), now.plus(NODE_VALIDITY_DEFAULT),
                random);
            return new NodeCertificate(claimed, issued, pair.getPrivate(), certificate);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("cannot issue certificate for " + String.join(",", uriSans), ex);
        }
    }

    /**
     * The cluster this CA serves.
     *
     * @return the cluster name.
     */
    public String cluster()
    {
        return cluster;
    }

    /**
     * The CA certificate, the trust anchor of the cluster.
     *
     * @return the certificate.
     */
    public X509Certificate certificate()
    {
        return certificate;
    }

    private static String clusterOf(final X509Certificate caCertificate)
    {
        try
        {
            if (null != caCertificate.getSubjectAlternativeNames())
            {
                for (final java.util.List<?> name : caCertificate.getSubjectAlternativeNames())
                {
                    final String value = String.valueOf(name.get(1));
                    if (value.startsWith(NodeIdentity.SCHEME))
                    {
                        return value.substring(NodeIdentity.SCHEME.length());
                    }
                }
            }
        }
        catch (final java.security.cert.CertificateParsingException ignore)
        {
            // no usable SAN: falls through to null
        }
        return null;
    }

    private static KeyPair newKeyPair()
    {
        try
        {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("EC P-256 unavailable", ex);
        }
    }
}
