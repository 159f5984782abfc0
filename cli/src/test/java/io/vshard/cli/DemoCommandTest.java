package io.vshard.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class DemoCommandTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldRunTheDemoWithNothingLost()
    {
        final Cli.Result result = Cli.run("demo", "--seconds", "2", "--dir", dir.toString(), "--quiet");

        assertThat(result.exitCode()).as(result.out()).isZero();
        final Matcher counts = Pattern.compile("sent ([\\d,]+)\\s+answered ([\\d,]+)").matcher(result.out());
        assertThat(counts.find()).as(result.out()).isTrue();
        final long sent = Long.parseLong(counts.group(1).replace(",", ""));
        assertThat(sent).isPositive();
        assertThat(Long.parseLong(counts.group(2).replace(",", ""))).isEqualTo(sent);
        assertThat(result.out())
            .contains("result: nothing lost")
            .contains("matches the aggregate computed directly over all the data")
            .contains("demo: OK, nothing lost")
            .contains("latency (us)");
    }

    @Test
    @Timeout(120)
    void shouldRunFireAndForgetAcrossThreeNodes()
    {
        final Cli.Result result = Cli.run("demo", "--nodes", "3", "--count", "20000", "--fire-and-forget",
            "--dir", dir.toString(), "--quiet");

        assertThat(result.exitCode()).as(result.out()).isZero();
        assertThat(result.out())
            .containsPattern("node 1 handled ([\\d,]+) of \\1 envelopes sent")
            .contains("over 3 node(s)")
            .contains("matches the aggregate computed directly over all the data");
    }
}
