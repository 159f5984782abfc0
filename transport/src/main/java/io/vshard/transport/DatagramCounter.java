package io.vshard.transport;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import org.agrona.concurrent.status.AtomicCounter;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counts the UDP datagrams a datagram channel reads and writes, placed in the channel's pipeline before the QUIC
 * codec (nearer the socket). A segmentation-offload write ({@link SegmentedDatagramPacket}) counts as the datagrams
 * the kernel cuts it into, so the figure is what goes on the wire whatever {@link CommonContext#udpSegments()} is.
 * <p>
 * Counts are gathered on the channel's event loop and published once per read cycle ({@code channelReadComplete})
 * and once per flush, not per datagram: into the channel's own totals ({@link #datagramsIn()},
 * {@link #datagramsOut()}, readable from any thread) and, when given, into shared counters (a server's
 * {@link TransportCounters}, added to by every I/O thread). One instance per channel: not sharable.
 */
public final class DatagramCounter extends ChannelDuplexHandler
{
    private static final VarHandle IN_TOTAL;
    private static final VarHandle OUT_TOTAL;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            IN_TOTAL = lookup.findVarHandle(DatagramCounter.class, "inTotal", long.class);
            OUT_TOTAL = lookup.findVarHandle(DatagramCounter.class, "outTotal", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final AtomicCounter sharedIn;
    private final AtomicCounter sharedOut;
    private long pendingIn;
    private long pendingOut;
    @SuppressWarnings("unused") // accessed through IN_TOTAL
    private long inTotal;
    @SuppressWarnings("unused") // accessed through OUT_TOTAL
    private long outTotal;

    /**
     * A counter of the channel's own datagrams only.
     */
    public DatagramCounter()
    {
        this(null, null);
    }

    /**
     * A counter that also adds to shared counters.
     *
     * @param sharedIn  datagrams received, added to once per read cycle; {@code null} for none.
     * @param sharedOut datagrams sent, added to once per flush; {@code null} for none.
     */
    public DatagramCounter(final AtomicCounter sharedIn, final AtomicCounter sharedOut)
    {
        this.sharedIn = sharedIn;
        this.sharedOut = sharedOut;
    }

    /**
     * Datagrams this channel received, as of its last completed read cycle. Any thread.
     *
     * @return the total.
     */
    public long datagramsIn()
    {
        return (long)IN_TOTAL.getAcquire(this);
    }

    /**
     * Datagrams this channel sent (segments counted one by one), as of its last flush. Any thread.
     *
     * @return the total.
     */
    public long datagramsOut()
    {
        return (long)OUT_TOTAL.getAcquire(this);
    }

    /**
     * How many datagrams a packet is on the wire: its segments for a segmentation-offload packet, else 1.
     *
     * @param packet the packet.
     * @return at least 1.
     */
    public static int datagramsOf(final DatagramPacket packet)
    {
        if (packet instanceof SegmentedDatagramPacket)
        {
            final int segmentSize = ((SegmentedDatagramPacket)packet).segmentSize();
            final int bytes = packet.content().readableBytes();
            return segmentSize > 0 && bytes > segmentSize ? (bytes + segmentSize - 1) / segmentSize : 1;
        }
        return 1;
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) throws Exception
    {
        if (msg instanceof DatagramPacket)
        {
            pendingIn += datagramsOf((DatagramPacket)msg);
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * {@inheritDoc}
     */
    public void channelReadComplete(final ChannelHandlerContext ctx) throws Exception
    {
        publishIn();
        ctx.fireChannelReadComplete();
    }

    /**
     * {@inheritDoc}
     */
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
        throws Exception
    {
        if (msg instanceof DatagramPacket)
        {
            pendingOut += datagramsOf((DatagramPacket)msg);
        }
        ctx.write(msg, promise);
    }

    /**
     * {@inheritDoc}
     */
    public void flush(final ChannelHandlerContext ctx) throws Exception
    {
        publishOut();
        ctx.flush();
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        publishIn();
        publishOut();
        ctx.fireChannelInactive();
    }

    private void publishIn()
    {
        final long count = pendingIn;
        if (0 != count)
        {
            pendingIn = 0;
            IN_TOTAL.setRelease(this, (long)IN_TOTAL.get(this) + count);
            if (null != sharedIn)
            {
                sharedIn.getAndAdd(count);
            }
        }
    }

    private void publishOut()
    {
        final long count = pendingOut;
        if (0 != count)
        {
            pendingOut = 0;
            OUT_TOTAL.setRelease(this, (long)OUT_TOTAL.get(this) + count);
            if (null != sharedOut)
            {
                sharedOut.getAndAdd(count);
            }
        }
    }
}
