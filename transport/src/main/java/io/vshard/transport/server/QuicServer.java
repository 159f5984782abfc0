package io.vshard.transport.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicChannelOption;
import io.netty.incubator.codec.quic.QuicCodecDispatcher;
import io.netty.incubator.codec.quic.QuicConnectionIdGenerator;
import io.netty.incubator.codec.quic.QuicServerCodecBuilder;
import io.netty.incubator.codec.quic.QuicSslContext;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.vshard.core.pipeline.Pipeline;
import io.vshard.core.pipeline.RoomListener;
import io.vshard.transport.DatagramCounter;
import io.vshard.transport.QuicRuntime;
import io.vshard.transport.ServerContext;
import io.vshard.transport.TransportCounters;
import io.vshard.transport.tls.QuicTls;
import org.agrona.ErrorHandler;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The QUIC server of a node: binds a UDP address (one socket per I/O thread with SO_REUSEPORT and Netty's
 * {@link QuicCodecDispatcher} on epoll), admits peers whose certificate the cluster CA issued, and moves frames
 * between their streams and a {@link Pipeline}. Embedding: construct from a launched pipeline and a context,
 * {@link #start()}, {@link #close()}, then {@link Pipeline#release()}.
 * <p>
 * Threading: {@link #start()} and {@link #close()} from one control thread; everything else runs on the I/O
 * threads it owns.
 */
public final class QuicServer implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger("io.vshard.transport");
    // A refused peer retransmits its Initial for a few probe timeouts at most: remember attempts that long.
    private static final long REFUSAL_WINDOW_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int REFUSALS_REMEMBERED = 4096;
    // Refusals and connections closed for their answers are logged at most once per interval, with counts.
    private static final long REFUSAL_REPORT_INTERVAL_MS = 10_000;
    private static final int REPORTED_COUNTERS = 5;

    final ServerContext ctx;
    final AtomicInteger connectionCount = new AtomicInteger();
    final AtomicInteger openStreams = new AtomicInteger();
    final RefusalLog refusals = new RefusalLog(REFUSAL_WINDOW_NS, REFUSALS_REMEMBERED);
    HandshakeAdmission handshakes;
    TransportCounters counters;
    private final Pipeline pipeline;
    private final Set<ServerConnection> connections = ConcurrentHashMap.newKeySet();
    private final RoomListener roomListener = this::onRoom;
    private final List<Channel> sockets = new ArrayList<>();
    private ServerIoLoop[] loops;
    private EventLoopGroup group;
    private ErrorHandler errorHandler;
    private volatile boolean closing;
    private boolean started;
    private boolean closed;
    private RetryTokenHandler tokenHandler;
    private int sendPayloadBytes;
    private int receivePayloadBytes;
    private final long[] reported = new long[REPORTED_COUNTERS];

    /**
     * A server for a pipeline; nothing is bound before {@link #start()}.
     *
     * @param pipeline the launched pipeline frames go to.
     * @param ctx      the transport configuration, concluded at start.
     */
    public QuicServer(final Pipeline pipeline, final ServerContext ctx)
    {
        this.pipeline = pipeline;
        this.ctx = ctx;
    }

    /**
     * Check QUIC's native library, resolve the TLS material, start the I/O threads and bind.
     *
     * @return this.
     * @throws IllegalStateException when QUIC is unavailable, TLS material is missing or binding fails.
     */
    public QuicServer start()
    {
        if (started)
        {
            throw new IllegalStateException("already started");
        }
        QuicRuntime.ensureAvailable();
        ctx.conclude();
        errorHandler = null != ctx.errorHandler() ? ctx.errorHandler() : pipeline.context().errorHandler();
        started = true;
        final QuicSslContext sslContext = QuicTls.server(ctx.nodeCertificate());
        counters = new TransportCounters(pipeline.countersManager());
        handshakes = new HandshakeAdmission(ctx.maxHandshakes(), ctx.maxHandshakesPerAddress());
        tokenHandler = ctx.addressValidation() ? new RetryTokenHandler() : null;
        final boolean reusePort = ctx.ioThreads() > 1 && QuicRuntime.isEpoll();
        final int threads = reusePort ? ctx.ioThreads() : 1;
        if (ctx.ioThreads() > 1 && !reusePort)
        {
            LOG.log(System.Logger.Level.WARNING, "epoll unavailable: the server uses one I/O thread, not " +
                ctx.ioThreads());
        }
        group = QuicRuntime.newEventLoopGroup(threads, ctx.cluster() + "-quic-io", ctx.ioBusyPoll());
        loops = new ServerIoLoop[threads];
        try
        {
            InetSocketAddress address = ctx.bindAddress();
            // Peers of a loopback address are on loopback: packets as large as quiche sends.
            final boolean loopback = address.getAddress().isLoopbackAddress();
            sendPayloadBytes = QuicRuntime.sendUdpPayloadBytes(ctx, loopback);
            receivePayloadBytes = QuicRuntime.receiveUdpPayloadBytes(ctx, loopback);
            final ChannelHandler handler = reusePort ? new Dispatcher(sslContext) : codec(sslContext, null, 0);
            for (int i = 0; i < threads; i++)
            {
                final EventLoop loop = group.next();
                loops[i] = new ServerIoLoop(loop, pipeline, ctx, counters, errorHandler);
                final Bootstrap bootstrap = QuicRuntime.datagramBootstrap(loop, ctx, reusePort, receivePayloadBytes)
                    .handler(QuicRuntime.countingDatagrams(
                    new DatagramCounter(counters.datagramsIn, counters.datagramsOut), handler));
                final Channel socket = bootstrap.bind(address).syncUninterruptibly().channel();
                sockets.add(socket);
                address = (InetSocketAddress)socket.localAddress();
            }
            QuicRuntime.logSocketBuffers(sockets.get(0), ctx);
            pipeline.addRoomListener(roomListener);
            loops[0].eventLoop.scheduleWithFixedDelay(this::reportRefusals, REFUSAL_REPORT_INTERVAL_MS,
                REFUSAL_REPORT_INTERVAL_MS, TimeUnit.MILLISECONDS);
        }
        catch (final RuntimeException ex)
        {
            shutdownSockets();
            throw new IllegalStateException("cannot bind " + ctx.bindAddress(), ex);
        }
        LOG.log(System.Logger.Level.INFO, "QUIC server " + ctx.nodeCertificate().identity().uri() + " on " +
            localAddress() + ": " + threads + " I/O thread(s), " + (QuicRuntime.isEpoll() ? "epoll" : "nio") +
            ", ALPN " + QuicTls.ALPN + ", mutual TLS" + (ctx.dev() ? " (DEVELOPMENT CA)" : "") +
            (null != tokenHandler ? ", address validation" : ", NO address validation"));
        return this;
    }

    /**
     * The bound address.
     *
     * @return the address, with the actual port when 0 was asked for.
     */
    public InetSocketAddress localAddress()
    {
        return (InetSocketAddress)sockets.get(0).localAddress();
    }

    /**
     * The transport's counters, for tests and monitoring.
     *
     * @return the counters, after {@link #start()}.
     */
    public TransportCounters counters()
    {
        return counters;
    }

    /**
     * Connections currently identified and open.
     *
     * @return the count.
     */
    public int connectionCount()
    {
        return connections.size();
    }

    /**
     * Connections in their handshake, for tests and monitoring (they count against the handshake limits, not the
     * connection limit).
     *
     * @return the count, 0 before {@link #start()}.
     */
    public int handshakesInProgress()
    {
        return null == handshakes ? 0 : handshakes.inProgress();
    }

    /**
     * Peer streams currently open on all connections, for tests and monitoring: a stream counts from its first
     * byte until the node has freed it (answered and finished, reset, or its connection gone).
     *
     * @return the count.
     */
    public int openStreamCount()
    {
        return openStreams.get();
    }

    /**
     * Whether a graceful close has begun.
     *
     * @return true once {@link #close()} was called.
     */
    public boolean isClosing()
    {
        return closing;
    }

    /**
     * Graceful close: refuse new connections; close the pipeline (new frames are answered SHUTTING_DOWN while the
     * lanes drain what they accepted); deliver every answer and end each stream after its answers; wait up to
     * {@link ServerContext#shutdownTimeoutMs()} for peers to finish their streams; close every connection with a
     * clean application close; stop the I/O threads and free the counters. The pipeline is left for its owner to
     * {@link Pipeline#release()}. Control thread; idempotent.
     */
    public void close()
    {
        if (!started || closed)
        {
            return;
        }
        closed = true;
        closing = true;
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.shutdownTimeoutMs());
        try
        {
            // A handler stuck past the shutdown timeout is reported by the pipeline and left behind; the rest goes on.
            pipeline.close(remainingMs(deadlineNs));
            for (final ServerIoLoop loop : loops)
            {
                loop.eventLoop.submit(loop::finishStreams).awaitUninterruptibly(remainingMs(deadlineNs));
            }
            while (openStreams.get() > 0 && System.nanoTime() < deadlineNs)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            for (final ServerConnection connection : connections)
            {
                connection.channel().eventLoop().execute(connection::closeCleanly);
            }
            for (final ServerConnection connection : connections)
            {
                connection.channel().closeFuture().awaitUninterruptibly(remainingMs(deadlineNs));
            }
        }
        finally
        {
            pipeline.removeRoomListener(roomListener);
            shutdownSockets();
            counters.close();
        }
    }

    void register(final ServerConnection connection)
    {
        connections.add(connection);
    }

    void unregister(final ServerConnection connection)
    {
        connections.remove(connection);
    }

    private void onRoom(final int laneId)
    {
        for (final ServerIoLoop loop : loops)
        {
            loop.scheduleResume();
        }
    }

    private void reportRefusals()
    {
        final long[] now = {
            counters.connectionsRefused.get(), counters.handshakesRefused.get(), counters.connectionsClosedUnread.get(),
            counters.connectionsClosedOverBudget.get(), counters.directMemoryFailures.get() };
        boolean changed = false;
        for (int i = 0; i < REPORTED_COUNTERS; i++)
        {
            changed |= now[i] != reported[i];
        }
        if (changed)
        {
            LOG.log(System.Logger.Level.WARNING, String.format("in the last %d s: %d connections refused " +
                "(%d over the handshake limits, %d handshakes in progress), %d closed with answers unread, %d closed " +
                "over the reply budget, %d direct memory failures; %d reply bytes queued",
                TimeUnit.MILLISECONDS.toSeconds(REFUSAL_REPORT_INTERVAL_MS), now[0] - reported[0], now[1] - reported[1],
                handshakes.inProgress(), now[2] - reported[2], now[3] - reported[3], now[4] - reported[4],
                counters.replyBytesQueued.get()));
            System.arraycopy(now, 0, reported, 0, REPORTED_COUNTERS);
        }
    }

    private ServerIoLoop loopOf(final EventLoop eventLoop)
    {
        for (final ServerIoLoop loop : loops)
        {
            if (loop.eventLoop == eventLoop)
            {
                return loop;
            }
        }
        throw new IllegalStateException("stream on an event loop the server does not own: " + eventLoop);
    }

    private ChannelHandler codec(
        final QuicSslContext sslContext, final QuicConnectionIdGenerator idGenerator, final int idLength)
    {
        final QuicServerCodecBuilder builder = new QuicServerCodecBuilder()
            .sslContext(sslContext)
            .maxIdleTimeout(ctx.idleTimeoutMs(), TimeUnit.MILLISECONDS)
            .maxRecvUdpPayloadSize(receivePayloadBytes)
            .maxSendUdpPayloadSize(sendPayloadBytes)
            .initialMaxData(ctx.connectionWindowBytes())
            .initialMaxStreamDataBidirectionalLocal(ctx.streamWindowBytes())
            .initialMaxStreamDataBidirectionalRemote(ctx.streamWindowBytes())
            .initialMaxStreamsBidirectional(ctx.maxStreamsPerConnection())
            .initialMaxStreamsUnidirectional(0)
            .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR,
                QuicRuntime.datagramAllocator(ctx, sendPayloadBytes))
            .handler(new ChannelInitializer<QuicChannel>()
            {
                protected void initChannel(final QuicChannel channel)
                {
                    channel.pipeline().addLast(new ServerConnection(QuicServer.this));
                }
            })
            .streamHandler(new ChannelInitializer<QuicStreamChannel>()
            {
                protected void initChannel(final QuicStreamChannel stream)
                {
                    final ServerConnection connection = stream.parent().pipeline().get(ServerConnection.class);
                    if (null == connection || !connection.isIdentified() || closing)
                    {
                        stream.close();
                        return;
                    }
                    stream.pipeline().addLast(new InboundStream(loopOf(stream.eventLoop()), connection, stream));
                }
            });
        if (null != tokenHandler)
        {
            builder.tokenHandler(tokenHandler);
        }
        if (null != idGenerator)
        {
            builder.localConnectionIdLength(idLength).connectionIdAddressGenerator(idGenerator);
        }
        return builder.build();
    }

    private void shutdownSockets()
    {
        for (final Channel socket : sockets)
        {
            socket.close().awaitUninterruptibly(1_000);
        }
        if (null != group)
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
        }
    }

    private static long remainingMs(final long deadlineNs)
    {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime()));
    }

    private final class Dispatcher extends QuicCodecDispatcher
    {
        private final QuicSslContext sslContext;

        Dispatcher(final QuicSslContext sslContext)
        {
            this.sslContext = sslContext;
        }

        protected void initChannel(
            final Channel channel, final int localConnectionIdLength, final QuicConnectionIdGenerator idGenerator)
        {
            channel.pipeline().addLast(codec(sslContext, idGenerator, localConnectionIdLength));
        }
    }

    /**
     * The handler every server thread reports errors to.
     *
     * @return the error handler.
     */
    ErrorHandler errorHandler()
    {
        return errorHandler;
    }
}
