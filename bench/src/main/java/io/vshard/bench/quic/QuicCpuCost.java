package io.vshard.bench.quic;

import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.transport.client.QuicClient;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.management.ThreadInfo;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

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
 * channel, segmentation-offload writes as their segments), and for the node the client's too; each thread's context
 * switches per envelope (Linux), and how often the node's sending thread parked because the send queue or the request
 * window was full.
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
            final long parks = run(node, request, count);
            final Sample after = new Sample(
                node.server.counters().datagramsIn::get, node.server.counters().datagramsOut::get,
                node.client::datagramsIn, node.client::datagramsOut);
            print("node " + settings.mode(), "envelope", count, before, after);
            System.out.printf("  sender parks (20 us, queue full or window full) per envelope: %.4f%n",
                (double)parks / count);
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
        long listedNs = 0;
        for (final Map.Entry<String, Long> entry : after.threadCpuNs.entrySet())
        {
            final long used = entry.getValue() - before.threadCpuNs.getOrDefault(entry.getKey(), 0L);
            listedNs += used;
            if (used * 100 > cpuNs)
            {
                cpu.append(String.format(" %s %.0f", entry.getKey(), (double)used / count));
            }
        }
        // The JIT compilers and the GC are not Java threads the MXBean lists: the rest of the process CPU.
        cpu.append(String.format("; JVM threads not listed (JIT, GC) %.0f", (double)(cpuNs - listedNs) / count));
        System.out.println(cpu);

        final StringBuilder switches = new StringBuilder("  context switches per " + unit + " by thread:");
        after.threadSwitches.forEach((name, n) ->
        {
            final long used = n - before.threadSwitches.getOrDefault(name, 0L);
            if (used * 1000 > count)
            {
                switches.append(String.format(" %s %.4f", name, (double)used / count));
            }
        });
        System.out.println(switches);

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

    private static long run(final QuicEndToEnd.Node node, final boolean request, final long count)
    {
        long parks = 0;
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
                parks++;
                LockSupport.parkNanos(20_000);
            }
        }
        while ((request ? node.answered.get() : node.handled.get()) < target)
        {
            LockSupport.parkNanos(100_000);
        }
        return parks;
    }

    /**
     * Each thread's context switches (voluntary and not: on a VM each costs microseconds), from Linux's
     * {@code /proc/self/task}, by thread name as the kernel keeps it (15 characters); nothing elsewhere.
     */
    private static void readContextSwitches(final Map<String, Long> switches)
    {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task")))
        {
            tasks.forEach((task) ->
            {
                try
                {
                    final String name = Files.readString(task.resolve("comm")).strip()
                        .replaceAll("-?\\d+$", "").replaceAll("-\\d+-", "-");
                    long count = 0;
                    for (final String line : Files.readAllLines(task.resolve("status")))
                    {
                        if (line.startsWith("voluntary_ctxt_switches:") ||
                            line.startsWith("nonvoluntary_ctxt_switches:"))
                        {
                            count += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                        }
                    }
                    switches.merge(name, count, Long::sum);
                }
                catch (final IOException | RuntimeException ex)
                {
                    // A thread that ended meanwhile.
                }
            });
        }
        catch (final IOException ex)
        {
            // Not Linux: no figure.
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
        final Map<String, Long> threadSwitches = new TreeMap<>();
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
            readContextSwitches(threadSwitches);
        }
    }
}
