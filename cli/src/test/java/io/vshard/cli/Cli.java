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
    record Result(int exitCode, String out)
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
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try
        {
            final int exitCode = VShardCli.commandLine()
                .setOut(new PrintWriter(writer, true))
                .setErr(new PrintWriter(writer, true))
                .execute(args);
            final String out = bytes.toString(StandardCharsets.UTF_8) + writer;
            original.print(out);
            return new Result(exitCode, out);
        }
        finally
        {
            System.setOut(original);
        }
    }
}
