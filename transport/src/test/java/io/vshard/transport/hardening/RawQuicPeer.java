package io.vshard.transport.hardening;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicClientCodecBuilder;
import io.netty.incubator.codec.quic.QuicSslContext;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.incubator.codec.quic.QuicStreamType;
import io.netty.util.concurrent.Future;
import io.vshard.transport.QuicRuntime;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A QUIC peer with none of the client's manners, for hostile-peer tests: it connects with whatever TLS context it is
 * given, opens as many streams as it likes, writes arbitrary bytes and may never read what comes back. Built straight
 * on Netty's QUIC codec, so it does what the test says and nothing else. Owns its UDP socket; shares the event loop
 * group it is given.
 */
public final class RawQuicPeer implements AutoCloseable
{
    private final Channel socket;
    private final QuicChannel connection;

    private RawQuicPeer(final Channel socket, final QuicChannel connection)
    {
        this.socket = socket;
        this.connection = connection;
    }

    /**
     * Connect, waiting for the handshake.
     *
     * @param group         event loops to run on.
     * @param server        the node.
     * @param sslContext    the peer's TLS.
     * @param idleTimeoutMs the peer's own idle timeout (QUIC uses the smaller of both ends').
     * @param timeoutMs     how long to wait for the handshake.
     * @return the connected peer.
     * @throws IllegalStateException when the connection is refused or fails.
     */
    public static RawQuicPeer connect(
        final EventLoopGroup group,
        final InetSocketAddress server,
        final QuicSslContext sslContext,
        final long idleTimeoutMs,
        final long timeoutMs)
    {
        return connect(group, server, sslContext, idleTimeoutMs, timeoutMs, new ChannelInboundHandlerAdapter());
    }

    /**
     * Connect, waiting for the handshake, with a handler of the connection's own (it sees, for example, the
     * {@code QuicConnectionCloseEvent} the server closes it with).
     *
     * @param group             event loops to run on.
     * @param server            the node.
     * @param sslContext        the peer's TLS.
     * @param idleTimeoutMs     the peer's own idle timeout (QUIC uses the smaller of both ends').
     * @param timeoutMs         how long to wait for the handshake.
     * @param connectionHandler added to the connection's pipeline.
     * @return the connected peer.
     * @throws IllegalStateException when the connection is refused or fails.
     */
    public static RawQuicPeer connect(
        final EventLoopGroup group,
        final InetSocketAddress server,
        final QuicSslContext sslContext,
        final long idleTimeoutMs,
        final long timeoutMs,
        final ChannelHandler connectionHandler)
    {
        final ChannelHandler codec = new QuicClientCodecBuilder()
            .sslContext(sslContext)
            .maxIdleTimeout(idleTimeoutMs, TimeUnit.MILLISECONDS)
            // What its socket reads whole (Netty's default datagram buffer is 2,048 bytes; quiche would advertise
            // 65,527 and a loopback server send 16,383-byte packets it truncates).
            .maxRecvUdpPayloadSize(QuicRuntime.MAX_UDP_PAYLOAD_BYTES)
            .initialMaxData(16 * 1024 * 1024)
            .initialMaxStreamDataBidirectionalLocal(4 * 1024 * 1024)
            .initialMaxStreamDataBidirectionalRemote(4 * 1024 * 1024)
            .initialMaxStreamsBidirectional(0)
            .initialMaxStreamsUnidirectional(0)
            .build();
        final Channel socket = new Bootstrap().group(group)
            .channel(Epoll.isAvailable() ? EpollDatagramChannel.class : NioDatagramChannel.class)
            .handler(codec)
            .bind("127.0.0.1", 0).syncUninterruptibly().channel();
        final Future<QuicChannel> connecting = QuicChannel.newBootstrap(socket)
            .handler(connectionHandler)
            .streamHandler(new ChannelInboundHandlerAdapter())
            .remoteAddress(server)
            .connect();
        if (!connecting.awaitUninterruptibly(timeoutMs) || !connecting.isSuccess())
        {
            connecting.cancel(false);
            socket.close().awaitUninterruptibly(1_000);
            throw new IllegalStateException("connection refused or failed", connecting.cause());
        }
        return new RawQuicPeer(socket, connecting.getNow());
    }

    /**
     * The connection.
     *
     * @return the QUIC channel.
     */
    public QuicChannel connection()
    {
        return connection;
    }

    /**
     * Open a bidirectional stream.
     *
     * @param handler  for what the server writes on it.
     * @param autoRead false to never read what the server writes.
     * @return the stream's future: fails or stays pending when the server allows no more streams.
     */
    public Future<QuicStreamChannel> openStream(final ChannelHandler handler, final boolean autoRead)
    {
        return connection.newStreamBootstrap()
            .type(QuicStreamType.BIDIRECTIONAL)
            .handler(handler)
            .option(ChannelOption.AUTO_READ, autoRead)
            .create();
    }

    /**
     * Whether the connection is still open.
     *
     * @return true while active.
     */
    public boolean isActive()
    {
        return connection.isActive();
    }

    /**
     * Write bytes on a stream and flush.
     *
     * @param stream the stream.
     * @param bytes  anything.
     */
    public static void write(final QuicStreamChannel stream, final byte[] bytes)
    {
        stream.writeAndFlush(Unpooled.wrappedBuffer(bytes));
    }

    /**
     * Close the connection and the socket.
     */
    public void close()
    {
        connection.close().awaitUninterruptibly(2_000);
        socket.close().awaitUninterruptibly(2_000);
    }
}
