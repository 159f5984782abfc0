package io.vshard.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunNodeTest
{
    private static final String LANES = "TimeseriesScan,TimeseriesRetention@2;VectorSearch@3;*";
    private static final List<String> ADD_OPENS = List.of(
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED");

    @TempDir
    Path dir;

    private FakeHost host;
    private Path jar;

    @BeforeEach
    void setUp() throws IOException
    {
        host = FakeHost.untuned(dir.resolve("host"));
        jar = dir.resolve("opt/vshard.jar");
        Files.createDirectories(jar.getParent());
        Files.write(jar, new byte[0]);
    }

    @Test
    void shouldPrintTheWholeCommandLineOnDryRun() throws IOException
    {
        final Path jdk = fakeJdk("17.0.15");

        final ScriptRun run = runNode(jdk, "--dry-run", "--cpus", "2-3", "--heap", "4g", "--", "--lanes", LANES);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        final List<String> expected = new ArrayList<>(List.of(
            "taskset", "-c", "0-1",
            jdk + "/bin/java",
            "-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch", "-XX:+UseTransparentHugePages", "-XX:+UseZGC",
            "-XX:-UseBiasedLocking",
            "-Xlog:safepoint=info:file=" + host.work() + "/logs/safepoint.log:time,uptime,level,tags:" +
                "filecount=5,filesize=20m"));
        expected.addAll(ADD_OPENS);
        expected.addAll(List.of("-jar", jar.toString(), "node", "--lanes", LANES));
        assertThat(run.stdout()).isEqualTo(String.join(" ", expected).replace(LANES, "'" + LANES + "'") + "\n");
        assertThat(words(run.stdout())).as("the printed line is valid shell").isEqualTo(expected);
        assertThat(host.work().resolve("logs")).as("dry run creates nothing").doesNotExist();
        assertThat(host.calls()).isEmpty();
    }

    @Test
    void shouldLeaveOutBiasedLockingWhereTheJdkNoLongerHasIt() throws IOException
    {
        final ScriptRun run = runNode(fakeJdk("21.0.2"), "--dry-run", "--cpus", "2-3");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout()).doesNotContain("UseBiasedLocking").contains(String.join(" ", ADD_OPENS));
    }

    @Test
    void shouldTakeTheLaneCpusFromTheNodeLanesWhenCpusIsNotGiven() throws IOException
    {
        final ScriptRun run = runNode(fakeJdk("17"), "--dry-run", "--", "--lanes=Graph@1;Vector@3;*");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout()).startsWith("taskset -c 0,2 ").endsWith(" node '--lanes=Graph@1;Vector@3;*'\n");
    }

    @Test
    void shouldRefuseALaneCpuOutsideCpus() throws IOException
    {
        final ScriptRun run = runNode(fakeJdk("17"), "--dry-run", "--cpus", "2", "--", "--lanes", LANES);

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.stderr()).contains("--lanes pins a lane to CPU 3, which is not in --cpus 2");
        assertThat(run.stdout()).isEmpty();
    }

    @Test
    void shouldBindMemoryToTheLanesNodeAndKeepTheJvmThereOnANumaHost() throws IOException
    {
        host = FakeHost.untuned(dir.resolve("numa-host"), 8, 2);

        final ScriptRun run = runNode(fakeJdk("17"), "--dry-run", "--cpus", "6-7");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout()).startsWith("numactl --membind=1 taskset -c 4-5 ");
    }

    @Test
    void shouldNotPinAnythingWithoutLaneCpus() throws IOException
    {
        final Path jdk = fakeJdk("17");

        final ScriptRun run = runNode(jdk, "--dry-run", "--gc", "g1", "--jvm-opt", "-XX:+PerfDisableSharedMem");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout())
            .startsWith(jdk + "/bin/java -Xms2g -Xmx2g ")
            .contains(" -XX:+UseG1GC -XX:MaxGCPauseMillis=10 ")
            .contains("filesize=20m -XX:+PerfDisableSharedMem --add-opens ")
            .endsWith(" node\n");
    }

    @Test
    void shouldDefaultToTheJarBuiltInThisRepository() throws IOException
    {
        final Map<String, String> env = env(fakeJdk("17"));
        env.remove("VSHARD_JAR");

        final ScriptRun run = ScriptRun.run("run-node.sh", host.work(), env, "--dry-run");

        final Path built = ScriptRun.MODULE_DIR.getParent().resolve("cli/target/vshard.jar");
        assertThat(run.stdout()).contains(" -jar " + built + " node\n");
    }

    @Test
    void shouldRejectBadOptions() throws IOException
    {
        final Path jdk = fakeJdk("17");

        final ScriptRun gc = runNode(jdk, "--dry-run", "--gc", "cms");
        final ScriptRun heap = runNode(jdk, "--dry-run", "--heap", "lots");
        final ScriptRun stray = runNode(jdk, "--dry-run", "--lanes", LANES);
        final ScriptRun help = runNode(jdk, "-h");

        assertThat(gc.exitCode()).isEqualTo(2);
        assertThat(gc.stderr()).contains("--gc: unknown collector 'cms'");
        assertThat(heap.exitCode()).isEqualTo(2);
        assertThat(heap.stderr()).contains("--heap: not a size: 'lots'");
        assertThat(stray.exitCode()).isEqualTo(2);
        assertThat(stray.stderr()).contains("unknown argument: --lanes (node arguments go after --)");
        assertThat(help.exitCode()).isZero();
        assertThat(help.stdout()).startsWith("Usage: run-node.sh [options] [-- NODE_ARGS...]")
            .contains("--cpus LIST", "--heap SIZE", "--gc NAME", "--dry-run", "VSHARD_JAR");
    }

    @Test
    void shouldStartTheJvmThroughTasksetWithTheNodeArgumentsIntact() throws IOException
    {
        final Path jdk = fakeJdk("17");

        final ScriptRun run = runNode(jdk, "--cpus", "2-3", "--log-dir", "node-logs", "--", "--lanes", LANES);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stderr()).isEqualTo("run-node.sh: lanes on CPUs 2-3, other JVM threads on 0-1\n");
        assertThat(host.calls().lines()).hasSize(2);
        assertThat(host.calls()).startsWith("taskset -c 0-1 " + jdk + "/bin/java -Xms2g");
        assertThat(Files.readAllLines(host.work().resolve("java-args.txt")))
            .startsWith("-Xms2g", "-Xmx2g")
            .contains("-Xlog:safepoint=info:file=" + host.work() + "/node-logs/safepoint.log:time,uptime,level,tags:" +
                "filecount=5,filesize=20m")
            .endsWith("-jar", jar.toString(), "node", "--lanes", LANES);
        assertThat(host.work().resolve("node-logs")).isDirectory();
    }

    @Test
    void shouldRefuseToStartWithoutTheJar() throws IOException
    {
        Files.delete(jar);

        final ScriptRun run = runNode(fakeJdk("17"), "--cpus", "2-3");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.stderr()).contains("no node jar at " + jar, "VSHARD_JAR");
        assertThat(host.calls()).isEmpty();
    }

    private ScriptRun runNode(final Path jdk, final String... args)
    {
        return ScriptRun.run("run-node.sh", host.work(), env(jdk), args);
    }

    /** The fake host's environment, with the stand-in commands reachable only through TUNE_BIN. */
    private Map<String, String> env(final Path jdk)
    {
        final Map<String, String> env = new HashMap<>(host.env(1000));
        env.put("PATH", "/usr/bin:/bin");
        env.put("JAVA_HOME", jdk.toString());
        env.put("VSHARD_JAR", jar.toString());
        return env;
    }

    /** A JDK whose java records its arguments, one a line, in work/java-args.txt. */
    private Path fakeJdk(final String version) throws IOException
    {
        final Path jdk = dir.resolve("jdk-" + version);
        final Path java = jdk.resolve("bin/java");
        Files.createDirectories(java.getParent());
        Files.writeString(jdk.resolve("release"),
            "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n", StandardCharsets.UTF_8);
        Files.writeString(java, """
            #!/usr/bin/env bash
            printf 'java %s\\n' "$*" >>"$FAKE_CALLS"
            printf '%s\\n' "$@" >java-args.txt
            """, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return jdk;
    }

    /** Splits a printed command line the way bash would. */
    private List<String> words(final String line)
    {
        final ScriptRun run = ScriptRun.exec(
            List.of("bash", "-c", "eval \"set -- $1\"; printf '%s\\n' \"$@\"", "words", line),
            host.work(), Map.of("PATH", "/usr/bin:/bin"));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return run.stdout().lines().toList();
    }
}
