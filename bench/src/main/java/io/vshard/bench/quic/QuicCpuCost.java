package io.vshard.bench.quic;

import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.transport.client.QuicClient;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * CPU time the whole process spends per envelope through the node ({@link QuicEndToEnd.Node}: client, QUIC both
 * ways, lanes, handler), after a warm-up, then per frame through the bare Netty QUIC pair ({@link BareQuic}, frames
 * of the node's size, a counting server for {@code ff}, an echoing one with the node's window for {@code rr}) in the
 * same JVM. On a shared machine the rate moves with the share of CPU the process gets; the CPU per envelope moves far
 * less, so it is the figure to compare builds with there.
 * <p>
 * For each of the two it prints: the process CPU per envelope (frame), the CPU of each thread per envelope, the
 * bytes each thread allocated per envelope (ThreadMXBean; the I/O threads' is the QUIC codec's garbage), that total
 * per UDP datagram, and the datagrams the server's socket received and sent per envelope (counted at the datagram
 * channel, segmentation-offload writes as their segments), and for the node the client's too.
 * <p>
 * Run: {@code QuicCpuCost [rr|ff] [payload] [streams] [count] [busyPoll]}; {@code busyPoll} ({@code true} or
 * {@code false}, the default) sets {@code vshard.transport.io.busy.poll} on both ends of both pairs.
 */
public final class QuicCpuCost
{
    private static final long BARE_TIMEOUT_NS = TimeUnit.MINUTES.toNanos(2);

    private QuicCpuCost()
    {
    }

    /**
     * Measure and print.
     *
     * @param args optional mode ({@code rr} request/reply, {@code ff} fire-and-forget), payload, streams, count,
     *             busy polling.
     * @throws Exception when QUIC cannot start.
     */
    public static void main(final String[] args) throws Exception
    {
        final boolean request = args.length < 1 || "rr".equals(args[0]);
        final int payload = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        final int streams = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        final long count = args.length > 3 ? Long.parseLong(args[3]) : 1_000_000;
        final boolean busyPoll = args.length > 4 && Boolean.parseBoolean(args[4]);
        final Settings settings = new Settings(request, payload, streams, count, busyPoll);
        measureNode(settings);
        measureBare(settings);
    }

    /**
     * What both measurements run with.
     *
     * @param request  request/reply when true, else fire-and-forget.
     * @param payload  payload bytes per envelope.
     * @param streams  client streams.
     * @param count    envelopes (frames) measured, after half as many to warm up.
     * @param busyPoll whether the I/O threads busy-poll.
     */
    private record Settings(boolean request, int payload, int streams, long count, boolean busyPoll)
    {
        String mode()
        {
            return (request ? "request/reply" : "fire-and-forget") + " payload=" + payload + " streams=" + streams +
                " count=" + count + " busyPoll=" + busyPoll;
        }
    }

    private static void measureNode(final Settings settings) throws Exception
    {
        final boolean request = settings.request();
        final long count = settings.count();
        final QuicEndToEnd.Node node = new QuicEndToEnd.Node();
        node.payload = settings.payload();
        node.streams = settings.streams();
        node.busyPoll = settings.busyPoll();
        node.start();
        try
        {
            run(node, request, count / 2);
            final Sample before = new Sample(
                node.server.counters().datagramsIn::get, node.server.counters().datagramsOut::get,
                node.client::datagramsIn, node.client::datagramsOut);
            run(node, request, count);
            final Sample after = new Sample(
                node.server.counters().datagramsIn::get, node.server.counters().datagramsOut::get,
                node.client::datagramsIn, node.client::datagramsOut);
            print("node " + settings.mode(), "envelope", count, before, after);
        }
        finally
        {
            node.stop();
        }
    }

    private static void measureBare(final Settings settings) throws Exception
    {
        final boolean request = settings.request();
        final long count = settings.count();
        final int frameLength = FrameDescriptor.HEADER_LENGTH + EnvelopeDescriptor.HEADER_LENGTH + settings.payload();
        try (BareQuic bare = new BareQuic(frameLength, settings.streams(), request, settings.busyPoll()))
        {
            final LongSupplier frames = request ? bare::framesEchoed : bare::framesReceived;
            bare.start(request ? QuicEndToEnd.WINDOW_PER_STREAM : Long.MAX_VALUE);
            awaitFrames(frames, count / 2);
            final long framesBefore = frames.getAsLong();
            final Sample before = new Sample(bare::serverDatagramsIn, bare::serverDatagramsOut, null, null);
            awaitFrames(frames, framesBefore + count);
            final long framesAfter = frames.getAsLong();
            final Sample after = new Sample(bare::serverDatagramsIn, bare::serverDatagramsOut, null, null);
            print("bare " + settings.mode(), "frame", framesAfter - framesBefore, before, after);
        }
    }

