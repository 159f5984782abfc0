package io.vshard.transport.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;

/**
 * A node's certificate, its private key and the CA certificate it chains to: everything a node needs for mutual TLS.
 * Immutable; any thread.
 *
 * @param identity    the node identity in the certificate.
 * @param certificate the node certificate.
 * @param key         its private key.
 * @param ca          the cluster CA certificate (the trust anchor).
 */
public record NodeCertificate(NodeIdentity identity, X509Certificate certificate, PrivateKey key, X509Certificate ca)
{
    /** Suffix of a node certificate file. */
    public static final String CERT_SUFFIX = ".pem";

    /** Suffix of a node key file. */
    public static final String KEY_SUFFIX = ".key";

    /**
     * The base file name of a node's files: {@code node-<id>}.
     *
     * @param nodeId the node id.
     * @return the name without suffix.
     */
    public static String baseName(final long nodeId)
    {
        return "node-" + Long.toUnsignedString(nodeId);
    }

    /**
     * Write {@code node-<id>.pem}, {@code node-<id>.key} (owner-readable only) and the CA certificate
     * ({@value CertificateAuthority#CA_CERT_FILE}) into a directory.
     *
     * @param dir created when missing.
     * @return the path of the certificate file; the key file sits next to it.
     */
    public Path write(final Path dir)
    {
        try
        {
            Files.createDirectories(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final String base = baseName(identity.nodeId());
        final Path certFile = dir.resolve(base + CERT_SUFFIX);
        Pem.writeCertificates(certFile, certificate);
        Pem.writePrivateKey(dir.resolve(base + KEY_SUFFIX), key);
        Pem.writeCertificates(dir.resolve(CertificateAuthority.CA_CERT_FILE), ca);
        return certFile;
    }

    /**
     * Load a node certificate, its key and the CA from PEM files.
     *
     * @param certFile the node certificate (the first certificate in the file is the node's).
     * @param keyFile  its PKCS#8 private key.
     * @param caFile   the cluster CA certificate.
     * @return the loaded material.
     * @throws IllegalArgumentException when the certificate carries no node identity.
     */
    public static NodeCertificate load(final Path certFile, final Path keyFile, final Path caFile)
    {
        final X509Certificate certificate = Pem.readCertificates(certFile)[0];
        final NodeIdentity identity = NodeIdentity.of(certificate);
        if (null == identity)
        {
            throw new IllegalArgumentException("certificate has no spiffe://<cluster>/node/<id> URI SAN: " + certFile);
        }
        final PrivateKey key = Pem.readPrivateKey(keyFile);
        if (!keyMatches(key, certificate))
        {
            throw new IllegalStateException("private key " + keyFile + " does not belong to certificate " +
                certFile + " (" + identity.uri() + "): every TLS handshake would fail; give the key the certificate " +
                "was issued for");
        }
        return new NodeCertificate(identity, certificate, key, Pem.readCertificates(caFile)[0]);
    }

    /**
     * Whether a private key is the one whose public key a certificate carries: a signature made with the key must
     * verify with the certificate. Control plane (start-up).
     *
     * @param key         the private key.
     * @param certificate the certificate.
     * @return true when they belong together.
     */
    public static boolean keyMatches(final PrivateKey key, final X509Certificate certificate)
    {
        final String algorithm = switch (key.getAlgorithm())
        {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> key.getAlgorithm();
        };
        try
        {
            final byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            final Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            final byte[] signature = signer.sign();
            final Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        }
        catch (final GeneralSecurityException ex)
        {
            return false;
        }
    }
}
