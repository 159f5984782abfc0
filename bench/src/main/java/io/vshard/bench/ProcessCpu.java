package io.vshard.bench;

import java.lang.management.ManagementFactory;

/**
 * CPU time this JVM has used, every thread included (client, server, I/O and harness threads alike): the figure a
 * benchmark divides by its round trips to give CPU per round trip. Read through
 * {@code com.sun.management.OperatingSystemMXBean}; on Linux its resolution is the scheduler tick (a few ms), so
 * read it over seconds, never per operation. Any thread.
 */
public final class ProcessCpu
{
    private static final com.sun.management.OperatingSystemMXBean OS = ManagementFactory.getPlatformMXBean(
        com.sun.management.OperatingSystemMXBean.class);

    private ProcessCpu()
    {
    }

    /**
     * Process CPU time so far.
     *
     * @return nanoseconds of CPU used by the process, or -1 when the JVM cannot tell.
     */
    public static long nanos()
    {
        return null == OS ? -1 : OS.getProcessCpuTime();
    }
}
