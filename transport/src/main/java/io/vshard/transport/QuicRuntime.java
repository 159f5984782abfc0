package io.vshard.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.incubator.codec.quic.EpollQuicUtils;
import io.netty.incubator.codec.quic.Quic;
import io.netty.incubator.codec.quic.SegmentedDatagramPacketAllocator;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The native parts the transport stands on, checked once: quiche through {@link Quic} (required) and the epoll
 * transport (used when available, else NIO with a single I/O thread per server). Also applies the UDP socket options
 * and says so in one log line when the kernel caps a buffer. Control plane; any thread.
 */
public final class QuicRuntime
{
    private static final System.Logger LOG = System.getLogger("io.vshard.transport");

    /** Tasks first (polling the sockets without waiting), else a zero-timeout poll: never sleeps. */
    private static final SelectStrategy BUSY_POLL_STRATEGY =
        (selectSupplier, hasTasks) -> hasTasks ? selectSupplier.get() : SelectStrategy.BUSY_WAIT;
    private static final SelectStrategyFactory BUSY_POLL = () -> BUSY_POLL_STRATEGY;

    /** The most bytes one UDP send takes (65,535 less the IPv4 and UDP headers), segments included. */
    private static final int MAX_UDP_SEND_BYTES = 65_507;

    private QuicRuntime()
    {
    }

    /**
     * The largest UDP payload this end receives off loopback, advertised to peers as QUIC's
     * {@code max_udp_payload_size}: above any 1,500-byte-MTU path's payload, and the slot each datagram gets in a
     * batched read ({@link CommonContext#udpReceiveBatch()}), so a compliant peer's datagram always fits.
     */
    public static final int MAX_UDP_PAYLOAD_BYTES = 1500;

    /**
     * The largest UDP payload (QUIC packet) this end sends off loopback: 1,200, quiche's default and QUIC's minimum,
     * which every path that carries QUIC carries (IPv6's 1,280-byte minimum MTU included); raise it with
     * {@link CommonContext#UDP_PAYLOAD_BYTES_PROP_NAME} where the MTU is known.
     */
    public static final int SEND_UDP_PAYLOAD_BYTES = 1200;

    /**
     * The UDP payload sent and received when both ends are on loopback (an MTU of 64 KiB): 16,383 bytes, the largest
     * packet quiche sends once connected. The QUIC codec's cost is per datagram (about 4 µs on each side on a shared
     * 2-vCPU VM: decryption, the stream events, the read and the write), so a 1 KiB envelope, alone in a 1,200-byte
     * packet, cost 3-4 times the CPU it costs in packets of 14 envelopes.
     */
    public static final int LOOPBACK_UDP_PAYLOAD_BYTES = 16_383;

    /**
     * The UDP payload a socket of this end sends at most: {@link CommonContext#udpPayloadBytes()} when set, else
     * {@link #LOOPBACK_UDP_PAYLOAD_BYTES} on loopback and {@link #SEND_UDP_PAYLOAD_BYTES} elsewhere. The packets sent
     * are the smaller of this and the peer's advertised {@link #receiveUdpPayloadBytes receive size}.
     *
     * @param ctx      for the configured size.
     * @param loopback whether every peer of the socket is on loopback (a loopback bind or remote address).
     * @return bytes.
     */
    public static int sendUdpPayloadBytes(final CommonContext<?> ctx, final boolean loopback)
    {
        return 0 != ctx.udpPayloadBytes() ? ctx.udpPayloadBytes() :
            loopback ? LOOPBACK_UDP_PAYLOAD_BYTES : SEND_UDP_PAYLOAD_BYTES;
    }

    /**
     * The UDP payload a socket of this end receives at most, advertised as QUIC's {@code max_udp_payload_size} and
     * used as the slot of each datagram in a batched read: {@link CommonContext#udpPayloadBytes()} when set, else
     * {@link #LOOPBACK_UDP_PAYLOAD_BYTES} on loopback and {@link #MAX_UDP_PAYLOAD_BYTES} elsewhere.
     *
     * @param ctx      for the configured size.
     * @param loopback whether every peer of the socket is on loopback.
     * @return bytes.
     */
    public static int receiveUdpPayloadBytes(final CommonContext<?> ctx, final boolean loopback)
    {
        return 0 != ctx.udpPayloadBytes() ? ctx.udpPayloadBytes() :
            loopback ? LOOPBACK_UDP_PAYLOAD_BYTES : MAX_UDP_PAYLOAD_BYTES;
    }

    /**
     * Check that the JVM has the flags the transport needs ({@link JvmFlags#ensure()}) and that QUIC's native
     * library loads.
     *
     * @throws IllegalStateException with the cause and what to do when it does not.
     */
    public static void ensureAvailable()
    {
        JvmFlags.ensure();
        try
        {
            Quic.ensureAvailability();
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("QUIC native library (netty-incubator-codec-native-quic, quiche + " +
                "BoringSSL) cannot load on " + System.getProperty("os.name") + "/" + System.getProperty("os.arch") +
                ": the transport needs linux-x86_64 with glibc; cause: " + Quic.unavailabilityCause(), ex);
        }
    }

    /**
     * Whether the epoll transport is in use.
     *
     * @return true on Linux with the epoll native library.
     */
    public static boolean isEpoll()
    {
        return Epoll.isAvailable();
    }

    /**
     * A group of I/O event loops, epoll when available.
     *
     * @param threads    loop count.
     * @param namePrefix thread name prefix.
     * @return the group.
     */
    public static EventLoopGroup newEventLoopGroup(final int threads, final String namePrefix)
    {
        return newEventLoopGroup(threads, namePrefix, false);
    }

