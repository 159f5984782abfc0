package io.vshard.core.pipeline;

import net.openhft.affinity.Affinity;

import java.util.BitSet;

/**
 * Pins the calling thread to one CPU with OpenHFT affinity, or explains in one line why it could not.
 */
final class LaneAffinity
{
    private LaneAffinity()
    {
    }

    /**
     * Pin the calling thread.
     *
     * @param cpu the CPU.
     * @return {@code null} when pinned, else the reason it runs unpinned.
     */
    static String pinCurrentThread(final int cpu)
    {
        try
        {
            // The process's mask may leave the lane CPUs out on purpose (run-node.sh starts the JVM under taskset on
            // the housekeeping CPUs, so that its other threads stay off the lanes' CPUs): a thread may still take any
            // CPU the kernel lets it have, so ask for it and check what the kernel says.
            final BitSet allowed = Affinity.getAffinity();
            String refused = "";
            try
            {
                Affinity.setAffinity(cpu);
            }
            catch (final RuntimeException ex)
            {
                refused = ", " + ex;
            }
            final BitSet now = Affinity.getAffinity();
            if (now.cardinality() == 1 && now.get(cpu))
            {
                return null;
            }
            if (!allowed.get(cpu))
            {
                return "CPU " + cpu + " is not available to this process (allowed: " + allowed + refused + ")";
            }
            return "setting affinity to CPU " + cpu + " did not take (now: " + now + refused + ")";
        }
        catch (final Throwable ex)
        {
            return "thread affinity is unavailable here (" + ex + ")";
        }
    }
}
