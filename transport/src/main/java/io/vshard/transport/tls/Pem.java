package io.vshard.transport.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * PEM reading and writing of X.509 certificates and unencrypted PKCS#8 private keys ({@code PRIVATE KEY}) with the
 * JDK alone. Legacy key blocks ({@code EC PRIVATE KEY}, {@code RSA PRIVATE KEY}) are read through BouncyCastle when
 * it is on the class path. Control plane; any thread.
 */
final class Pem
{
    private static final String CERTIFICATE = "CERTIFICATE";
    private static final String PRIVATE_KEY = "PRIVATE KEY";
    private static final String[] KEY_ALGORITHMS = { "EC", "RSA", "Ed25519", "Ed448" };
    private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");

    private Pem()
    {
    }

    static void writeCertificates(final Path file, final X509Certificate... certificates)
    {
        final StringBuilder text = new StringBuilder();
        try
        {
            for (final X509Certificate certificate : certificates)
            {
                block(text, CERTIFICATE, certificate.getEncoded());
            }
        }
        catch (final CertificateException ex)
        {
            throw new IllegalArgumentException("cannot encode certificate for " + file, ex);
        }
        try
        {
            Files.writeString(file, text, StandardCharsets.US_ASCII);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
    }

    /**
     * Write a key as PKCS#8 PEM into a new file that is owner-readable only from the moment it exists (a file
     * already there is replaced, never written through).
     */
    static void writePrivateKey(final Path file, final PrivateKey key)
    {
        final String format = key.getFormat();
        if (!"PKCS#8".equals(format))
        {
            throw new IllegalArgumentException("not a PKCS#8 key: format=" + format);
        }
        final StringBuilder text = new StringBuilder();
        block(text, PRIVATE_KEY, key.getEncoded());
        try
        {
            Files.deleteIfExists(file);
            final boolean posix = Files.getFileStore(file.toAbsolutePath().getParent())
                .supportsFileAttributeView("posix");
            final FileAttribute<?>[] attributes = posix ?
                new FileAttribute<?>[]{ PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE) } :
                new FileAttribute<?>[0];
            try (OutputStream out = Channels.newOutputStream(Files.newByteChannel(
                file, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes)))
            {
                out.write(text.toString().getBytes(StandardCharsets.US_ASCII));
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
        try
        {
            final CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (final Block block : blocks(file))
            {
                if (CERTIFICATE.equals(block.label))
                {
                    certificates.add((X509Certificate)factory.generateCertificate(
                        new ByteArrayInputStream(block.der)));
                }
            }
        }
        catch (final CertificateException ex)
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
        for (final Block block : blocks(file))
        {
            if (PRIVATE_KEY.equals(block.label))
            {
                return pkcs8(file, block.der);
            }
            if ("EC PRIVATE KEY".equals(block.label) || "RSA PRIVATE KEY".equals(block.label))
            {
                return legacyKey(file, block.label);
            }
        }
        throw new IllegalArgumentException("no unencrypted private key (PEM \"PRIVATE KEY\") in " + file);
    }

    private static PrivateKey pkcs8(final Path file, final byte[] der)
    {
        final PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (final String algorithm : KEY_ALGORITHMS)
        {
            try
            {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            }
            catch (final GeneralSecurityException notThisAlgorithm)
            {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("unsupported PKCS#8 private key (EC, RSA, EdDSA expected) in " + file);
    }

    private static PrivateKey legacyKey(final Path file, final String label)
    {
        try
        {
            Class.forName("org.bouncycastle.openssl.PEMParser", false, Pem.class.getClassLoader());
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            throw new IllegalArgumentException("\"" + label + "\" in " + file + " is a legacy key format: convert " +
                "it with 'openssl pkcs8 -topk8 -nocrypt', or add " + CertificateAuthority.BOUNCY_CASTLE_ARTIFACT +
                " to the class path");
        }
        return LegacyPem.readPrivateKey(file);
    }

    private static void block(final StringBuilder text, final String label, final byte[] der)
    {
        text.append("-----BEGIN ").append(label).append("-----\n")
            .append(Base64.getMimeEncoder(64, new byte[]{ '\n' }).encodeToString(der)).append('\n')
            .append("-----END ").append(label).append("-----\n");
    }

    private static List<Block> blocks(final Path file)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
        final List<Block> blocks = new ArrayList<>();
        String label = null;
        final StringBuilder base64 = new StringBuilder();
        for (final String raw : lines)
        {
            final String line = raw.trim();
            if (null == label)
            {
                if (line.startsWith("-----BEGIN ") && line.endsWith("-----"))
                {
                    label = line.substring("-----BEGIN ".length(), line.length() - "-----".length());
                    base64.setLength(0);
                }
            }
            else if (line.equals("-----END " + label + "-----"))
            {
                try
                {
                    blocks.add(new Block(label, Base64.getMimeDecoder().decode(base64.toString())));
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new IllegalArgumentException("bad base64 in PEM block " + label + " of " + file, ex);
                }
                label = null;
            }
            else if (line.indexOf(':') < 0)
            {
                base64.append(line);
            }
        }
        return blocks;
    }

    private record Block(String label, byte[] der)
    {
    }
}
