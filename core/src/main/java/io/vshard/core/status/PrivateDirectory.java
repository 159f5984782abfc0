package io.vshard.core.status;

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
 * A directory whose contents the process trusts, so no one else may change them: the node's counters directory (a
 * file another user could swap would be mapped, or a link followed, with this node's rights) and the development
 * CA directory (a CA planted there would be trusted). Created owner-only ({@code rwx------}) when missing; an
 * existing one must be a directory, not a link, of the current user that neither group nor others may write.
 * Control plane; any thread.
 */
public final class PrivateDirectory
{
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private PrivateDirectory()
    {
    }

    /**
     * Create a directory owner-only when missing (its parents as the umask has it), else check that it is a
     * directory (not a link) of the current user that neither group nor others may write. On a file system without
     * POSIX attributes the check is skipped.
     *
     * @param dir    the directory.
     * @param what   what it is, for messages ("counters directory").
     * @param risk   what another user who could write it could do, for messages.
     * @param remedy how to choose another one, for messages ("choose another with --dir").
     * @throws IllegalStateException when the directory is unsafe, naming it and what is wrong.
     * @throws UncheckedIOException  when it cannot be created or read.
     */
    public static void ensure(final Path dir, final String what, final String risk, final String remedy)
    {
        final boolean posix = isPosix(dir, what);
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
                throw new UncheckedIOException("cannot create " + what + " " + dir, ex);
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
            throw new UncheckedIOException("cannot read " + what + " " + dir, ex);
        }
        final String user = System.getProperty("user.name");
        if (!attributes.isDirectory())
        {
            throw new IllegalStateException(what + " is not a directory (or is a link): " + dir);
        }
        if (!attributes.owner().getName().equals(user))
        {
            throw new IllegalStateException("refusing " + what + " " + dir + ": owned by " +
                attributes.owner().getName() + ", not by " + user + "; " + risk);
        }
        final Set<PosixFilePermission> permissions = attributes.permissions();
        if (permissions.contains(PosixFilePermission.GROUP_WRITE) ||
            permissions.contains(PosixFilePermission.OTHERS_WRITE))
        {
            throw new IllegalStateException("refusing " + what + " " + dir + ": writable by others (" +
                PosixFilePermissions.toString(permissions) + "); " + risk + ". Run chmod go-w on it, or " + remedy);
        }
    }

    private static boolean isPosix(final Path dir, final String what)
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
            throw new UncheckedIOException("cannot inspect " + what + " " + dir, ex);
        }
    }
}
