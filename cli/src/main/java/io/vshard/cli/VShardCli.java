package io.vshard.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

import java.io.PrintWriter;

/**
 * Entry point of {@code vshard.jar}: dispatches to the subcommands. A command that fails prints one line, the reason
 * by {@link Failures#describe}, and exits {@link #EXIT_FAILED}; {@code --verbose} adds the stack trace.
 */
@Command(
    name = "vshard",
    mixinStandardHelpOptions = true,
    version = "vshard 0.1.0",
    description = "Virtual-shard envelope node over QUIC.",
    subcommands = {
        NodeCommand.class,
        LoadCommand.class,
        DemoCommand.class,
        StatCommand.class,
        ExporterCommand.class,
        DecodeCommand.class,
        CertsCommand.class,
        CommandLine.HelpCommand.class
    })
public final class VShardCli
{
    /** Exit status of a command that failed with an error (usage errors exit 2, as picocli's). */
    public static final int EXIT_FAILED = 1;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
        description = "On an error, print the stack trace too.")
    boolean verbose;

    private VShardCli()
    {
    }

    /**
     * The command line, for tests and embedding.
     *
     * @return a new picocli command line for {@code vshard}.
     */
    public static CommandLine commandLine()
    {
        return new CommandLine(new VShardCli()).setExecutionExceptionHandler(new ErrorPrinter());
    }

    /**
     * Run {@code vshard} and exit with its status.
     *
     * @param args the arguments.
     */
    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    /**
     * Prints a failed command's reason in one line, and the stack trace only with {@code --verbose}.
     */
    static final class ErrorPrinter implements IExecutionExceptionHandler
    {
        /**
         * {@inheritDoc}
         */
        public int handleExecutionException(
            final Exception ex, final CommandLine commandLine, final ParseResult parseResult)
        {
            final PrintWriter err = commandLine.getErr();
            final boolean verbose = verbose(parseResult);
            err.println(commandLine.getCommandName() + ": " + Failures.describe(ex) +
                (verbose ? "" : " (exit " + EXIT_FAILED + "; --verbose for the stack trace)"));
            if (verbose)
            {
                ex.printStackTrace(err);
            }
            err.flush();
            return EXIT_FAILED;
        }

        private static boolean verbose(final ParseResult parseResult)
        {
            for (ParseResult result = parseResult; null != result; result = result.subcommand())
            {
                if (result.hasMatchedOption("--verbose"))
                {
                    return true;
                }
            }
            return false;
        }
    }
}