    private static void awaitFrames(final LongSupplier frames, final long target)
    {
        final long deadlineNs = System.nanoTime() + BARE_TIMEOUT_NS;
        while (frames.getAsLong() < target)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("bare pair stalled at " + frames.getAsLong() + " frames of " + target);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static void print(
        final String title, final String unit, final long count, final Sample before, final Sample after)
    {
        final long cpuNs = after.processCpuNs - before.processCpuNs;
        final long wallNs = after.wallNs - before.wallNs;
        final long serverIn = after.serverIn - before.serverIn;
        final long serverOut = after.serverOut - before.serverOut;
        System.out.printf("%s: %,.0f %ss/s, %.2f us CPU per %s (%.2f cores busy)%n", title, count * 1e9 / wallNs,
            unit, cpuNs / 1e3 / count, unit, (double)cpuNs / wallNs);

        final StringBuilder cpu = new StringBuilder("  ns CPU per " + unit + " by thread:");
        after.threadCpuNs.forEach((name, ns) ->
        {
            final long used = ns - before.threadCpuNs.getOrDefault(name, 0L);
            if (used * 100 > cpuNs)
            {
                cpu.append(String.format(" %s %.0f", name, (double)used / count));
            }
        });
        System.out.println(cpu);

        long allocatedTotal = 0;
        final StringBuilder allocated = new StringBuilder("  bytes allocated per " + unit + " by thread:");
        for (final Map.Entry<String, Long> entry : after.threadAllocatedBytes.entrySet())
        {
            final long bytes = entry.getValue() - before.threadAllocatedBytes.getOrDefault(entry.getKey(), 0L);
            allocatedTotal += bytes;
            if (bytes >= count / 100)
            {
                allocated.append(String.format(" %s %.1f", entry.getKey(), (double)bytes / count));
            }
        }
        final long datagrams = serverIn + serverOut;
        allocated.append(String.format("; all threads %.1f B per %s, %.1f B per datagram", (double)allocatedTotal /
            count, unit, 0 == datagrams ? Double.NaN : (double)allocatedTotal / datagrams));
        System.out.println(allocated);

        final StringBuilder udp = new StringBuilder(String.format(
            "  datagrams per %s: server in %.3f out %.3f", unit, (double)serverIn / count, (double)serverOut / count));
        if (after.clientIn >= 0)
        {
            udp.append(String.format(", client in %.3f out %.3f", (double)(after.clientIn - before.clientIn) / count,
                (double)(after.clientOut - before.clientOut) / count));
        }
        udp.append(String.format(" (%s per datagram the server received: %.1f)", unit,
            0 == serverIn ? Double.NaN : (double)count / serverIn));
        System.out.println(udp);
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

    /**
     * Process and per-thread CPU, per-thread allocation and datagram counts at one moment.
     */
    private static final class Sample
    {
        final long wallNs = System.nanoTime();
        final long processCpuNs = ((com.sun.management.OperatingSystemMXBean)ManagementFactory
            .getOperatingSystemMXBean()).getProcessCpuTime();
        final Map<String, Long> threadCpuNs = new TreeMap<>();
        final Map<String, Long> threadAllocatedBytes = new TreeMap<>();
        final long serverIn;
        final long serverOut;
        final long clientIn;
        final long clientOut;

        Sample(
            final LongSupplier serverIn,
            final LongSupplier serverOut,
            final LongSupplier clientIn,
            final LongSupplier clientOut)
        {
            this.serverIn = serverIn.getAsLong();
            this.serverOut = serverOut.getAsLong();
            this.clientIn = null == clientIn ? -1 : clientIn.getAsLong();
            this.clientOut = null == clientOut ? -1 : clientOut.getAsLong();
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            for (final ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds()))
            {
                if (null != info)
                {
                    final String name = info.getThreadName().replaceAll("-?\\d+$", "").replaceAll("-\\d+-", "-");
                    final long id = info.getThreadId();
                    threadCpuNs.merge(name, Math.max(threads.getThreadCpuTime(id), 0), Long::sum);
                    threadAllocatedBytes.merge(name, Math.max(threads.getThreadAllocatedBytes(id), 0), Long::sum);
                }
            }
        }
    }
}
