package io.vshard.transport.tls;

import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;

/**
 * Reads legacy OpenSSL key blocks ({@code EC PRIVATE KEY}, {@code RSA PRIVATE KEY}) with BouncyCastle; reached only
 * from {@link Pem} after it checked that BouncyCastle is on the class path. Control plane; any thread.
 */
final class LegacyPem
{
    private LegacyPem()
    {
    }

    static PrivateKey readPrivateKey(final Path file)
    {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(in))
        {
            final JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object item = parser.readObject(); null != item; item = parser.readObject())
            {
                if (item instanceof PEMKeyPair pair)
                {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
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
