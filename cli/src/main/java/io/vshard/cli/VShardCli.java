package io.vshard.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code vshard.jar}: dispatches to the subcommands.
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
        return new CommandLine(VShardCli.class);
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
}
