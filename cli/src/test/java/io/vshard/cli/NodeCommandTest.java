package io.vshard.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class NodeCommandTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(90)
    void shouldServeThenDrainAndStopOnSigterm() throws Exception
    {
        final Process node = new ProcessBuilder(
            ProcessHandle.current().info().command().orElse("java"),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"),
            VShardCli.class.getName(), "node", "--dev", "--dev-ca-dir", dir.resolve("dev-ca").toString(),
            "--dir", dir.toString(), "--bind", "127.0.0.1:0",
            "--lanes", "TimeseriesScan;*", "--ts-points", "100")
            .redirectErrorStream(true)
            .start();
        final List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(
            new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            String address = null;
            while (null != (line = out.readLine()))
            {
                lines.add(line);
                if (line.startsWith("vshard node 1 listening on "))
                {
                    address = line.substring("vshard node 1 listening on ".length()).split(" ")[0];
                    break;
                }
            }
            assertThat(address).as(String.join("\n", lines)).isNotNull();
            assertThat(lines).anyMatch((l) -> l.contains("lane 0: targets=TimeseriesScan"));
            assertThat(lines).anyMatch((l) -> l.contains("DEVELOPMENT MODE"));
            assertThat(Files.exists(dir.resolve("counters.dat"))).isTrue();

            final Cli.Result load = Cli.run("load", "--dev", "--dev-ca-dir", dir.resolve("dev-ca").toString(),
                "--connect", address.replace("/", ""), "--count", "2000", "--quiet");
            assertThat(load.exitCode()).as(load.out()).isZero();
            assertThat(load.out()).contains("answered 2,000");

            node.toHandle().destroy();
            while (null != (line = out.readLine()))
            {
                lines.add(line);
            }
        }
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(lines).contains("vshard node: draining and stopping", "vshard node: stopped");
    }
}
