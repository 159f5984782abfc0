package io.vshard.transport.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;

/**
 * Builds and signs X.509 certificates with BouncyCastle: the only class of the transport that needs it at run time,
 * reached only through {@link CertificateAuthority#create} and {@link CertificateAuthority#issue} (development mode,
 * {@code vshard certs}, tests). Control plane; any thread.
 */
final class CertificateGenerator
{
    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

    private CertificateGenerator()
    {
    }

    static X509Certificate caCertificate(
        final String cluster, final KeyPair pair, final Instant notBefore, final Instant notAfter,
        final SecureRandom random) throws GeneralSecurityException
    {
        final X500Name name = new X500Name("CN=vshard CA " + cluster + ",O=vshard");
        try
        {
            final JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            final X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                name, serial(random), Date.from(notBefore), Date.from(notAfter), name, pair.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()))
                .addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(
                        new GeneralName(GeneralName.uniformResourceIdentifier, NodeIdentity.SCHEME + cluster)));
            return sign(builder, pair.getPrivate());
        }
        catch (final CertIOException ex)
        {
            throw new GeneralSecurityException(ex);
        }
    }

    static X509Certificate nodeCertificate(
        final X509Certificate issuer,
        final PrivateKey issuerKey,
        final String issuerCluster,
        final NodeIdentity identity,
        final PublicKey publicKey,
        final Instant notBefore,
        final Instant notAfter,
        final SecureRandom random) throws GeneralSecurityException
    {
        return leafCertificate(issuer, issuerKey, issuerCluster, identity.nodeId(), new String[]{ identity.uri() },
            publicKey, notBefore, notAfter, random);
    }

    /**
     * A leaf certificate whose URI SANs are exactly the ones given, none for a certificate without the extension:
     * node certificates carry one, tests of the trust rules make the others.
     */
    static X509Certificate leafCertificate(
        final X509Certificate issuer,
        final PrivateKey issuerKey,
        final String issuerCluster,
        final long nodeId,
        final String[] uriSans,
        final PublicKey publicKey,
        final Instant notBefore,
        final Instant notAfter,
        final SecureRandom random) throws GeneralSecurityException
    {
        try
        {
            final JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            final X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                issuer, serial(random), Date.from(notBefore), Date.from(notAfter),
                new X500Name("CN=node " + Long.toUnsignedString(nodeId) + ",O=vshard " + issuerCluster), publicKey)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[]{ KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth }))
                .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(publicKey))
                .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuer));
            if (uriSans.length > 0)
            {
                final GeneralName[] names = new GeneralName[uriSans.length];
                for (int i = 0; i < uriSans.length; i++)
                {
                    names[i] = new GeneralName(GeneralName.uniformResourceIdentifier, uriSans[i]);
                }
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            return sign(builder, issuerKey);
        }
        catch (final CertIOException ex)
        {
            throw new GeneralSecurityException(ex);
        }
    }

    private static X509Certificate sign(final X509v3CertificateBuilder builder, final PrivateKey signer)
        throws GeneralSecurityException
    {
        try
        {
            return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(signer)));
        }
        catch (final OperatorCreationException ex)
        {
            throw new GeneralSecurityException(ex);
        }
    }

    private static BigInteger serial(final SecureRandom random)
    {
        return new BigInteger(127, random).add(BigInteger.ONE);
    }
}
