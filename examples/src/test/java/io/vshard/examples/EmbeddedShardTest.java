package io.vshard.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedding example runs, answers and exits 0, and the README shows exactly its code.
 */
class EmbeddedShardTest
{
    private static final Path SOURCE = Path.of("src/main/java/io/vshard/examples/EmbeddedShard.java");
    private static final Path README = Path.of("../README.md");
    private static final String SECTION = "## Embedding a node";

    @Test
    void shouldShowTheExampleFileInTheReadme() throws IOException
    {
        final String readme = Files.readString(README);
        final int section = readme.indexOf(SECTION);
        assertThat(section).as("README section " + SECTION).isNotNegative();
        final int start = readme.indexOf("```java\n", section);
        final int end = readme.indexOf("\n```", start);
        assertThat(start).isPositive();
        final String shown = readme.substring(start + "```java\n".length(), end + 1);

        assertThat(shown).isEqualTo(Files.readString(SOURCE));
    }

    @Test
    @Timeout(60)
    void shouldAnswerEveryRequest() throws Exception
    {
        final PrintStream original = System.out;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try
        {
            EmbeddedShard.main(new String[0]);
        }
        finally
        {
            System.setOut(original);
        }
        final String out = bytes.toString(StandardCharsets.UTF_8);
        original.print(out);

        assertThat(out).contains(
            "VectorScatterRequest -> RESPONSE VectorScatterResponse",
            "CrossShardEvent -> ACK",
            "TsScatterRequest -> ERROR HANDLER_FAILED");
    }

    @Test
    @Timeout(90)
    void shouldExitZeroInAJvmOfItsOwn() throws Exception
    {
        final Process shard = new ProcessBuilder(List.of(
            ProcessHandle.current().info().command().orElse("java"),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"),
            EmbeddedShard.class.getName()))
            .redirectErrorStream(true)
            .start();
        final String out = new String(shard.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(shard.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(shard.exitValue()).as(out).isZero();
        assertThat(out).contains("shard 7 listening on /127.0.0.1:", "TsScatterRequest -> ERROR HANDLER_FAILED");
    }
}
