package io.vshard.transport.client;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicChannelOption;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.incubator.codec.quic.QuicStreamType;
import io.netty.incubator.codec.quic.SegmentedDatagramPacketAllocator;
import io.netty.util.concurrent.Future;
import io.vshard.transport.ClientContext;
import io.vshard.transport.QuicErrorCodes;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps a client's connection up: opens it with all the client's streams, reopens a stream the server closes while
 * the connection stays up, replaces the connection when the server ends its streams, keeps closing them, or the
 * connection is lost, with a backoff from {@link ClientContext#reconnectMinMs()} doubling to
 * {@link ClientContext#reconnectMaxMs()}. Everything but the getters and {@link #markClosed()} runs on the client's
 * I/O thread.
 */
final class ConnectionKeeper
{
    /** Streams a connection may reopen, per stream, before the keeper replaces the connection instead. */
    static final int STREAM_REOPENS_PER_STREAM = 4;

    private static final System.Logger LOG = System.getLogger("io.vshard.transport");

    private final ClientContext ctx;
    private final InetSocketAddress remote;
    private final Channel socket;
    private final EventLoop eventLoop;
    private final ClientStream[] streams;
    private final SegmentedDatagramPacketAllocator datagramAllocator;
    private final CompletableFuture<Void> firstConnect = new CompletableFuture<>();
    private final AtomicInteger connects = new AtomicInteger();
    private final Runnable openConnection = this::openConnection;
    private QuicChannel connection;
    private int attachedStreams;
    private int streamReopens;
    private long backoffMs;
    private volatile boolean connected;
    private volatile boolean closed;

    ConnectionKeeper(
        final ClientContext ctx,
        final InetSocketAddress remote,
        final Channel socket,
        final EventLoop eventLoop,
        final ClientStream[] streams,
        final SegmentedDatagramPacketAllocator datagramAllocator)
    {
        this.ctx = ctx;
        this.datagramAllocator = datagramAllocator;
        this.remote = remote;
        this.socket = socket;
        this.eventLoop = eventLoop;
        this.streams = streams;
        this.backoffMs = ctx.reconnectMinMs();
    }

    /**
     * Any thread: start connecting.
     *
     * @return completed once the first connection is up with all its streams; failed when it cannot be made.
     */
    CompletableFuture<Void> start()
    {
        eventLoop.execute(openConnection);
        return firstConnect;
    }

    /**
     * Whether a connection with all its streams is up. Any thread.
     *
     * @return true when sends can go out.
     */
    boolean isConnected()
    {
        return connected;
    }

    /**
     * Whether {@link #markClosed()} was called. Any thread.
     *
     * @return true once the client closes.
     */
    boolean isClosed()
    {
        return closed;
    }

    /**
     * Connections made so far, reconnects included. Any thread.
     *
     * @return the count.
     */
    int connectCount()
    {
        return connects.get();
    }

    /**
     * Control thread: the client closes; make no connection more. Follow with {@link #closeOnLoop()} on the I/O
     * thread.
     */
    void markClosed()
    {
        closed = true;
        connected = false;
    }

    /**
     * I/O thread, after {@link #markClosed()}: close the connection cleanly, detach the streams (failing what they
     * wait for) and close the socket.
     */
    void closeOnLoop()
    {
        final QuicChannel current = connection;
        connection = null;
        if (null != current)
        {
            current.close(true, QuicErrorCodes.NO_ERROR, Unpooled.EMPTY_BUFFER);
        }
        for (final ClientStream stream : streams)
        {
            stream.detach();
        }
        socket.close();
    }

    /**
     * I/O thread: a stream closed while the connection may still be up. A stream the server ended (its graceful
     * shutdown) means the server is going: the connection is replaced as a whole. A stream closed otherwise (reset
     * by the server, say): its written requests fail, and a new stream replaces it on the same connection, so the
     * other streams go on undisturbed. A server that keeps closing streams ({@link #STREAM_REOPENS_PER_STREAM} per
     * stream and connection) or a new stream that cannot be opened gets the connection replaced as a whole too.
     */
    void onStreamClosed(final ClientStream stream, final boolean endedByServer)
    {
        final QuicChannel current = connection;
        if (null == current || !current.isActive() || closed)
        {
            return;
        }
        if (endedByServer)
        {
            current.close(true, QuicErrorCodes.NO_ERROR, Unpooled.EMPTY_BUFFER);
            return;
        }
        if (++streamReopens > STREAM_REOPENS_PER_STREAM * streams.length)
        {
            LOG.log(System.Logger.Level.WARNING, "streams to " + remote + " keep closing; replacing the connection");
            current.close(true, QuicErrorCodes.NO_ERROR, Unpooled.EMPTY_BUFFER);
            return;
        }
        stream.detachForReopen();
        current.createStream(QuicStreamType.BIDIRECTIONAL, stream.handler()).addListener((created) ->
        {
            if (created.isSuccess() && current == connection && current.isActive())
            {
                stream.attach((QuicStreamChannel)created.getNow());
            }
            else
            {
                if (created.isSuccess())
                {
                    ((QuicStreamChannel)created.getNow()).close();
                }
                current.close(true, QuicErrorCodes.NO_ERROR, Unpooled.EMPTY_BUFFER);
            }
        });
    }

    private void openConnection()
    {
        if (closed)
        {
            return;
        }
        QuicChannel.newBootstrap(socket)
            .handler(new ChannelInboundHandlerAdapter())
            .streamHandler(new ChannelInboundHandlerAdapter()
            {
                public void channelActive(final ChannelHandlerContext ctx)
                {
                    // The server opens no streams: a stream it opens is refused.
                    ctx.close();
                }
            })
            .option(ChannelOption.AUTO_READ, true)
            .option(QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR, datagramAllocator)
            .remoteAddress(remote)
            .connect()
            .addListener(this::onConnected);
    }

    private void onConnected(final Future<? super QuicChannel> future)
    {
        if (!future.isSuccess())
        {
            onConnectionLost(future.cause());
            return;
        }
        final QuicChannel channel = (QuicChannel)future.getNow();
        if (closed)
        {
            channel.close(true, QuicErrorCodes.NO_ERROR, Unpooled.EMPTY_BUFFER);
            return;
        }
        connection = channel;
        attachedStreams = 0;
        streamReopens = 0;
        channel.closeFuture().addListener((ignore) -> onConnectionClosed(channel));
        for (final ClientStream stream : streams)
        {
            channel.createStream(QuicStreamType.BIDIRECTIONAL, stream.handler()).addListener((created) ->
            {
                if (created.isSuccess())
                {
                    stream.attach((QuicStreamChannel)created.getNow());
                    if (++attachedStreams == streams.length && channel.isActive())
                    {
                        backoffMs = ctx.reconnectMinMs();
                        connects.incrementAndGet();
                        connected = true;
                        firstConnect.complete(null);
                    }
                }
                else
                {
                    channel.close();
                }
            });
        }
    }

    private void onConnectionClosed(final QuicChannel channel)
    {
        if (channel != connection)
        {
            return;
        }
        connection = null;
        onConnectionLost(null);
    }

    private void onConnectionLost(final Throwable cause)
    {
        connected = false;
        for (final ClientStream stream : streams)
        {
            stream.detach();
        }
        if (closed)
        {
            return;
        }
        if (!firstConnect.isDone())
        {
            firstConnect.completeExceptionally(null != cause ? cause : new IllegalStateException("connection closed"));
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "connection to " + remote + " lost" +
            (null != cause ? ": " + cause : "") + "; reconnecting in " + backoffMs + " ms");
        eventLoop.schedule(openConnection, backoffMs, TimeUnit.MILLISECONDS);
        backoffMs = Math.min(backoffMs * 2, ctx.reconnectMaxMs());
    }
}
