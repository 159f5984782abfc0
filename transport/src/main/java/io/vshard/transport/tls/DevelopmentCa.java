package io.vshard.transport.tls;

import io.vshard.core.status.PrivateDirectory;

import java.nio.file.Path;

/**
 * The development CA: one per user and machine, in a directory every dev-mode node and client shares (whatever
 * their own directories), so nodes started apart still trust each other. Because whoever can write that directory
 * can plant a CA, it must belong to the current user and be writable by no one else; it is created owner-only
 * ({@code rwx------}) when missing. Generating the CA and node certificates needs BouncyCastle
 * ({@code org.bouncycastle:bcpkix-jdk18on}). Control plane; any thread.
 */
public final class DevelopmentCa
{
    /** Default directory: {@code $TMPDIR/vshard-dev-ca-$USER}. */
    public static final String DIR_DEFAULT = Path.of(System.getProperty("java.io.tmpdir"),
        "vshard-dev-ca-" + System.getProperty("user.name", "default")).toString();

    private DevelopmentCa()
    {
    }

    /**
     * Issue a node certificate from the development CA of a cluster, kept in {@code dir/<cluster>}; the CA is
     * created on first use.
     *
     * @param dir     the development CA directory, created owner-only when missing.
     * @param cluster the cluster name.
     * @param nodeId  the node id.
     * @return the node certificate, its key and the CA certificate.
     * @throws IllegalStateException when a directory belongs to another user or others may write it, or when
     *                               BouncyCastle is not on the class path.
     */
    public static NodeCertificate issue(final Path dir, final String cluster, final long nodeId)
    {
        CertificateAuthority.ensureGenerationAvailable();
        final Path clusterDir = dir.resolve(cluster);
        ensurePrivateDirectory(dir);
        ensurePrivateDirectory(clusterDir);
        return CertificateAuthority.loadOrCreate(clusterDir, cluster).issue(nodeId);
    }

    /**
     * Create a directory owner-only when missing, else check that it is a directory (not a link) of the current
     * user that neither group nor others may write ({@link PrivateDirectory#ensure}). On a file system without POSIX
     * attributes the check is skipped.
     *
     * @param dir the directory.
     * @throws IllegalStateException when the directory is unsafe.
     */
    public static void ensurePrivateDirectory(final Path dir)
    {
        PrivateDirectory.ensure(dir, "development CA directory", "anyone who can write it can plant a CA",
            "choose another with vshard.transport.dev.ca.dir");
    }
}
