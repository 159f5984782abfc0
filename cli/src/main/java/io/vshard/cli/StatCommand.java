package io.vshard.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * {@code vshard stat}: read a running node's counters file from another process and print them per scope (pipeline,
 * lane, target, transport), the way AeronStat prints Aeron's counters.
 */
@Command(
    name = "stat",
    mixinStandardHelpOptions = true,
    description = {"Print a running node's counters and latest latency per target, read from its counters file.",
        "Per lane, per target and transport counts, and the latest latency interval per target (queue wait, service",
        "time). Exit status 1 when the node does not run (its counters file is closed, stale, or its process is",
        "gone)."})
public final class StatCommand implements Callable<Integer>
{
    @Option(names = "--dir", required = true, description = "The node's --dir.")
    File dir;

    @Option(names = "--watch", description = "Refresh in place until interrupted, with rates per second.")
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
     * @return the exit status: 0 when the node runs, 1 when there is no counters file or its node does not run
     * (without {@code --watch}).
     * @throws Exception when interrupted.
     */
    public Integer call() throws Exception
    {
        final PrintStream out = System.out;
        if (!watch)
        {
            final NodeStatus status;
            try
            {
                status = NodeStatus.read(dir);
            }
            catch (final IllegalStateException ex)
            {
                spec.commandLine().getErr().println(ex.getMessage());
                return 1;
            }
            if (!status.isRunning())
            {
                out.println(dir + ": " + status.notRunningLine());
                return 1;
            }
            print(out, status);
            return 0;
        }

        NodeStatus previous = null;
        while (!Thread.currentThread().isInterrupted())
        {
            final StringBuilder screen = new StringBuilder("\033[H\033[2J");
            NodeStatus status = null;
            try
            {
                status = NodeStatus.read(dir);
            }
            catch (final IllegalStateException ex)
            {
                screen.append(ex.getMessage()).append(System.lineSeparator());
            }
            if (null != status)
            {
                if (null != previous && (previous.pid() != status.pid() || previous.startMs() != status.startMs()))
                {
                    previous = null;
                }
                screen.append(render(status, previous));
            }
            out.print(screen);
            out.flush();
            previous = status;
            Thread.sleep(intervalMs);
        }
        return 0;
    }

    void print(final PrintStream out, final NodeStatus status)
    {
        out.printf("%s - node pid %d, started %s%n",
            Instant.ofEpochMilli(status.readMs()), status.pid(), Instant.ofEpochMilli(status.startMs()));
        CountersPrinter.print(out, status.counters(), all);
        out.println();
        LatencyTable.print(out, status, null, all);
    }

    String render(final NodeStatus status, final NodeStatus previous)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, false, StandardCharsets.UTF_8);
        out.printf("%s  pid %d  up %s%n", Instant.ofEpochMilli(status.readMs()), status.pid(),
            Duration.ofMillis(status.readMs() - status.startMs()).withNanos(0).toString().substring(2).toLowerCase());
        if (!status.isRunning())
        {
            out.println(status.notRunningLine());
        }
        if (null == previous)
        {
            out.printf("(rates from the next refresh, in %d ms)%n", intervalMs);
        }
        CountersPrinter.printRates(out, status, previous);
        out.println();
        LatencyTable.print(out, status, previous, all);
        out.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
