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

import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

/**
 * One peer connection on the server: enforces the connection limit and the handshake timeout, and once the TLS
 * handshake has verified the peer's certificate, takes the peer's node id from it. Until then no stream of the
 * connection may reach a lane. Only the connection's I/O thread touches it, except {@link #peerNodeId()} which
 * is read on that same thread by the streams.
 */
final class ServerConnection extends ChannelInboundHandlerAdapter
{
    private static final System.Logger LOG = System.getLogger("io.vshard.transport");

    private final QuicServer server;
    private QuicChannel channel;
    private ScheduledFuture<?> handshakeTimer;
    private NodeIdentity peer;
    private boolean counted;
    private int openStreams;
    private Attempt attempt;
    private SocketAddress peerAddress;

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

    void streamOpened()
    {
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
        counted = true;
        if (server.connectionCount.incrementAndGet() > server.ctx.maxConnections())
        {
            refuseOnceReceived(ctx, QuicErrorCodes.CONNECTION_LIMIT, "connection limit");
            return;
        }
        handshakeTimer = ctx.executor().schedule(
            this::onHandshakeTimeout, server.ctx.handshakeTimeoutMs(), TimeUnit.MILLISECONDS);
    }

    /**
     * {@inheritDoc}
     */
    public void channelActive(final ChannelHandlerContext ctx)
    {
        cancelHandshakeTimer();
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
