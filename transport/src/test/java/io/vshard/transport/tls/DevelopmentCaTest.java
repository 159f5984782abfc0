package io.vshard.transport.tls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DevelopmentCaTest
{
    @TempDir
    Path dir;

    @Test
    void shouldCreateTheCaDirectoriesOwnerOnlyAndTheKeysOwnerReadable() throws Exception
    {
        final Path caDir = dir.resolve("dev-ca");
        final NodeCertificate first = DevelopmentCa.issue(caDir, "dev", 1);
        final NodeCertificate second = DevelopmentCa.issue(caDir, "dev", 2);

        assertThat(first.ca()).isEqualTo(second.ca());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(caDir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(caDir.resolve("dev"))))
            .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
            caDir.resolve("dev").resolve(CertificateAuthority.CA_KEY_FILE)))).isEqualTo("rw-------");
    }

    @Test
    void shouldRefuseACaDirectoryOthersMayWrite() throws Exception
    {
        final Path caDir = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(caDir, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> DevelopmentCa.issue(caDir, "dev", 1))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("refusing development CA directory " + caDir)
            .hasMessageContaining("writable by others (rwxrwxrwx)");
        assertThat(caDir.resolve("dev")).doesNotExist();
    }

    @Test
    void shouldRefuseAClusterDirectoryTheGroupMayWrite() throws Exception
    {
        final Path caDir = dir.resolve("dev-ca");
        DevelopmentCa.issue(caDir, "dev", 1);
        Files.setPosixFilePermissions(caDir.resolve("dev"), PosixFilePermissions.fromString("rwxrwx---"));

        assertThatThrownBy(() -> DevelopmentCa.issue(caDir, "dev", 2))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("writable by others (rwxrwx---)");
    }

    @Test
    void shouldRefuseALinkInPlaceOfTheCaDirectory() throws Exception
    {
        final Path target = Files.createDirectory(dir.resolve("elsewhere"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        final Path link = Files.createSymbolicLink(dir.resolve("link"), target);

        assertThatThrownBy(() -> DevelopmentCa.ensurePrivateDirectory(link))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("not a directory (or is a link)");
    }

    @Test
    void shouldWriteNodeKeysOwnerReadableOnly() throws Exception
    {
        final CertificateAuthority ca = CertificateAuthority.create("keys", java.time.Duration.ofDays(1));
        final Path out = dir.resolve("out");
        ca.issue(4).write(out);
        // Written again over an existing key: replaced, still owner-only.
        ca.issue(4).write(out);
        ca.write(out.resolve("ca"));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("node-4.key"))))
            .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
            out.resolve("ca").resolve(CertificateAuthority.CA_KEY_FILE)))).isEqualTo("rw-------");
    }
}
