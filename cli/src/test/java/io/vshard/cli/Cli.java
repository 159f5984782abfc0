package io.vshard.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * Runs the real {@code vshard} command line in-process and captures what it prints.
 */
final class Cli
{
    /**
     * What a run printed.
     *
     * @param exitCode the exit status.
     * @param out      everything printed (System.out, then picocli's out and err).
     * @param err      what went to picocli's err only.
     */
    record Result(int exitCode, String out, String err)
    {
    }

    private Cli()
    {
    }

    static synchronized Result run(final String... args)
    {
        final PrintStream original = System.out;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final StringWriter writer = new StringWriter();
        final StringWriter err = new StringWriter();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try
        {
            final int exitCode = VShardCli.commandLine()
                .setOut(new PrintWriter(writer, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
            final String out = bytes.toString(StandardCharsets.UTF_8) + writer + err;
            original.print(out);
            return new Result(exitCode, out, err.toString());
        }
        finally
        {
            System.setOut(original);
        }
    }
}
