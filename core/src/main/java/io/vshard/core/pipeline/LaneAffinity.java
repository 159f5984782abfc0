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
            final BitSet allowed = Affinity.getAffinity();
            if (!allowed.get(cpu))
            {
                return "CPU " + cpu + " is not available to this process (allowed: " + allowed + ")";
            }
            Affinity.setAffinity(cpu);
            final BitSet now = Affinity.getAffinity();
            if (now.cardinality() != 1 || !now.get(cpu))
            {
                return "setting affinity to CPU " + cpu + " did not take (now: " + now + ")";
            }
            return null;
        }
        catch (final Throwable ex)
        {
            return "thread affinity is unavailable here (" + ex + ")";
        }
    }
}
