package io.vshard.transport.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicConnectionAddress;
import io.netty.util.concurrent.ScheduledFuture;
import io.vshard.transport.ChannelErrors;
import io.vshard.transport.QuicErrorCodes;
import io.vshard.transport.tls.NodeIdentity;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

/**
 * One peer connection on the server: enforces the handshake limits (overall and per source address) and the
 * handshake timeout, then the connection limit once the TLS handshake has verified the peer's certificate, and takes
 * the peer's node id from it. Until then no stream of the connection may reach a lane. Once established it keeps the
 * connection's reply budget: the answer bytes its streams hold that the peer has not taken, whether it may accept
 * more requests, whether an answer still fits, and how long its peer has taken none. Only the connection's I/O
 * thread touches it, except {@link #peerNodeId()} which is read on that same thread by the streams.
 */
final class ServerConnection extends ChannelInboundHandlerAdapter
{
    private static final System.Logger LOG = System.getLogger("io.vshard.transport");

    /**
     * Time between resetting the streams of a connection closed for its answers and closing it: enough for loss
     * recovery to settle what was in flight (a few probe timeouts on a congested path); measured in ReplyBudgetTest,
     * where 100 ms was not always enough and 500 ms was.
     */
    static final long CLOSE_AFTER_RESET_MS = 500;

    private final QuicServer server;
    private QuicChannel channel;
    private ScheduledFuture<?> handshakeTimer;
    private NodeIdentity peer;
    private boolean counted;
    private int openStreams;
    private Attempt attempt;
    private SocketAddress peerAddress;
    private InetAddress handshakeAddress;
    private boolean inHandshake;
    private ServerIoLoop loop;
    private long replyBytes;
    private long requestsInFlight;
    private int largestAnswerBytes;
    private long takenMark;
    private long unreadMark;
    private long unreadSinceNs;
    private boolean unreadSeen;
    private boolean holding;
    private boolean answersRefused;

    ServerConnection(final QuicServer server)
    {
        this.server = server;
    }

    /**
     * The verified peer's node id.
     *
     * @return the id from the peer certificate.
     */
    long peerNodeId()
    {
        return peer.nodeId();
    }

    /**
     * Whether the handshake completed and the peer's identity is known.
     *
     * @return true when streams may reach the pipeline.
     */
    boolean isIdentified()
    {
        return null != peer;
    }

    QuicChannel channel()
    {
        return channel;
    }

    void streamOpened(final ServerIoLoop loop)
    {
        this.loop = loop;
        openStreams++;
        server.openStreams.incrementAndGet();
    }

    void streamClosed()
    {
        openStreams--;
        server.openStreams.decrementAndGet();
    }

