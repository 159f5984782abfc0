package io.vshard.cli;

import io.vshard.examples.EchoEngine;
import io.vshard.node.NodeContext;
import io.vshard.node.VShardNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ctrl-C (SIGINT) or SIGTERM during {@code load} or {@code demo}: the partial summary is printed and written, and
 * the demo's temporary directory goes, as on every other exit path.
 */
class InterruptTest
{
    private static final Pattern PROGRESS = Pattern.compile("^\\s+\\d+\\.\\d s {2}sent ");
    private static final Pattern DEMO_DIR = Pattern.compile("throwaway CA in (\\S+)/ca");

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldReportTheDemoAndRemoveItsDirectoryOnSigint() throws Exception
    {
        final Path tmp = Files.createDirectories(dir.resolve("tmp"));
        final Path json = dir.resolve("summary.json");
        final Path hgrm = dir.resolve("latency.hgrm");
        final Process demo = cli("-Djava.io.tmpdir=" + tmp, "demo", "--seconds", "60", "--rate", "2000",
            "--json", json.toString(), "--hgrm", hgrm.toString());

        final List<String> lines = runUntilProgressThen(demo, "INT");

        final String out = String.join("\n", lines);
        assertThat(demo.exitValue()).as(out).isNotZero();
        assertThat(out).contains("summary (interrupted, partial)", "demo: interrupted");
        assertThat(Files.readString(json)).contains("\"interrupted\" : true");
        assertThat(Files.readString(hgrm)).contains("Percentile");
        final Matcher root = DEMO_DIR.matcher(out);
        assertThat(root.find()).as(out).isTrue();
        assertThat(root.group(1)).startsWith(tmp.toString());
        assertThat(Path.of(root.group(1))).doesNotExist();
    }

    @Test
    @Timeout(120)
    void shouldReportTheLoadOnSigterm() throws Exception
    {
        final NodeContext ctx = new NodeContext().dir(dir.resolve("node").toFile());
        ctx.transport().bind("127.0.0.1:0").dev(true).devCaDir(dir.resolve("ca"));
        new EchoEngine().registerForAllTargets(ctx.pipeline());
        try (VShardNode node = VShardNode.launch(ctx))
        {
            final Path json = dir.resolve("load.json");
            final Path hgrm = dir.resolve("load.hgrm");
            final Process load = cli("load", "--dev", "--dev-ca-dir", dir.resolve("ca").toString(),
                "--connect", "127.0.0.1:" + node.localAddress().getPort(), "--seconds", "60", "--rate", "2000",
                "--json", json.toString(), "--hgrm", hgrm.toString());

            final List<String> lines = runUntilProgressThen(load, "TERM");

            final String out = String.join("\n", lines);
            assertThat(out).contains("summary (interrupted, partial)", "latency (us)");
            assertThat(Files.readString(json)).contains("\"interrupted\" : true", "\"sent\"");
            assertThat(Files.readString(hgrm)).contains("Percentile");
        }
    }

    @Test
    @Timeout(120)
    void shouldRemoveTheDemoDirectoryWhenItEndsAndWhenItFails() throws IOException
    {
        final Cli.Result ok = Cli.run("demo", "--count", "100", "--quiet");
        assertThat(ok.exitCode()).as(ok.out()).isZero();
        assertThat(demoDir(ok.out())).doesNotExist();

        final Cli.Result failed = Cli.run("demo", "--count", "100", "--quiet", "--lanes", "NoSuchTarget;*");
        assertThat(failed.exitCode()).as(failed.out()).isEqualTo(VShardCli.EXIT_FAILED);
        assertThat(demoDir(failed.out())).doesNotExist();
    }

    private static Path demoDir(final String out)
    {
        final Matcher root = DEMO_DIR.matcher(out);
        assertThat(root.find()).as(out).isTrue();
        return Path.of(root.group(1));
    }

    private static Process cli(final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            ProcessHandle.current().info().command().orElse("java"),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path")));
        int i = 0;
        while (args[i].startsWith("-D"))
        {
            command.add(args[i++]);
        }
        command.add(VShardCli.class.getName());
        command.addAll(List.of(args).subList(i, args.length));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static List<String> runUntilProgressThen(final Process process, final String signal) throws Exception
    {
        final List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            boolean signalled = false;
            while (null != (line = out.readLine()))
            {
                lines.add(line);
                if (!signalled && PROGRESS.matcher(line).find())
                {
                    signalled = true;
                    final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                        .inheritIO().start();
                    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
                }
            }
            assertThat(signalled).as(String.join("\n", lines)).isTrue();
        }
        finally
        {
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
            }
        }
        return lines;
    }
}
