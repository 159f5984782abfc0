package io.vshard.transport;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records Netty leak reports (Netty logs through a no-op SLF4J here, so reports would pass unseen). Install before
 * any buffer is allocated: {@link #install()} in a static initialiser.
 */
public final class LeakDetection
{
    public static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static boolean installed;

    private LeakDetection()
    {
    }

    public static synchronized void install()
    {
        if (installed)
        {
            return;
        }
        installed = true;
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory()
        {
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(
                final Class<T> resource, final int samplingInterval, final long maxActive)
            {
                return new ResourceLeakDetector<>(resource, samplingInterval)
                {
                    protected void reportTracedLeak(final String resourceType, final String records)
                    {
                        LEAKS.add(resourceType + " " + records);
                    }

                    protected void reportUntracedLeak(final String resourceType)
                    {
                        LEAKS.add(resourceType);
                    }
                };
            }
        });
    }

    /** Provoke reports of unreachable leaked buffers: collect garbage, then allocate so detectors poll. */
    public static List<String> collect()
    {
        for (int i = 0; i < 3; i++)
        {
            System.gc();
            try
            {
                Thread.sleep(50);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            for (int j = 0; j < 100; j++)
            {
                io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(64).release();
                io.netty.buffer.Unpooled.directBuffer(64).release();
            }
        }
        return LEAKS;
    }
}
