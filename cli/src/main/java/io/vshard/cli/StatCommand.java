package io.vshard.cli;

import io.vshard.core.status.CountersFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.PrintStream;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * {@code vshard stat}: read a running node's counters file from another process and print them per scope (pipeline,
 * lane, target, transport), the way AeronStat prints Aeron's counters.
 */
@Command(
    name = "stat",
    mixinStandardHelpOptions = true,
    description = "Print a running node's counters (per lane, per target, transport), read from its counters file.")
public final class StatCommand implements Callable<Integer>
{
    @Option(names = "--dir", required = true, description = "The node's --dir.")
    File dir;

    @Option(names = "--watch", description = "Refresh until interrupted.")
    boolean watch;

    @Option(names = "--interval-ms", defaultValue = "1000",
        description = "Refresh interval (default ${DEFAULT-VALUE}).")
    long intervalMs;

    @Option(names = "--all", description = "Also show targets that have seen no traffic.")
    boolean all;

    @Spec
    CommandSpec spec;

    /**
     * Run the command.
     *
     * @return the exit status.
     * @throws Exception when interrupted.
     */
    public Integer call() throws Exception
    {
        final PrintStream out = System.out;
        final CountersFile file;
        try
        {
            file = CountersFile.open(dir);
        }
        catch (final IllegalStateException ex)
        {
            spec.commandLine().getErr().println(ex.getMessage());
            return 1;
        }
        try
        {
            do
            {
                if (watch)
                {
                    out.print("\033[H\033[2J");
                }
                print(out, file);
                out.flush();
                if (watch)
                {
                    Thread.sleep(intervalMs);
                }
            }
            while (watch);
        }
        finally
        {
            file.close();
        }
        return 0;
    }

    void print(final PrintStream out, final CountersFile file)
    {
        out.printf("%s - node pid %d, started %s%n",
            Instant.now(), file.pid(), Instant.ofEpochMilli(file.startTimeMs()));
        CountersPrinter.print(out, file.reader(), all);
    }
}
