package io.vshard.transport.hardening;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay between one client and one server on loopback that loses, duplicates and reorders datagrams, seeded so
 * that a run can be repeated. The client sends to {@link #address()}; the relay forwards to the server from a socket
 * of its own and sends the server's datagrams back to the last client address it saw. Each datagram, in either
 * direction, is dropped with probability {@code lossRate}, else sent twice with probability {@code duplicateRate}, and
 * each copy is held back by up to {@code maxDelayMs} with probability {@code reorderRate}, so that later datagrams
 * overtake it. One thread, blocking in a selector: it never spins. {@link #close()} stops it.
 */
public final class LossyUdpRelay implements AutoCloseable
{
    private static final int MAX_DATAGRAM = 65_535;

    private final InetSocketAddress server;
    private final double lossRate;
    private final double duplicateRate;
    private final double reorderRate;
    private final long maxDelayNs;
    private final SplittableRandom random;
    private final DatagramChannel clientSide;
    private final DatagramChannel serverSide;
    private final Selector selector;
    private final Thread thread;
    private final PriorityQueue<Delayed> delayed = new PriorityQueue<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    private final AtomicLong reordered = new AtomicLong();
    private SocketAddress client;
    private long sequence;
    private volatile boolean running = true;

    private record Delayed(long dueNs, long sequence, boolean toServer, byte[] bytes) implements Comparable<Delayed>
    {
        public int compareTo(final Delayed other)
        {
            final int byTime = Long.compare(dueNs, other.dueNs);
            return 0 != byTime ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    /**
     * Start a relay to a server.
     *
     * @param server        where datagrams from the client go.
     * @param seed          of the fault decisions.
     * @param lossRate      probability that a datagram is dropped.
     * @param duplicateRate probability that a datagram not dropped is sent twice.
     * @param reorderRate   probability that a copy is held back.
     * @param maxDelayMs    longest hold-back.
     */
    public LossyUdpRelay(
        final InetSocketAddress server,
        final long seed,
        final double lossRate,
        final double duplicateRate,
        final double reorderRate,
        final long maxDelayMs)
    {
        this.server = server;
        this.lossRate = lossRate;
        this.duplicateRate = duplicateRate;
        this.reorderRate = reorderRate;
        this.maxDelayNs = TimeUnit.MILLISECONDS.toNanos(Math.max(1, maxDelayMs));
        this.random = new SplittableRandom(seed);
        try
        {
            selector = Selector.open();
            clientSide = open(new InetSocketAddress("127.0.0.1", 0));
            serverSide = open(new InetSocketAddress("127.0.0.1", 0));
            clientSide.register(selector, SelectionKey.OP_READ, Boolean.TRUE);
            serverSide.register(selector, SelectionKey.OP_READ, Boolean.FALSE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        thread = new Thread(this::run, "lossy-udp-relay");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The address clients send to.
     *
     * @return the relay's client-facing address.
     */
    public InetSocketAddress address()
    {
        try
        {
            return (InetSocketAddress)clientSide.getLocalAddress();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Datagrams sent on, copies included.
     *
     * @return the count.
     */
    public long forwarded()
    {
        return forwarded.get();
    }

    /**
     * Datagrams dropped.
     *
     * @return the count.
     */
    public long dropped()
    {
        return dropped.get();
    }

    /**
     * Datagrams sent twice.
     *
     * @return the count.
     */
    public long duplicated()
    {
        return duplicated.get();
    }

    /**
     * Copies held back so that later datagrams could overtake them.
     *
     * @return the count.
     */
    public long reordered()
    {
        return reordered.get();
    }

    /**
     * One line of figures for a test report.
     *
     * @return forwarded, dropped (with the measured rate), duplicated and reordered counts.
     */
    public String describe()
    {
        final long drops = dropped.get();
        final long total = drops + forwarded.get() - duplicated.get();
        return String.format("relay: datagrams=%d dropped=%d (%.2f %%) duplicated=%d reordered=%d",
            total, drops, total == 0 ? 0.0 : 100.0 * drops / total, duplicated.get(), reordered.get());
    }

    /**
     * Stop the relay thread and close its sockets.
     */
    public void close()
    {
        running = false;
        selector.wakeup();
        try
        {
            thread.join(5_000);
            selector.close();
            clientSide.close();
            serverSide.close();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static DatagramChannel open(final InetSocketAddress address) throws IOException
    {
        final DatagramChannel channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 * 1024 * 1024);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 * 1024 * 1024);
        channel.bind(address);
        channel.configureBlocking(false);
        return channel;
    }

    private void run()
    {
        try
        {
            while (running)
            {
                final Delayed next = delayed.peek();
                final long waitMs = null == next ? 100 :
                    Math.max(1, TimeUnit.NANOSECONDS.toMillis(next.dueNs - System.nanoTime()));
                selector.select(waitMs);
                for (final SelectionKey key : selector.selectedKeys())
                {
                    receiveAll((DatagramChannel)key.channel(), (Boolean)key.attachment());
                }
                selector.selectedKeys().clear();
                releaseDue();
            }
        }
        catch (final IOException ex)
        {
            if (running)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }

    private void receiveAll(final DatagramChannel channel, final boolean fromClient) throws IOException
    {
        SocketAddress from;
        while (null != (from = receive(channel)))
        {
            if (fromClient)
            {
                client = from;
            }
            else if (null == client)
            {
                continue;
            }
            if (random.nextDouble() < lossRate)
            {
                dropped.incrementAndGet();
                continue;
            }
            final int copies = random.nextDouble() < duplicateRate ? 2 : 1;
            if (2 == copies)
            {
                duplicated.incrementAndGet();
            }
            for (int i = 0; i < copies; i++)
            {
                if (random.nextDouble() < reorderRate)
                {
                    final byte[] bytes = new byte[buffer.remaining()];
                    buffer.duplicate().get(bytes);
                    delayed.add(new Delayed(
                        System.nanoTime() + 1 + random.nextLong(maxDelayNs), sequence++, fromClient, bytes));
                    reordered.incrementAndGet();
                }
                else
                {
                    send(buffer.duplicate(), fromClient);
                }
            }
        }
    }

    private SocketAddress receive(final DatagramChannel channel) throws IOException
    {
        buffer.clear();
        final SocketAddress from = channel.receive(buffer);
        buffer.flip();
        return from;
    }

    private void releaseDue() throws IOException
    {
        final long nowNs = System.nanoTime();
        Delayed next;
        while (null != (next = delayed.peek()) && next.dueNs <= nowNs)
        {
            delayed.poll();
            send(ByteBuffer.wrap(next.bytes), next.toServer);
        }
    }

    private void send(final ByteBuffer datagram, final boolean toServer) throws IOException
    {
        if (toServer)
        {
            serverSide.send(datagram, server);
        }
        else
        {
            clientSide.send(datagram, client);
        }
        forwarded.incrementAndGet();
    }
}
