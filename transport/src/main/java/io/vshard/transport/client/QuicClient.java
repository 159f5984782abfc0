package io.vshard.transport.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicChannelOption;
import io.netty.incubator.codec.quic.QuicClientCodecBuilder;
import io.netty.incubator.codec.quic.QuicSslContext;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.incubator.codec.quic.QuicStreamType;
import io.netty.util.concurrent.Future;
import io.vshard.core.wire.EnvelopeView;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.transport.ClientContext;
import io.vshard.transport.DatagramCounter;
import io.vshard.transport.QuicErrorCodes;
import io.vshard.transport.QuicRuntime;
import io.vshard.transport.tls.QuicTls;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client of one node: one QUIC connection with {@link ClientContext#clientStreams()} long-lived bidirectional
 * streams, kept up with reconnects (backoff from {@link ClientContext#reconnectMinMs()} doubling to
 * {@link ClientContext#reconnectMaxMs()}).
 * <p>
 * Application threads, any number, call {@link #send} (fire-and-forget) and {@link #request}: the frame is copied
 * into the stream's bounded send queue and the call returns at once, never blocking; a full queue (the server or
 * the network holds us back) answers {@link #BACK_PRESSURED}. The I/O thread batches queued frames into writes,
 * matches answers by correlation id and calls the {@link AnswerListener} exactly once per request: the answer,
 * {@link AnswerListener#TIMED_OUT} after {@link ClientContext#requestTimeoutMs()}, or
 * {@link AnswerListener#CONNECTION_CLOSED}. Requests are never re-sent.
 * <pre>{@code
 * QuicClient client = new QuicClient(ctx, serverAddress, (id, kind, code, envelope) -> { ... }).connect();
 * long id = client.request(0, buffer, 0, envelopeLength);   // > 0: sent; else BACK_PRESSURED / NOT_CONNECTED
 * CompletableFuture<Answer> answer = client.request(0, VShardEnvelope.of(...));
 * }</pre>
 */
public final class QuicClient implements AutoCloseable
{
    /** {@link #send} result: queued for sending. */
    public static final int SENT = 0;

    /** Result: the stream's send queue is full; retry later. */
    public static final int BACK_PRESSURED = -1;

    /** Result: no connection right now (connecting or reconnecting). */
    public static final int NOT_CONNECTED = -2;

    /** Result: the client was closed. */
    public static final int CLOSED = -3;

    private static final System.Logger LOG = System.getLogger("io.vshard.transport");
    private static final long EXPIRY_INTERVAL_MS = 10;
    private static final long QUEUE_FREE_GRACE_NS = TimeUnit.SECONDS.toNanos(1);

    /** Streams a connection may reopen, per stream, before the client replaces the connection instead. */
    static final int STREAM_REOPENS_PER_STREAM = 4;

    private final ClientContext ctx;
    private final InetSocketAddress remote;
    private final AnswerListener listener;
    private final AtomicLong correlationIds = new AtomicLong();
    private final AtomicLong pendingRequests = new AtomicLong();
    private final AtomicLong unmatchedAnswers = new AtomicLong();
    private final ConcurrentHashMap<Long, CompletableFuture<Answer>> futures = new ConcurrentHashMap<>();
    private final AtomicInteger connects = new AtomicInteger();
    private final DatagramCounter datagrams = new DatagramCounter();
    private QuicSslContext sslContext;
    private ErrorHandler errorHandler;
    private EventLoopGroup group;
    private EventLoop eventLoop;
    private Channel socket;
    private ChannelHandler codec;
    private ClientStream[] streams;
    private QuicChannel connection;
    private int attachedStreams;
    private int streamReopens;
    private long backoffMs;
    private CompletableFuture<QuicClient> firstConnect;
    private volatile boolean connected;
    private volatile boolean closed;

    /**
     * A client; nothing happens before {@link #connect()}.
     *
     * @param ctx      transport configuration with this node's certificate; concluded on connect.
     * @param remote   the server's address.
     * @param listener receives every request's outcome on the I/O thread; may be {@code null} when only the
     *                 future API is used.
     */
    public QuicClient(final ClientContext ctx, final InetSocketAddress remote, final AnswerListener listener)
    {
        this.ctx = ctx;
        this.remote = remote;
        this.listener = listener;
    }

    /**
     * The configuration this client runs with (concluded once connected).
     *
     * @return the context.
     */
    public ClientContext context()
    {
        return ctx;
    }

    /**
     * Use a TLS context of one's own instead of the one built from the context's certificate: for tests and
     * diagnostics (a client without a certificate, say). Before {@link #connect()}.
     *
     * @param sslContext the client TLS context.
     * @return this for a fluent API.
     */
    public QuicClient sslContext(final QuicSslContext sslContext)
    {
        this.sslContext = sslContext;
        return this;
    }

    /**
     * Start the I/O thread and connect, waiting up to the handshake timeout for the first connection.
     * Control thread.
     *
     * @return this.
     * @throws IllegalStateException when the first connection fails (the client is then closed).
     */
    public QuicClient connect()
    {
        QuicRuntime.ensureAvailable();
        if (null == sslContext)
        {
            ctx.conclude();
            sslContext = QuicTls.client(ctx.nodeCertificate(), ctx.serverNodeId());
        }
        errorHandler = null != ctx.errorHandler() ? ctx.errorHandler() : (ex) -> LOG.log(
            System.Logger.Level.ERROR, "client error", ex);
        backoffMs = ctx.reconnectMinMs();
        group = QuicRuntime.newEventLoopGroup(1, "quic-client", ctx.ioBusyPoll());
        eventLoop = group.next();
        streams = new ClientStream[ctx.clientStreams()];
        for (int i = 0; i < streams.length; i++)
        {
            streams[i] = new ClientStream(this, i, eventLoop, ctx);
        }
        codec = new QuicClientCodecBuilder()
            .sslContext(sslContext)
            .maxIdleTimeout(ctx.idleTimeoutMs(), TimeUnit.MILLISECONDS)
            .maxRecvUdpPayloadSize(QuicRuntime.MAX_UDP_PAYLOAD_BYTES)
            .initialMaxData(ctx.connectionWindowBytes())
            .initialMaxStreamDataBidirectionalLocal(ctx.streamWindowBytes())
            .initialMaxStreamDataBidirectionalRemote(ctx.streamWindowBytes())
            .initialMaxStreamsBidirectional(0)
            .initialMaxStreamsUnidirectional(0)
            .build();
        firstConnect = new CompletableFuture<>();
        try
        {
            final Bootstrap bootstrap = QuicRuntime.datagramBootstrap(eventLoop, ctx, false).handler(
                QuicRuntime.countingDatagrams(datagrams, codec));
            socket = bootstrap.bind(remote.getAddress().isLoopbackAddress() ? "127.0.0.1" : "0.0.0.0", 0)
                .syncUninterruptibly().channel();
            eventLoop.scheduleWithFixedDelay(this::expire, EXPIRY_INTERVAL_MS, EXPIRY_INTERVAL_MS,
                TimeUnit.MILLISECONDS);
            eventLoop.execute(this::openConnection);
            firstConnect.get(ctx.handshakeTimeoutMs() + 1_000, TimeUnit.MILLISECONDS);
        }
        catch (final Exception ex)
        {
            close();
            throw new IllegalStateException("cannot connect to " + remote + ": " + ex.getMessage(), ex);
        }
        return this;
    }

    /**
     * Send an envelope fire-and-forget (correlation id 0: never answered). Any thread; never blocks.
     *
     * @param stream   stream index, 0 to {@link #streamCount()} - 1.
     * @param envelope holding the envelope.
     * @param offset   of the envelope.
     * @param length   of the envelope.
     * @return {@link #SENT}, {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED} or {@link #CLOSED}.
     */
    public int send(final int stream, final DirectBuffer envelope, final int offset, final int length)
    {
        final int state = state();
        if (SENT != state)
        {
            return state;
        }
        final long result = streams[stream].offer(FrameDescriptor.FIRE_AND_FORGET, envelope, offset, length);
        return result >= 0 ? SENT : (ClientStream.QUEUE_CLOSED == result ? CLOSED : BACK_PRESSURED);
    }

    /**
     * Send a request; its outcome goes to the {@link AnswerListener}. Any thread; never blocks.
     *
     * @param stream   stream index, 0 to {@link #streamCount()} - 1.
     * @param envelope holding the envelope.
     * @param offset   of the envelope.
     * @param length   of the envelope.
     * @return the correlation id (positive), or {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED} or {@link #CLOSED}.
     *         A refused request takes no correlation id: one thread sending alone sees consecutive ids.
     */
    public long request(final int stream, final DirectBuffer envelope, final int offset, final int length)
    {
        final int state = state();
        if (SENT != state)
        {
            return state;
        }
        // Counted before the frame is queued: the answer may come before offerRequest returns.
        pendingRequests.incrementAndGet();
        final long correlationId = streams[stream].offerRequest(correlationIds, envelope, offset, length);
        if (correlationId <= 0)
        {
            pendingRequests.decrementAndGet();
            return ClientStream.QUEUE_CLOSED == correlationId ? CLOSED : BACK_PRESSURED;
        }
        return correlationId;
    }

    /**
     * Send a request and get its outcome as a future (allocates; for control paths and tests). Any thread.
     * The future fails with {@link IllegalStateException} when the request could not be queued.
     *
     * @param stream   stream index.
     * @param envelope the request.
     * @return the outcome, completed on the I/O thread.
     */
    public CompletableFuture<Answer> request(final int stream, final VShardEnvelope envelope)
    {
        final int state = state();
        if (SENT != state)
        {
            return CompletableFuture.failedFuture(new IllegalStateException(describe(state)));
        }
        final byte[] bytes = envelope.encode();
        final long correlationId = correlationIds.incrementAndGet();
        final CompletableFuture<Answer> future = new CompletableFuture<>();
        futures.put(correlationId, future);
        pendingRequests.incrementAndGet();
        final long result = streams[stream].offer(correlationId, new UnsafeBuffer(bytes), 0, bytes.length);
        if (result < 0)
        {
            pendingRequests.decrementAndGet();
            futures.remove(correlationId);
            return CompletableFuture.failedFuture(new IllegalStateException(
                describe(ClientStream.QUEUE_CLOSED == result ? CLOSED : BACK_PRESSURED)));
        }
        return future;
    }

    /**
     * Requests sent and not yet answered, timed out or failed. Any thread.
     *
     * @return the count.
     */
    public long pendingRequests()
    {
        return pendingRequests.get();
    }

    /**
     * Answers that matched no pending request (late answers after a timeout). Any thread.
     *
     * @return the count.
     */
    public long unmatchedAnswers()
    {
        return unmatchedAnswers.get();
    }

    /**
     * UDP datagrams this client's socket received, as of its I/O thread's last read cycle. Any thread.
     *
     * @return the total.
     */
    public long datagramsIn()
    {
        return datagrams.datagramsIn();
    }

    /**
     * UDP datagrams this client's socket sent (each segment of a segmentation-offload write), as of its last flush.
     * Any thread.
     *
     * @return the total.
     */
    public long datagramsOut()
    {
        return datagrams.datagramsOut();
    }

    /**
     * Streams per connection.
     *
     * @return the count.
     */
    public int streamCount()
    {
        return streams.length;
    }

    /**
     * Whether a connection with all its streams is up. Any thread.
     *
     * @return true when sends can go out.
     */
    public boolean isConnected()
    {
        return connected;
    }

    /**
     * Connections made so far, reconnects included. Any thread.
     *
     * @return the count.
     */
    public int connectCount()
    {
        return connects.get();
    }

    /**
     * Close the connection (clean application close), fail every pending request with
     * {@link AnswerListener#CONNECTION_CLOSED}, stop the I/O thread and free the send queues. Sends from then on,
     * and sends racing with it, answer {@link #CLOSED}. Control thread; idempotent.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        connected = false;
        if (null != streams)
        {
            for (final ClientStream stream : streams)
            {
                if (null != stream)
                {
                    stream.closeQueue();
                }
            }
        }
        if (null != group)
        {
            eventLoop.submit(this::closeOnLoop).awaitUninterruptibly(5_000);
            final boolean stopped = group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
            freeQueues(stopped);
        }
        for (final CompletableFuture<Answer> future : futures.values())
        {
            future.completeExceptionally(new IllegalStateException("client closed"));
        }
        futures.clear();
    }

    private void freeQueues(final boolean ioThreadStopped)
    {
        if (!ioThreadStopped)
        {
            LOG.log(System.Logger.Level.WARNING, "client I/O thread did not stop; send queues left to the GC");
            return;
        }
        for (final ClientStream stream : streams)
        {
            if (null != stream && !stream.freeQueue(QUEUE_FREE_GRACE_NS))
            {
                LOG.log(System.Logger.Level.WARNING, "a sender is still inside send(); its queue is left to the GC");
            }
        }
    }

    ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    void countUnmatched()
    {
        unmatchedAnswers.incrementAndGet();
    }

    /**
     * I/O thread: one request's outcome.
     */
    void deliver(final long correlationId, final int kind, final int errorCode, final EnvelopeView envelope)
    {
        pendingRequests.decrementAndGet();
        try
        {
            if (!futures.isEmpty())
            {
                final CompletableFuture<Answer> future = futures.remove(correlationId);
                if (null != future)
                {
                    try
                    {
                        future.complete(
                            new Answer(correlationId, kind, errorCode, null == envelope ? null : copy(envelope)));
                    }
                    catch (final Throwable ex)
                    {
                        // A malformed answer (a malicious or broken server): the request gets an outcome all the same.
                        future.completeExceptionally(ex);
                        throw ex;
                    }
                    return;
                }
            }
            if (null != listener)
            {
                listener.onAnswer(correlationId, kind, errorCode, envelope);
            }
        }
        catch (final Throwable ex)
        {
            errorHandler.onError(ex);
        }
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
        current.createStream(QuicStreamType.BIDIRECTIONAL, stream).addListener((created) ->
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

    private int state()
    {
        if (closed)
        {
            return CLOSED;
        }
        return connected ? SENT : NOT_CONNECTED;
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
            .option(QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR, QuicRuntime.datagramAllocator(ctx))
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
            channel.createStream(QuicStreamType.BIDIRECTIONAL, stream).addListener((created) ->
            {
                if (created.isSuccess())
                {
                    stream.attach((QuicStreamChannel)created.getNow());
                    if (++attachedStreams == streams.length && channel.isActive())
                    {
                        backoffMs = ctx.reconnectMinMs();
                        connects.incrementAndGet();
                        connected = true;
                        firstConnect.complete(this);
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
        eventLoop.schedule(this::openConnection, backoffMs, TimeUnit.MILLISECONDS);
        backoffMs = Math.min(backoffMs * 2, ctx.reconnectMaxMs());
    }

    private void closeOnLoop()
    {
        final QuicChannel current = connection;
        connection = null;
        if (null != current)
        {
            current.close(true, QuicErrorCodes.NO_ERROR, Unpooled.EMPTY_BUFFER);
        }
        if (null != streams)
        {
            for (final ClientStream stream : streams)
            {
                stream.detach();
            }
        }
        if (null != socket)
        {
            socket.close();
        }
    }

    private void expire()
    {
        final long nowNs = System.nanoTime();
        for (final ClientStream stream : streams)
        {
            stream.expire(nowNs);
        }
    }

    private static VShardEnvelope copy(final EnvelopeView view)
    {
        final byte[] payload = new byte[view.payloadLength()];
        view.payloadBuffer().getBytes(view.payloadOffset(), payload);
        return new VShardEnvelope(view.version(), view.messageType(), view.sourceNode(), view.targetNode(),
            view.vshardId(), payload);
    }

    private static String describe(final int state)
    {
        return switch (state)
        {
            case BACK_PRESSURED -> "back-pressured: send queue full";
            case NOT_CONNECTED -> "not connected";
            case CLOSED -> "client closed";
            default -> "state " + state;
        };
    }
}
