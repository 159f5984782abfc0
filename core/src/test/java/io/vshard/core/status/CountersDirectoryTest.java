package io.vshard.core.status;

import io.vshard.core.pipeline.Pipeline;
import io.vshard.core.pipeline.PipelineContext;
import io.vshard.core.pipeline.WaitStrategyKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The node's counters directory is trusted, so no one else may write it: one the node creates is owner-only; an
 * existing one must be the user's, not a link, and writable by neither group nor others, else the node refuses to
 * start, naming the directory and what is wrong, before it writes anything there.
 */
@Timeout(60)
class CountersDirectoryTest
{
    @TempDir
    Path dir;

    @Test
    void shouldCreateAMissingCountersDirectoryOwnerOnly() throws Exception
    {
        final Path nodeDir = dir.resolve("var").resolve("shard-7");
        try (CountersFile file = CountersFile.create(nodeDir.toFile(), 16))
        {
            assertThat(file.manager()).isNotNull();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nodeDir))).isEqualTo("rwx------");
        assertThat(nodeDir.resolve(CountersFileDescriptor.FILE_NAME)).isRegularFile();
    }

    @Test
    void shouldAcceptAnExistingDirectoryOthersMayReadButNotWrite() throws Exception
    {
        final Path nodeDir = Files.createDirectory(dir.resolve("shared-read"));
        Files.setPosixFilePermissions(nodeDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (CountersFile file = CountersFile.create(nodeDir.toFile(), 16))
        {
            assertThat(file.manager()).isNotNull();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nodeDir)))
            .as("an existing directory is left as it is").isEqualTo("rwxr-xr-x");
    }

    @Test
    void shouldRefuseACountersDirectoryTheGroupMayWrite() throws Exception
    {
        final Path nodeDir = Files.createDirectory(dir.resolve("group"));
        Files.setPosixFilePermissions(nodeDir, PosixFilePermissions.fromString("rwxrwxr-x"));

        assertThatThrownBy(() -> CountersFile.create(nodeDir.toFile(), 16))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("refusing counters directory " + nodeDir)
            .hasMessageContaining("writable by others (rwxrwxr-x)")
            .hasMessageContaining("--dir");
        assertThat(nodeDir.resolve(CountersFileDescriptor.FILE_NAME)).doesNotExist();
    }

    @Test
    void shouldRefuseToLaunchAPipelineOnADirectoryEveryoneMayWrite() throws Exception
    {
        final Path nodeDir = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(nodeDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        final PipelineContext ctx = new PipelineContext().dir(nodeDir.toFile()).waitStrategy(WaitStrategyKind.BLOCKING);

        assertThatThrownBy(() -> Pipeline.launch(ctx))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("refusing counters directory " + nodeDir)
            .hasMessageContaining("writable by others (rwxrwxrwx)");
        assertThat(nodeDir.resolve(CountersFileDescriptor.FILE_NAME)).doesNotExist();
    }

    @Test
    void shouldRefuseALinkInPlaceOfTheCountersDirectory() throws Exception
    {
        final Path target = Files.createDirectory(dir.resolve("elsewhere"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        final Path link = Files.createSymbolicLink(dir.resolve("link"), target);

        assertThatThrownBy(() -> CountersFile.create(link.toFile(), 16))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("counters directory is not a directory (or is a link): " + link);
        assertThat(target.resolve(CountersFileDescriptor.FILE_NAME)).doesNotExist();
    }
}
