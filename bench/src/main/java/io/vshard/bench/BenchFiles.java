package io.vshard.bench;

import java.io.File;
import java.nio.file.Path;

/**
 * Files the benchmarks leave behind: the directories of their pipelines, media drivers and nodes.
 */
public final class BenchFiles
{
    private BenchFiles()
    {
    }

    /**
     * Delete a directory and everything below it; what cannot be deleted now is deleted when the JVM exits.
     *
     * @param root the directory (or a file); nothing happens when it does not exist.
     */
    public static void deleteTree(final Path root)
    {
        deleteTree(root.toFile());
    }

    private static void deleteTree(final File file)
    {
        final File[] children = file.listFiles();
        if (null != children)
        {
            for (final File child : children)
            {
                deleteTree(child);
            }
        }
        if (!file.delete())
        {
            file.deleteOnExit();
        }
    }
}