    /**
     * A group of I/O event loops, epoll when available, optionally busy-polling
     * ({@link CommonContext#IO_BUSY_POLL_PROP_NAME}): when a loop has no task it polls {@code epoll_wait} with a zero
     * timeout ({@link SelectStrategy#BUSY_WAIT}) instead of sleeping in it, and runs its tasks and due timers between
     * polls. NIO cannot busy-poll: the setting is then ignored, with a warning.
     *
     * @param threads    loop count.
     * @param namePrefix thread name prefix.
     * @param busyPoll   true to keep the loops polling.
     * @return the group.
     */
    public static EventLoopGroup newEventLoopGroup(final int threads, final String namePrefix, final boolean busyPoll)
    {
        final DefaultThreadFactory factory = new DefaultThreadFactory(namePrefix, true);
        if (!isEpoll())
        {
            if (busyPoll)
            {
                LOG.log(System.Logger.Level.WARNING, CommonContext.IO_BUSY_POLL_PROP_NAME +
                    "=true needs the epoll transport: " + namePrefix + " sleeps in select when idle");
            }
            return new NioEventLoopGroup(threads, factory);
        }
        return busyPoll ?
            new EpollEventLoopGroup(threads, factory, BUSY_POLL) : new EpollEventLoopGroup(threads, factory);
    }

    /**
     * A bootstrap for UDP channels on a group, with socket buffers set and, for a multi-socket server, SO_REUSEPORT.
     *
     * @param group               the event loop group (or one loop of it).
     * @param ctx                 for buffer sizes.
     * @param reusePort           true to set SO_REUSEPORT (epoll only).
     * @param receivePayloadBytes the largest datagram the socket takes ({@link #receiveUdpPayloadBytes}).
     * @return the bootstrap, handler still to be set.
     */
    public static Bootstrap datagramBootstrap(final EventLoopGroup group, final CommonContext<?> ctx,
        final boolean reusePort, final int receivePayloadBytes)
    {
        final Bootstrap bootstrap = new Bootstrap()
            .group(group)
            .channel(isEpoll() ? EpollDatagramChannel.class : NioDatagramChannel.class)
            .option(ChannelOption.SO_RCVBUF, ctx.socketReceiveBufferBytes())
            .option(ChannelOption.SO_SNDBUF, ctx.socketSendBufferBytes());
        if (ctx.udpReceiveBatch() > 1 && isEpoll())
        {
            // recvmmsg: up to udpReceiveBatch datagrams per system call, each in its own slice of one read buffer.
            bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, receivePayloadBytes)
                .option(ChannelOption.RCVBUF_ALLOCATOR,
                    new FixedRecvByteBufAllocator(receivePayloadBytes * ctx.udpReceiveBatch()));
        }
        else
        {
            bootstrap.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(receivePayloadBytes));
        }
        if (reusePort && isEpoll())
        {
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        return bootstrap;
    }

    /**
     * The handler of a UDP channel: a {@link DatagramCounter} nearest the socket, then the QUIC codec (or dispatcher).
     *
     * @param counter this channel's datagram counter (one per channel).
     * @param codec   the QUIC codec or codec dispatcher.
     * @return the handler to give the bootstrap.
     */
    public static ChannelHandler countingDatagrams(final DatagramCounter counter, final ChannelHandler codec)
    {
        return new ChannelInitializer<>()
        {
            protected void initChannel(final Channel channel)
            {
                channel.pipeline().addLast(counter, codec);
            }
        };
    }

    /**
     * How QUIC packets are handed to the socket: with the epoll transport and {@link CommonContext#udpSegments()}
     * above 0, up to that many packets per UDP segmentation-offload write (one system call, one trip down the
     * stack), as many as fit the 64 KiB a UDP send takes; otherwise one datagram per packet.
     *
     * @param ctx              for the segment count.
     * @param sendPayloadBytes the largest packet sent ({@link #sendUdpPayloadBytes}).
     * @return the allocator for the {@code QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR} option.
     */
    public static SegmentedDatagramPacketAllocator datagramAllocator(
        final CommonContext<?> ctx, final int sendPayloadBytes)
    {
        final int segments = Math.min(ctx.udpSegments(), MAX_UDP_SEND_BYTES / sendPayloadBytes);
        return isEpoll() && segments > 1 ?
            EpollQuicUtils.newSegmentedAllocator(segments) : SegmentedDatagramPacketAllocator.NONE;
    }

    /**
     * Log the socket buffers the kernel granted, with a warning when below what was asked for.
     *
     * @param channel a bound UDP channel.
     * @param ctx     with the requested sizes.
     */
    public static void logSocketBuffers(final Channel channel, final CommonContext<?> ctx)
    {
        final int rcv = channel.config().getOption(ChannelOption.SO_RCVBUF);
        final int snd = channel.config().getOption(ChannelOption.SO_SNDBUF);
        // Linux reports twice the value it was given (bookkeeping overhead): compare against half.
        if (rcv / 2 < ctx.socketReceiveBufferBytes() || snd / 2 < ctx.socketSendBufferBytes())
        {
            LOG.log(System.Logger.Level.WARNING, "UDP socket buffers capped by the kernel: SO_RCVBUF=" + rcv +
                " SO_SNDBUF=" + snd + " (asked " + ctx.socketReceiveBufferBytes() + "/" +
                ctx.socketSendBufferBytes() + "); raise net.core.rmem_max and net.core.wmem_max, " +
                "small buffers drop packets under load");
        }
        else
        {
            LOG.log(System.Logger.Level.DEBUG, "UDP socket buffers: SO_RCVBUF=" + rcv + " SO_SNDBUF=" + snd);
        }
    }
}
