package io.vshard.transport.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.incubator.codec.quic.QuicClientCodecBuilder;
import io.netty.incubator.codec.quic.QuicSslContext;
import io.vshard.core.flow.FlowResult;
import io.vshard.core.wire.EnvelopeView;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.transport.ChannelErrors;
import io.vshard.transport.ClientContext;
import io.vshard.transport.DatagramCounter;
import io.vshard.transport.QuicRuntime;
import io.vshard.transport.tls.QuicTls;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client of one node: one QUIC connection with {@link ClientContext#clientStreams()} long-lived bidirectional
 * streams, kept up with reconnects (backoff from {@link ClientContext#reconnectMinMs()} doubling to
 * {@link ClientContext#reconnectMaxMs()}).
 * <p>
 * Application threads, any number, call {@link #send} (fire-and-forget) and {@link #request}: the frame is copied
 * into the stream's bounded send queue and the call returns at once, never blocking. Results are in the shared
 * {@link FlowResult} vocabulary: a full queue (the server or the network holds us back) answers
 * {@link #BACK_PRESSURED}, no connection {@link #NOT_CONNECTED}, a closed client {@link #CLOSED}. The I/O thread
 * batches queued frames into writes, matches answers by correlation id and calls the {@link AnswerListener} exactly
 * once per request: the answer, {@link AnswerListener#TIMED_OUT} after {@link ClientContext#requestTimeoutMs()}, or
 * {@link AnswerListener#CONNECTION_CLOSED}. Requests are never re-sent.
 * <pre>{@code
 * QuicClient client = new QuicClient(ctx, serverAddress, (id, kind, code, envelope) -> { ... }).connect();
 * long id = client.request(0, buffer, 0, envelopeLength);   // > 0: sent; else BACK_PRESSURED / NOT_CONNECTED
 * CompletableFuture<Answer> answer = client.request(0, VShardEnvelope.of(...));
 * }</pre>
 * The work is split by job: {@link SendQueue} (one per stream, filled by the senders), {@link ClientStream} (its I/O
 * side), {@link RequestTable} (what a stream waits for, and expiry), {@link ClientStreamHandler} (Netty events) and
 * {@link ConnectionKeeper} (connect, reopen, replace); this class is the facade.
 */
public final class QuicClient implements AutoCloseable
{
    /** {@link #send} result: queued for sending. */
    public static final int SENT = 0;

    /** Result: the stream's send queue is full; retry later. */
    public static final int BACK_PRESSURED = FlowResult.BACK_PRESSURED;

    /** Result: no connection right now (connecting or reconnecting). */
    public static final int NOT_CONNECTED = FlowResult.NOT_CONNECTED;

    /** Result: the client was closed. */
    public static final int CLOSED = FlowResult.CLOSED;

    private static final System.Logger LOG = System.getLogger("io.vshard.transport");
    private static final long EXPIRY_INTERVAL_MS = 10;
    private static final long QUEUE_FREE_GRACE_NS = TimeUnit.SECONDS.toNanos(1);

    private final ClientContext ctx;
    private final InetSocketAddress remote;
    private final AnswerListener listener;
    private final AtomicLong correlationIds = new AtomicLong();
    private final AtomicLong refusedIds = new AtomicLong();
    private final AtomicLong outcomes = new AtomicLong();
    private long outcomeCount;
    private final AtomicLong unmatchedAnswers = new AtomicLong();
    private final AtomicLong malformedAnswers = new AtomicLong();
    private final AtomicLong channelErrors = new AtomicLong();
    private final ConcurrentHashMap<Long, CompletableFuture<Answer>> futures = new ConcurrentHashMap<>();
    private final DatagramCounter datagrams = new DatagramCounter();
    private QuicSslContext sslContext;
    private ErrorHandler errorHandler;
    private EventLoopGroup group;
    private EventLoop eventLoop;
    private ClientStream[] streams;
    private SendQueue[] queues;
    private CoarseClock clock;
    private ConnectionKeeper keeper;
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
        group = QuicRuntime.newEventLoopGroup(1, "quic-client", ctx.ioBusyPoll());
        eventLoop = group.next();
        clock = new CoarseClock(TimeUnit.MILLISECONDS.toNanos(EXPIRY_INTERVAL_MS));
        streams = new ClientStream[ctx.clientStreams()];
        queues = new SendQueue[streams.length];
        for (int i = 0; i < streams.length; i++)
        {
            streams[i] = new ClientStream(this, i, eventLoop, ctx, clock);
            queues[i] = streams[i].queue();
        }
        final boolean loopback = remote.getAddress().isLoopbackAddress();
        final int receivePayloadBytes = QuicRuntime.receiveUdpPayloadBytes(ctx, loopback);
        final int sendPayloadBytes = QuicRuntime.sendUdpPayloadBytes(ctx, loopback);
        final ChannelHandler codec = new QuicClientCodecBuilder()
            .sslContext(sslContext)
            .maxIdleTimeout(ctx.idleTimeoutMs(), TimeUnit.MILLISECONDS)
            .maxRecvUdpPayloadSize(receivePayloadBytes)
            .maxSendUdpPayloadSize(sendPayloadBytes)
            .initialMaxData(ctx.connectionWindowBytes())
            .initialMaxStreamDataBidirectionalLocal(ctx.streamWindowBytes())
            .initialMaxStreamDataBidirectionalRemote(ctx.streamWindowBytes())
            .initialMaxStreamsBidirectional(0)
            .initialMaxStreamsUnidirectional(0)
            .build();
        try
        {
            final Channel socket = QuicRuntime.datagramBootstrap(eventLoop, ctx, false, receivePayloadBytes)
                .handler(QuicRuntime.countingDatagrams(datagrams, codec))
                .bind(loopback ? "127.0.0.1" : "0.0.0.0", 0)
                .syncUninterruptibly().channel();
            keeper = new ConnectionKeeper(ctx, remote, socket, eventLoop, streams,
                QuicRuntime.datagramAllocator(ctx, sendPayloadBytes));
            eventLoop.scheduleWithFixedDelay(this::expire, EXPIRY_INTERVAL_MS, EXPIRY_INTERVAL_MS,
                TimeUnit.MILLISECONDS);
            keeper.start().get(ctx.handshakeTimeoutMs() + 1_000, TimeUnit.MILLISECONDS);
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
        final long result = queues[stream].offer(FrameDescriptor.FIRE_AND_FORGET, envelope, offset, length);
        return result >= 0 ? SENT : (int)result;
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
        // The id, taken before the frame is committed, counts the request as pending before its answer can come.
        return queues[stream].offerRequest(correlationIds, envelope, offset, length);
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
        final long result = queues[stream].offer(correlationId, new UnsafeBuffer(bytes), 0, bytes.length);
        if (result < 0)
        {
            refusedIds.incrementAndGet();
            futures.remove(correlationId);
            return CompletableFuture.failedFuture(new IllegalStateException(describe(result)));
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
        // Every id taken is a request, but those the future API took and could not queue; outcomes read first, so
        // the difference is never negative.
        final long delivered = outcomes.get();
        final long refused = refusedIds.get();
        return correlationIds.get() - refused - delivered;
    }

    /**
     * RESPONSE frames for a pending request that did not carry exactly one valid envelope (a broken or malicious
     * server); each also went to the error handler, and its request failed. Any thread.
     *
     * @return the count.
     */
    public long malformedAnswers()
    {
        return malformedAnswers.get();
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
     * Exceptions the client's Netty handlers caught (a stream reset or a failed write, say) before closing the
     * channel; those that are not the server's ordinary end of a stream or connection also go to the error handler.
     * Any thread.
     *
     * @return the count.
     */
    public long channelErrors()
    {
        return channelErrors.get();
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
        final ConnectionKeeper keeper = this.keeper;
        return null != keeper && keeper.isConnected();
    }

    /**
     * Connections made so far, reconnects included. Any thread.
     *
     * @return the count.
     */
    public int connectCount()
    {
        final ConnectionKeeper keeper = this.keeper;
        return null != keeper ? keeper.connectCount() : 0;
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
        if (null != keeper)
        {
            keeper.markClosed();
        }
        if (null != queues)
        {
            for (final SendQueue queue : queues)
            {
                if (null != queue)
                {
                    queue.close();
                }
            }
        }
        if (null != group)
        {
            if (null != keeper)
            {
                eventLoop.submit(keeper::closeOnLoop).awaitUninterruptibly(5_000);
            }
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
     * I/O thread: an exception a stream's Netty handler caught; counted, and reported unless it is the server's end of
     * the stream or connection (see {@link ChannelErrors}); the caller closes the channel.
     */
    void onChannelError(final int stream, final Throwable cause)
    {
        channelErrors.incrementAndGet();
        if (ChannelErrors.isPeerEnd(cause))
        {
            LOG.log(System.Logger.Level.DEBUG, "stream " + stream + " to " + remote + " ended by the server", cause);
        }
        else
        {
            errorHandler.onError(new IllegalStateException("stream " + stream + " to " + remote + " failed", cause));
        }
    }

    /**
     * I/O thread: a stream's channel closed; see {@link ConnectionKeeper#onStreamClosed}.
     */
    void onStreamClosed(final ClientStream stream, final boolean endedByServer)
    {
        keeper.onStreamClosed(stream, endedByServer);
    }

    /**
     * I/O thread (or the control thread in {@link #close()}, once the I/O thread has stopped): one request's outcome.
     */
    void deliver(final long correlationId, final int kind, final int errorCode, final EnvelopeView envelope)
    {
        outcomes.lazySet(++outcomeCount);
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
     * I/O thread: a RESPONSE for a pending request that is not one valid envelope. Counted and reported (one message
     * per server and reason, so a distinct-error log throttles repeats); the request's outcome is a future completed
     * exceptionally, or for the listener an ERROR with the envelope validation code ({@code MALFORMED},
     * {@code UNSUPPORTED_VERSION}, {@code UNKNOWN_TYPE}) and no envelope.
     */
    void deliverMalformed(final long correlationId, final int errorCode)
    {
        malformedAnswers.incrementAndGet();
        final IllegalStateException malformed = new IllegalStateException(
            "malformed RESPONSE from " + remote + ": " + ErrorCode.messageOf(errorCode));
        errorHandler.onError(malformed);
        outcomes.lazySet(++outcomeCount);
        try
        {
            final CompletableFuture<Answer> future = futures.isEmpty() ? null : futures.remove(correlationId);
            if (null != future)
            {
                future.completeExceptionally(malformed);
            }
            else if (null != listener)
            {
                listener.onAnswer(correlationId, FrameDescriptor.KIND_ERROR, errorCode, null);
            }
        }
        catch (final Throwable ex)
        {
            errorHandler.onError(ex);
        }
    }

    private int state()
    {
        if (closed)
        {
            return CLOSED;
        }
        final ConnectionKeeper keeper = this.keeper;
        return null != keeper && keeper.isConnected() ? SENT : NOT_CONNECTED;
    }

    private void expire()
    {
        final long nowNs = System.nanoTime();
        clock.advance(nowNs);
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

    private static String describe(final long result)
    {
        return switch ((int)result)
        {
            case BACK_PRESSURED -> "back-pressured: send queue full";
            case NOT_CONNECTED -> "not connected";
            case CLOSED -> "client closed";
            default -> FlowResult.name(result);
        };
    }
}
