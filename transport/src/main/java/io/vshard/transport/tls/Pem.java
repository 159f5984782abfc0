package io.vshard.transport.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * PEM reading and writing of certificates and PKCS#8 private keys. Control plane; any thread.
 */
final class Pem
{
    private Pem()
    {
    }

    static void writeCertificates(final Path file, final X509Certificate... certificates)
    {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
            JcaPEMWriter pem = new JcaPEMWriter(out))
        {
            for (final X509Certificate certificate : certificates)
            {
                pem.writeObject(certificate);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
    }

    static void writePrivateKey(final Path file, final PrivateKey key)
    {
        try
        {
            Files.deleteIfExists(file);
            Files.createFile(file);
            try
            {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
            catch (final UnsupportedOperationException ignore)
            {
                // not a POSIX file system: the directory's permissions must protect the key
            }
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out))
            {
                pem.writeObject(new JcaPKCS8Generator(key, null));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
    }

    static X509Certificate[] readCertificates(final Path file)
    {
        final List<X509Certificate> certificates = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(in))
        {
            final JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (Object item = parser.readObject(); null != item; item = parser.readObject())
            {
                if (item instanceof X509CertificateHolder holder)
                {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("bad certificate in " + file, ex);
        }
        if (certificates.isEmpty())
        {
            throw new IllegalArgumentException("no certificate in " + file);
        }
        return certificates.toArray(new X509Certificate[0]);
    }

    static PrivateKey readPrivateKey(final Path file)
    {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(in))
        {
            final JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object item = parser.readObject(); null != item; item = parser.readObject())
            {
                if (item instanceof PrivateKeyInfo info)
                {
                    return converter.getPrivateKey(info);
                }
                if (item instanceof PEMKeyPair pair)
                {
                    return converter.getKeyPair(pair).getPrivate();
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
        throw new IllegalArgumentException("no unencrypted private key in " + file);
    }
}
