package io.vshard.scripts;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of this module's scripts in a child process, with exactly the environment given and a time limit, and keeps
 * what it printed.
 *
 * @param exitCode the script's exit status.
 * @param stdout   what it wrote to standard output.
 * @param stderr   what it wrote to standard error.
 */
record ScriptRun(int exitCode, String stdout, String stderr)
{
    /** The module directory: the working directory Surefire gives the tests, and where the scripts live. */
    static final Path MODULE_DIR = Path.of("").toAbsolutePath();

    private static final long TIMEOUT_SECONDS = 30;

    /**
     * Runs {@code MODULE_DIR/script} directly, as a user would, so its shebang and execute bit are part of the test.
     *
     * @param script  path of the script relative to the module directory.
     * @param workDir working directory of the script; its output is captured in files here.
     * @param env     the whole environment of the script.
     * @param args    the script's arguments.
     * @return the finished run.
     */
    static ScriptRun run(final String script, final Path workDir, final Map<String, String> env, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(MODULE_DIR.resolve(script).toString());
        command.addAll(Arrays.asList(args));
        return exec(command, workDir, env);
    }

    /**
     * Runs any command with exactly the environment given.
     *
     * @param command the command and its arguments.
     * @param workDir working directory; its output is captured in files here.
     * @param env     the whole environment of the command.
     * @return the finished run.
     */
    static ScriptRun exec(final List<String> command, final Path workDir, final Map<String, String> env)
    {
        try
        {
            final Path stdout = Files.createTempFile(workDir, "stdout-", ".txt");
            final Path stderr = Files.createTempFile(workDir, "stderr-", ".txt");
            final ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
            builder.environment().clear();
            builder.environment().putAll(env);

            final Process process = builder.start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                throw new AssertionError("timed out after " + TIMEOUT_SECONDS + " s: " + command);
            }
            return new ScriptRun(
                process.exitValue(),
                Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot run " + command, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, ex);
        }
    }

    @Override
    public String toString()
    {
        return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
}