    /**
     * {@inheritDoc}
     */
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        channel = (QuicChannel)ctx.channel();
        peerAddress = channel.remoteSocketAddress();
        // A connection refused before its handshake never becomes active, so channelInactive never comes for it:
        // count it down when it closes, whatever state it closes in.
        channel.closeFuture().addListener((ignore) -> onClosed());
        if (server.isClosing())
        {
            refuseOnceReceived(ctx, QuicErrorCodes.SHUTTING_DOWN, "shutting down");
            return;
        }
        final InetAddress address =
            peerAddress instanceof InetSocketAddress inet ? inet.getAddress() : null;
        final int admission = server.handshakes.admit(address);
        if (HandshakeAdmission.ADMITTED != admission)
        {
            server.counters.handshakesRefused.increment();
            refuseOnceReceived(ctx, QuicErrorCodes.HANDSHAKE_LIMIT, HandshakeAdmission.OVER_TOTAL == admission ?
                "handshake limit" : "handshake limit of the address");
            return;
        }
        inHandshake = true;
        handshakeAddress = address;
        handshakeTimer = ctx.executor().schedule(
            this::onHandshakeTimeout, server.ctx.handshakeTimeoutMs(), TimeUnit.MILLISECONDS);
    }

    /**
     * {@inheritDoc}
     */
    public void channelActive(final ChannelHandlerContext ctx)
    {
        cancelHandshakeTimer();
        leaveHandshake();
        counted = true;
        if (server.connectionCount.incrementAndGet() > server.ctx.maxConnections())
        {
            refuse(QuicErrorCodes.CONNECTION_LIMIT, "connection limit");
            return;
        }
        final NodeIdentity identity = verifiedPeer();
        if (null == identity || !server.ctx.cluster().equals(identity.cluster()))
        {
            refuse(QuicErrorCodes.IDENTITY_REFUSED, "no node identity of this cluster");
            return;
        }
        peer = identity;
        server.counters.connectionsAccepted.increment();
        server.counters.connectionsActive.increment();
        server.register(this);
        ctx.fireChannelActive();
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        ctx.fireChannelInactive();
    }

    private void onClosed()
    {
        cancelHandshakeTimer();
        leaveHandshake();
        if (counted)
        {
            counted = false;
            server.connectionCount.decrementAndGet();
        }
        if (null != peer)
        {
            server.counters.connectionsActive.decrement();
            server.unregister(this);
        }
        else if (server.refusals.countRefusal(attempt, peerAddress, System.nanoTime()))
        {
            server.counters.connectionsRefused.increment();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        server.counters.channelErrors.increment();
        if (ChannelErrors.isPeerEnd(cause))
        {
            LOG.log(System.Logger.Level.DEBUG, "connection " + channel + " ended by the peer", cause);
        }
        else
        {
            server.errorHandler().onError(new IllegalStateException("connection " + channel + " failed", cause));
        }
        ctx.close();
    }

    /**
     * Close the connection with a clean application close. Its I/O thread.
     */
    void closeCleanly()
    {
        channel.close(true, QuicErrorCodes.NO_ERROR, Unpooled.EMPTY_BUFFER);
    }

    /**
     * A request that waits for an answer reached a lane.
     */
    void requestAccepted()
    {
        requestsInFlight++;
    }

    /**
     * Requests whose answers will never be delivered here: their stream closed.
     *
     * @param count of requests.
     */
    void requestsForgotten(final int count)
    {
        requestsInFlight -= count;
    }

    /**
     * Whether the connection may accept more requests: false once the answers it holds plus those its requests in
     * flight may bring (each counted at the largest answer seen on the connection) reach half its reply budget, until
     * that falls to a quarter of it; and while the node holds half its budget if this connection holds more than a
     * small backlog. Counting the answers still to come is what keeps a peer from slipping in a burst of small
     * requests for large answers before the first of them is queued. Its I/O thread, per frame: no allocation.
     *
     * @return true when requests may be offered to the lanes.
     */
    boolean acceptsRequests()
    {
        final long budget = server.ctx.replyConnectionBudgetBytes();
        final long limit = holding ? budget / 4 : budget / 2;
        if (replyBytes + requestsInFlight * largestAnswerBytes >= limit || answersRefused ||
            (replyBytes > loop.answerBacklogBytes &&
            server.counters.replyBytesQueued.get() >= server.ctx.replyNodeBudgetBytes() / 2))
        {
            if (!holding)
            {
                holding = true;
                server.counters.replyBudgetHolds.increment();
            }
            return false;
        }
        holding = false;
        return true;
    }

    /**
     * Whether an answer of this length may be written: it must fit the connection's budget and, unless the connection
     * holds no more than a small backlog, the node's. An answer to a connection holding nothing always fits. When it
     * does not, the connection is closed with {@link QuicErrorCodes#REPLY_BUDGET_EXCEEDED}: a peer that left this
     * much unread has stopped reading, and an answer dropped breaks the exactly-once contract of its other requests.
     * Its I/O thread, per answer.
     *
     * @param length of the answer frame.
     * @return true to write it, false to drop it (the connection is closing).
     */
    boolean admitsAnswer(final int length)
    {
        requestsInFlight--;
        if (length > largestAnswerBytes)
        {
            largestAnswerBytes = length;
        }
        if (answersRefused)
        {
            return false;
        }
        if (0 == replyBytes)
        {
            return true;
        }
        if (replyBytes + length > server.ctx.replyConnectionBudgetBytes() || (replyBytes > loop.answerBacklogBytes &&
            server.counters.replyBytesQueued.get() + length > server.ctx.replyNodeBudgetBytes()))
        {
            answersRefused = true;
            server.counters.connectionsClosedOverBudget.increment();
            close(QuicErrorCodes.REPLY_BUDGET_EXCEEDED, "reply budget exceeded");
            return false;
        }
        return true;
    }

    /**
     * A stream's answer bytes held changed: added to its batch, taken by the stream, or freed with it.
     *
     * @param delta bytes, negative when taken or freed.
     */
    void addReplyBytes(final long delta)
    {
        replyBytes += delta;
        server.counters.replyBytesQueued.getAndAdd(delta);
        if (delta < 0)
        {
            takenMark++;
            if (holding && replyBytes + requestsInFlight * largestAnswerBytes <
                server.ctx.replyConnectionBudgetBytes() / 4)
            {
                // Streams held by the budget wait in the loop's resume queue; retry them now rather than at the
                // next room signal.
                loop.scheduleResume();
            }
        }
    }

    /**
     * Periodic check from the I/O thread: close the connection when it has held answers and its peer has taken none
     * of them for the timeout (the first check that sees them starts the clock). Idempotent within one pass.
     *
     * @param nowNs     the time now.
     * @param timeoutNs the unread-answers timeout.
     */
    void checkUnread(final long nowNs, final long timeoutNs)
    {
        if (0 == replyBytes || answersRefused)
        {
            unreadSeen = false;
            return;
        }
        if (!unreadSeen || takenMark != unreadMark)
        {
            unreadSeen = true;
            unreadMark = takenMark;
            unreadSinceNs = nowNs;
        }
        else if (nowNs - unreadSinceNs >= timeoutNs)
        {
            answersRefused = true;
            server.counters.connectionsClosedUnread.increment();
            close(QuicErrorCodes.ANSWERS_UNREAD, "answers unread for " +
                TimeUnit.NANOSECONDS.toMillis(nowNs - unreadSinceNs) + " ms, " + replyBytes + " bytes held");
        }
    }

    /**
     * Whether the connection refuses further answers (it is being closed for its reply budget or unread answers).
     *
     * @return true when closing for that reason.
     */
    boolean refusesAnswers()
    {
        return answersRefused;
    }

    /**
     * Close for the peer's answers (unread, over budget) so that the peer hears it. Netty sends the CONNECTION_CLOSE
     * in one attempt right after {@code quiche_conn_close}, sized by the congestion window's room, then frees the
     * connection: when the window is full of answers the peer does not take (with losses being retransmitted), the
     * close never leaves and the peer learns nothing until its idle timeout. So the connection's streams are reset
     * first, both ways and with the same code (quiche drops their unsent and unacknowledged data, nothing more is
     * retransmitted, and the answers held are freed at once), and the connection is closed once what was in flight
     * has been acknowledged or declared lost.
     */
    private void close(final int code, final String reason)
    {
        LOG.log(System.Logger.Level.DEBUG, "closing connection " + channel + " of node " +
            Long.toUnsignedString(peer.nodeId()) + ": " + reason);
        loop.resetStreamsOf(this, code);
        channel.eventLoop().schedule(() -> channel.close(true, code, Unpooled.EMPTY_BUFFER),
            CLOSE_AFTER_RESET_MS, TimeUnit.MILLISECONDS);
    }

    private void leaveHandshake()
    {
        if (inHandshake)
        {
            inHandshake = false;
            server.handshakes.release(handshakeAddress);
        }
    }

    private NodeIdentity verifiedPeer()
    {
        try
        {
            final Certificate[] chain = channel.sslEngine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? NodeIdentity.of(leaf) : null;
        }
        catch (final Exception ex)
        {
            return null;
        }
    }

    private void onHandshakeTimeout()
    {
        if (null == peer)
        {
            refuse(QuicErrorCodes.HANDSHAKE_TIMEOUT, "handshake timeout");
        }
    }

    private void refuse(final int code, final String reason)
    {
        LOG.log(System.Logger.Level.DEBUG, "refusing connection " + channel + ": " + reason);
        // The peer's own connection id (known once its first packet is in) and address name the attempt: the
        // Initial packets it sends before it hears the refusal, which the codec takes for new connections, carry both.
        attempt = new Attempt(peerAddress, channel.remoteAddress());
        channel.close(true, code, Unpooled.EMPTY_BUFFER);
    }

    /**
     * Refuse from handlerAdded: the connection's first packet is not processed yet, so a close now would leave quiche
     * nothing to send it in and the peer would wait for its own timeout. Close once the packet is in.
     */
    private void refuseOnceReceived(final ChannelHandlerContext ctx, final int code, final String reason)
    {
        ctx.executor().execute(() -> refuse(code, reason));
    }

    /**
     * A connection attempt: the peer's address and the connection id it chose.
     *
     * @param peer   the peer's UDP address.
     * @param peerId the peer's source connection id.
     */
    private record Attempt(SocketAddress peer, QuicConnectionAddress peerId)
    {
    }

    private void cancelHandshakeTimer()
    {
        if (null != handshakeTimer)
        {
            handshakeTimer.cancel(false);
            handshakeTimer = null;
        }
    }
}
