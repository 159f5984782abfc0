package io.vshard.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellcheckTest
{
    @TempDir
    Path dir;

    @Test
    void shouldFindNothingToReportInAnyScript() throws IOException
    {
        final Optional<Path> shellcheck = onPath("shellcheck");
        if (shellcheck.isEmpty())
        {
            if ("true".equals(System.getenv("CI")))
            {
                fail("shellcheck is not installed; CI must install it (apt-get install -y shellcheck)");
            }
            Assumptions.abort("shellcheck is not installed (apt-get install -y shellcheck); scripts not checked");
        }
        final List<String> scripts = scripts();
        assertThat(scripts).contains("tune-host.sh", "run-node.sh", "lib/host.sh");

        final List<String> command = new ArrayList<>(List.of(
            shellcheck.get().toString(), "--external-sources", "--severity=style", "--format=gcc"));
        scripts.forEach(script -> command.add(ScriptRun.MODULE_DIR.resolve(script).toString()));
        final ScriptRun run = ScriptRun.exec(command, dir, Map.of("PATH", System.getenv("PATH")));

        assertThat(run.exitCode()).as("shellcheck says:\n%s", run.stdout() + run.stderr()).isZero();
        assertThat(run.stdout()).isEmpty();
    }

    /** Every *.sh of the module, relative to it, outside the build output and the Java sources. */
    private static List<String> scripts() throws IOException
    {
        final Path module = ScriptRun.MODULE_DIR;
        try (Stream<Path> paths = Files.walk(module))
        {
            return paths
                .filter(path -> path.getFileName().toString().endsWith(".sh") && Files.isRegularFile(path))
                .map(path -> module.relativize(path).toString())
                .filter(path -> !path.startsWith("target/") && !path.startsWith("src/"))
                .sorted()
                .toList();
        }
    }

    private static Optional<Path> onPath(final String command)
    {
        for (final String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        {
            final Path candidate = Path.of(entry.isEmpty() ? "." : entry, command);
            if (Files.isExecutable(candidate))
            {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
