package io.vshard.transport.hardening;

import io.netty.buffer.PooledByteBufAllocator;

import java.io.File;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What the process holds: heap in use ({@code MemoryMXBean}), direct {@code ByteBuffer}s (the "direct"
 * {@code BufferPoolMXBean}: lane arenas, Agrona buffers, and Netty's buffers too where, as here, Netty allocates them
 * as {@code ByteBuffer}s), the part of it Netty's default pooled allocator holds, resident set size (the only place quiche's native memory shows),
 * open file descriptors and live threads. A {@link Sampler} tracks the peaks on a thread of its own.
 *
 * @param heapBytes        heap used.
 * @param directBytes      direct ByteBuffer memory.
 * @param nettyDirectBytes direct memory held by Netty's default pooled allocator (arenas, cached chunks).
 * @param rssBytes         resident set size, -1 off Linux.
 * @param fds              open file descriptors, -1 off Linux.
 * @param threads          live threads.
 */
public record ResourceProbe(
    long heapBytes, long directBytes, long nettyDirectBytes, long rssBytes, long fds, int threads)
{
    private static final long MIB = 1024 * 1024;

    /**
     * Read the figures now.
     *
     * @return the snapshot.
     */
    public static ResourceProbe now()
    {
        long direct = 0;
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if ("direct".equals(pool.getName()))
            {
                direct = pool.getMemoryUsed();
            }
        }
        final String[] fds = new File("/proc/self/fd").list();
        return new ResourceProbe(
            ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
            direct,
            PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory(),
            rss(),
            null == fds ? -1 : fds.length,
            ManagementFactory.getThreadMXBean().getThreadCount());
    }

    /**
     * Collect garbage first, so that the heap figure is what is live: for before/after comparisons.
     *
     * @return the snapshot.
     */
    public static ResourceProbe afterGc()
    {
        for (int i = 0; i < 3; i++)
        {
            System.gc();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        return now();
    }

    /**
     * The figures in MiB, for reports.
     *
     * @return one line.
     */
    public String describe()
    {
        return String.format("heap=%.1f MiB direct=%.1f MiB nettyPooled=%.1f MiB rss=%.1f MiB fds=%d threads=%d",
            (double)heapBytes / MIB, (double)directBytes / MIB, (double)nettyDirectBytes / MIB,
            (double)rssBytes / MIB, fds, threads);
    }

    private static long rss()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
            {
                if (line.startsWith("VmRSS:"))
                {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        }
        catch (final IOException | NumberFormatException ex)
        {
            return -1;
        }
        return -1;
    }

    /**
     * Samples the figures every interval and keeps the peak of each.
     */
    public static final class Sampler implements AutoCloseable
    {
        private final Thread thread;
        private final long intervalNs;
        private volatile boolean running = true;
        private volatile ResourceProbe peak;

        /**
         * Start sampling.
         *
         * @param intervalMs between samples.
         */
        public Sampler(final long intervalMs)
        {
            this.intervalNs = TimeUnit.MILLISECONDS.toNanos(intervalMs);
            this.peak = now();
            thread = new Thread(this::run, "resource-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        /**
         * The peaks so far, each figure on its own.
         *
         * @return the peaks.
         */
        public ResourceProbe peak()
        {
            return peak;
        }

        /**
         * Start again from the current figures.
         */
        public void reset()
        {
            peak = now();
        }

        /**
         * Stop sampling.
         */
        public void close()
        {
            running = false;
            LockSupport.unpark(thread);
            try
            {
                thread.join(1_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        private void run()
        {
            while (running)
            {
                final ResourceProbe now = now();
                final ResourceProbe p = peak;
                peak = new ResourceProbe(
                    Math.max(p.heapBytes, now.heapBytes),
                    Math.max(p.directBytes, now.directBytes),
                    Math.max(p.nettyDirectBytes, now.nettyDirectBytes),
                    Math.max(p.rssBytes, now.rssBytes),
                    Math.max(p.fds, now.fds),
                    Math.max(p.threads, now.threads));
                LockSupport.parkNanos(intervalNs);
            }
        }
    }
}
