package io.vshard.bench.quic;

import io.vshard.transport.client.QuicClient;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

/**
 * CPU time the whole process spends per envelope through the node ({@link QuicEndToEnd.Node}: client, QUIC both
 * ways, lanes, handler), after a warm-up. On a shared machine the rate moves with the share of CPU the process
 * gets; the CPU per envelope moves far less, so it is the figure to compare builds with there. Run: {@code
 * QuicCpuCost [rr|ff] [payload] [streams] [count]}; prints one line.
 */
public final class QuicCpuCost
{
    private QuicCpuCost()
    {
    }

    /**
     * Measure and print.
     *
     * @param args optional mode ({@code rr} request/reply, {@code ff} fire-and-forget), payload, streams, count.
     * @throws Exception when QUIC cannot start.
     */
    public static void main(final String[] args) throws Exception
    {
        final boolean request = args.length < 1 || "rr".equals(args[0]);
        final QuicEndToEnd.Node node = new QuicEndToEnd.Node();
        node.payload = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        node.streams = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        final long count = args.length > 3 ? Long.parseLong(args[3]) : 1_000_000;
        final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
        node.start();
        try
        {
            run(node, request, count / 2);
            final Map<String, Long> threads0 = threadCpuNs();
            final long cpu0 = os.getProcessCpuTime();
            final long t0 = System.nanoTime();
            run(node, request, count);
            final long cpuNs = os.getProcessCpuTime() - cpu0;
            final long wallNs = System.nanoTime() - t0;
            final Map<String, Long> threads1 = threadCpuNs();
            System.out.printf("%s payload=%d streams=%d count=%d: %,.0f envelopes/s, %.2f us CPU per envelope " +
                "(%.2f cores busy)%n", request ? "request/reply" : "fire-and-forget", node.payload, node.streams,
                count, count * 1e9 / wallNs, cpuNs / 1e3 / count, (double)cpuNs / wallNs);
            final StringBuilder perThread = new StringBuilder("  ns per envelope by thread:");
            threads1.forEach((name, ns) ->
            {
                final long used = ns - threads0.getOrDefault(name, 0L);
                if (used * 100 > cpuNs)
                {
                    perThread.append(String.format(" %s %.0f", name, (double)used / count));
                }
            });
            System.out.println(perThread);
        }
        finally
        {
            node.stop();
        }
    }

    private static Map<String, Long> threadCpuNs()
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final Map<String, Long> cpu = new TreeMap<>();
        for (final ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds()))
        {
            if (null != info)
            {
                final long ns = threads.getThreadCpuTime(info.getThreadId());
                cpu.merge(info.getThreadName().replaceAll("-?\\d+$", "").replaceAll("-\\d+-", "-"),
                    Math.max(ns, 0), Long::sum);
            }
        }
        return cpu;
    }

    private static void run(final QuicEndToEnd.Node node, final boolean request, final long count)
    {
        final long target = (request ? node.answered.get() : node.handled.get()) + count;
        long offered = 0;
        while (offered < count)
        {
            final int stream = (int)(node.sent % node.streams);
            final boolean accepted;
            if (request)
            {
                accepted = !node.windowFull((long)QuicEndToEnd.WINDOW_PER_STREAM * node.streams) &&
                    node.client.request(stream, node.request, 0, node.envelopeLength) > 0;
            }
            else
            {
                accepted = QuicClient.SENT == node.client.send(stream, node.event, 0, node.envelopeLength);
            }
            if (accepted)
            {
                node.sent++;
                offered++;
            }
            else
            {
                LockSupport.parkNanos(20_000);
            }
        }
        while ((request ? node.answered.get() : node.handled.get()) < target)
        {
            LockSupport.parkNanos(100_000);
        }
    }
}
