package io.vshard.transport.tls;

import io.vshard.transport.ServerContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A node whose private key does not belong to its certificate refuses to start with a message naming both files,
 * instead of starting and failing every handshake.
 */
class KeyMismatchTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRefuseAKeyThatDoesNotBelongToTheCertificate() throws Exception
    {
        final CertificateAuthority ca = CertificateAuthority.create("test", Duration.ofDays(1));
        final Path one = ca.issue(1).write(dir.resolve("one"));
        final Path two = ca.issue(2).write(dir.resolve("two"));
        final Path wrongKey = dir.resolve("one").resolve("node-1.key");
        Files.copy(two.resolveSibling("node-2.key"), wrongKey, StandardCopyOption.REPLACE_EXISTING);

        final ServerContext ctx = new ServerContext().bind("127.0.0.1:0").cluster("test").nodeId(1)
            .tlsCertFile(one).tlsKeyFile(wrongKey).tlsCaFile(one.resolveSibling(CertificateAuthority.CA_CERT_FILE));
        assertThatThrownBy(ctx::conclude).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("does not belong to certificate").hasMessageContaining("node-1.key")
            .hasMessageContaining("node-1.pem");
    }

    @Test
    void shouldLoadAMatchingPair()
    {
        final CertificateAuthority ca = CertificateAuthority.create("test", Duration.ofDays(1));
        final Path cert = ca.issue(1).write(dir);
        final NodeCertificate loaded = NodeCertificate.load(cert, dir.resolve("node-1.key"),
            dir.resolve(CertificateAuthority.CA_CERT_FILE));
        assertThat(NodeCertificate.keyMatches(loaded.key(), loaded.certificate())).isTrue();
    }
}
