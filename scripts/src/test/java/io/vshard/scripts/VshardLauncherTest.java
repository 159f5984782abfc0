package io.vshard.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/vshard}: the latency-tuned JVM only for node, load and demo; the tools start small.
 */
class VshardLauncherTest
{
    private static final List<String> ADD_OPENS = List.of(
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED");

    @TempDir
    Path dir;

    private Path java;
    private Path jar;

    @BeforeEach
    void setUp() throws IOException
    {
        jar = dir.resolve("vshard.jar");
        Files.write(jar, new byte[0]);
        java = dir.resolve("java");
        Files.writeString(java, """
            #!/usr/bin/env bash
            printf '%s\\n' "$@"
            """, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void shouldGiveTheServingCommandsTheLatencyTunedJvm()
    {
        for (final String command : List.of("node", "load", "demo"))
        {
            final List<String> args = launch("--verbose", command, "--dev");

            assertThat(args).as(command)
                .startsWith("-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "-XX:+UseG1GC")
                .containsSequence(ADD_OPENS)
                .endsWith("-jar", jar.toString(), "--verbose", command, "--dev");
        }
    }

    @Test
    void shouldStartTheToolsSmallWithoutPreTouch()
    {
        for (final List<String> command : List.of(List.of("--help"), List.of("decode", "0200"),
            List.of("stat", "--dir", "/tmp/x"), List.of("certs", "--help"), List.<String>of()))
        {
            final List<String> args = launch(command.toArray(String[]::new));

            assertThat(args).as(command.toString())
                .doesNotContain("-XX:+AlwaysPreTouch", "-Xms1g", "-Xmx1g")
                .noneMatch((arg) -> arg.startsWith("-Xms"))
                .containsSequence(ADD_OPENS);
            assertThat(args.subList(args.indexOf("-jar"), args.size()))
                .containsExactlyElementsOf(concat(List.of("-jar", jar.toString()), command));
        }
    }

    @Test
    void shouldTakeTheHeapFromTheEnvironmentForTheServingCommands()
    {
        final ScriptRun run = ScriptRun.run("vshard", dir,
            Map.of("PATH", "/usr/bin:/bin", "JAVA", java.toString(), "VSHARD_JAR", jar.toString(),
                "VSHARD_HEAP", "4g"), "node");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout().lines().toList()).startsWith("-Xms4g", "-Xmx4g");
    }

    private List<String> launch(final String... args)
    {
        final ScriptRun run = ScriptRun.run("vshard", dir,
            Map.of("PATH", "/usr/bin:/bin", "JAVA", java.toString(), "VSHARD_JAR", jar.toString()), args);
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return run.stdout().lines().toList();
    }

    private static List<String> concat(final List<String> first, final List<String> second)
    {
        final List<String> all = new java.util.ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
