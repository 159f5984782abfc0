package io.vshard.transport.tls;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.Writer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The transport's TLS classes loaded by a class loader that hides BouncyCastle, as for an embedder who did not add
 * the optional dependency: reading PEM material works, generation fails with one message naming the dependency.
 */
class WithoutBouncyCastleTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReadCertificatesAndPkcs8KeysWithTheJdkAlone() throws Exception
    {
        final CertificateAuthority ca = CertificateAuthority.create("nobc", Duration.ofDays(1));
        final NodeCertificate written = ca.issue(3);
        final Path certFile = written.write(dir);
        ca.write(dir.resolve("ca"));

        try (URLClassLoader loader = new HidingLoader())
        {
            assertThatThrownBy(() -> Class.forName("org.bouncycastle.cert.X509v3CertificateBuilder", true, loader))
                .isInstanceOf(ClassNotFoundException.class);
            final Class<?> nodeCertificate = Class.forName(NodeCertificate.class.getName(), true, loader);
            assertThat(nodeCertificate).isNotSameAs(NodeCertificate.class);
            final Object loaded = nodeCertificate.getMethod("load", Path.class, Path.class, Path.class)
                .invoke(null, certFile, dir.resolve("node-3.key"), dir.resolve("ca.pem"));
            assertThat(((PrivateKey)nodeCertificate.getMethod("key").invoke(loaded)).getEncoded())
                .isEqualTo(written.key().getEncoded());
            assertThat(nodeCertificate.getMethod("certificate").invoke(loaded)).isEqualTo(written.certificate());
            assertThat(nodeCertificate.getMethod("ca").invoke(loaded)).isEqualTo(ca.certificate());

            final Class<?> authority = Class.forName(CertificateAuthority.class.getName(), true, loader);
            final Object loadedCa = authority.getMethod("load", Path.class, String.class)
                .invoke(null, dir.resolve("ca"), "nobc");
            assertThat(authority.getMethod("certificate").invoke(loadedCa)).isEqualTo(ca.certificate());
        }
    }

    @Test
    void shouldRefuseToGenerateWithAMessageNamingTheDependency() throws Exception
    {
        try (URLClassLoader loader = new HidingLoader())
        {
            final Class<?> authority = Class.forName(CertificateAuthority.class.getName(), true, loader);
            assertThat(cause(authority.getMethod("create", String.class, Duration.class), "nobc", Duration.ofDays(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("needs BouncyCastle: add org.bouncycastle:bcpkix-jdk18on");
            final Class<?> dev = Class.forName(DevelopmentCa.class.getName(), true, loader);
            assertThat(cause(dev.getMethod("issue", Path.class, String.class, long.class), dir, "nobc", 1L))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("org.bouncycastle:bcpkix-jdk18on");
        }
        assertThat(dir.resolve("nobc")).doesNotExist();
    }

    @Test
    void shouldReadLegacyKeysThroughBouncyCastleOnlyWhenPresent() throws Exception
    {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        final KeyPair pair = generator.generateKeyPair();
        final Path keyFile = dir.resolve("legacy.key");
        try (Writer out = Files.newBufferedWriter(keyFile, StandardCharsets.US_ASCII);
            JcaPEMWriter pem = new JcaPEMWriter(out))
        {
            pem.writeObject(pair);
        }
        assertThat(Files.readString(keyFile)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(Pem.readPrivateKey(keyFile).getEncoded()).isEqualTo(pair.getPrivate().getEncoded());

        try (URLClassLoader loader = new HidingLoader())
        {
            final Class<?> pem = Class.forName(Pem.class.getName(), true, loader);
            final Method read = pem.getDeclaredMethod("readPrivateKey", Path.class);
            read.setAccessible(true);
            assertThat(cause(read, keyFile))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("legacy key format")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        }
    }

    private static Throwable cause(final Method method, final Object... arguments) throws IllegalAccessException
    {
        try
        {
            method.invoke(null, arguments);
        }
        catch (final InvocationTargetException ex)
        {
            return ex.getCause();
        }
        throw new AssertionError(method.getName() + " did not throw");
    }

    /** The transport's main classes, BouncyCastle hidden, everything else from the JDK. */
    private static final class HidingLoader extends URLClassLoader
    {
        HidingLoader()
        {
            super(new URL[]{ CertificateAuthority.class.getProtectionDomain().getCodeSource().getLocation() },
                ClassLoader.getPlatformClassLoader());
        }

        protected Class<?> loadClass(final String name, final boolean resolve) throws ClassNotFoundException
        {
            if (name.startsWith("org.bouncycastle."))
            {
                throw new ClassNotFoundException("hidden: " + name);
            }
            return super.loadClass(name, resolve);
        }
    }
}
