package io.vshard.core.status;

import java.io.File;

/**
 * Prints every counter of a counters file, one {@code typeId|scope|metric|value} line each: run in a second JVM by
 * {@code CountersTest} to show the file can be read from another process.
 */
public final class CountersPrinter
{
    private CountersPrinter()
    {
    }

    /**
     * Print the counters.
     *
     * @param args the node's directory.
     */
    public static void main(final String[] args)
    {
        final CountersFile file = CountersFile.open(new File(args[0]));
        try
        {
            System.out.println("pid=" + file.pid());
            for (final CounterRow row : CounterRow.readAll(file.reader()))
            {
                System.out.println(row.typeId() + "|" + row.scope() + "|" + row.metric() + "|" + row.value());
            }
        }
        finally
        {
            file.close();
        }
    }
}
