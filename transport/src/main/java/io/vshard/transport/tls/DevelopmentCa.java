package io.vshard.transport.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

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

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

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
     * user that neither group nor others may write. On a file system without POSIX attributes the check is skipped.
     *
     * @param dir the directory.
     * @throws IllegalStateException when the directory is unsafe.
     */
    public static void ensurePrivateDirectory(final Path dir)
    {
        final boolean posix = isPosix(dir);
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS))
        {
            try
            {
                if (null != dir.getParent())
                {
                    Files.createDirectories(dir.getParent());
                }
                if (posix)
                {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                }
                else
                {
                    Files.createDirectory(dir);
                }
            }
            catch (final FileAlreadyExistsException raced)
            {
                // another process created it meanwhile: checked below like any existing directory
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot create development CA directory " + dir, ex);
            }
        }
        if (!posix)
        {
            return;
        }
        final PosixFileAttributes attributes;
        try
        {
            attributes = Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read development CA directory " + dir, ex);
        }
        final String user = System.getProperty("user.name");
        if (!attributes.isDirectory())
        {
            throw new IllegalStateException("development CA directory is not a directory (or is a link): " + dir);
        }
        if (!attributes.owner().getName().equals(user))
        {
            throw new IllegalStateException("refusing development CA directory " + dir + ": owned by " +
                attributes.owner().getName() + ", not by " + user + "; anyone who can write it can plant a CA");
        }
        final Set<PosixFilePermission> permissions = attributes.permissions();
        if (permissions.contains(PosixFilePermission.GROUP_WRITE) ||
            permissions.contains(PosixFilePermission.OTHERS_WRITE))
        {
            throw new IllegalStateException("refusing development CA directory " + dir + ": writable by others (" +
                PosixFilePermissions.toString(permissions) + "); anyone who can write it can plant a CA. Run " +
                "chmod go-w on it, or choose another with vshard.transport.dev.ca.dir");
        }
    }

    private static boolean isPosix(final Path dir)
    {
        Path path = dir.toAbsolutePath();
        while (!Files.exists(path) && null != path.getParent())
        {
            path = path.getParent();
        }
        try
        {
            return Files.getFileStore(path).supportsFileAttributeView("posix");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot inspect development CA directory " + dir, ex);
        }
    }
}
