package io.vshard.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicClientCodecBuilder;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.incubator.codec.quic.QuicStreamType;
import io.netty.util.concurrent.Future;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.transport.tls.NodeCertificate;
import io.vshard.transport.tls.QuicTls;
import org.agrona.DirectBuffer;

import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A QUIC connection with a node's own certificate and none of {@code QuicClient}'s manners: it opens streams and
 * writes whatever bytes a test gives it, and records what the server answers on each stream and how the stream ended.
 * Owns its I/O thread and UDP socket.
 */
final class RawQuicConnection implements AutoCloseable
{
    private final EventLoopGroup group;
    private final Channel socket;
    private final QuicChannel connection;

    /**
     * Connect and wait for the handshake.
     *
     * @param server      the node's address.
     * @param certificate this peer's certificate (and the CA it trusts).
     */
    RawQuicConnection(final InetSocketAddress server, final NodeCertificate certificate)
    {
        group = QuicRuntime.newEventLoopGroup(1, "raw-quic");
        final ClientContext ctx = new ClientContext();
        final int receivePayloadBytes = QuicRuntime.receiveUdpPayloadBytes(ctx, true);
        final var codec = new QuicClientCodecBuilder()
            .sslContext(QuicTls.client(certificate))
            .maxIdleTimeout(60, TimeUnit.SECONDS)
            .maxRecvUdpPayloadSize(receivePayloadBytes)
            .initialMaxData(16 * 1024 * 1024)
            .initialMaxStreamDataBidirectionalLocal(4 * 1024 * 1024)
            .initialMaxStreamDataBidirectionalRemote(4 * 1024 * 1024)
            .initialMaxStreamsBidirectional(0)
            .initialMaxStreamsUnidirectional(0)
            .build();
        socket = QuicRuntime.datagramBootstrap(group, ctx, false, receivePayloadBytes)
            .handler(codec).bind("127.0.0.1", 0).syncUninterruptibly().channel();
        connection = QuicChannel.newBootstrap(socket)
            .handler(new ChannelInboundHandlerAdapter())
            .streamHandler(new ChannelInboundHandlerAdapter())
            .remoteAddress(server)
            .connect().syncUninterruptibly().getNow();
    }

    /**
     * Open a bidirectional stream, waiting up to the given time for the server to allow it.
     *
     * @param timeoutMs longest wait for stream credit.
     * @return the stream, or {@code null} when it could not be opened in time.
     */
    RawStream tryOpen(final long timeoutMs)
    {
        // Wait for credit first: a creation the codec refuses for want of credit burns a stream id, and every later
        // creation then asks for an id beyond the credit.
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (connection.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) <= 0)
        {
            if (System.nanoTime() - deadlineNs > 0 || !connection.isActive())
            {
                return null;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        final RawStream stream = new RawStream();
        final Future<QuicStreamChannel> created =
            connection.createStream(QuicStreamType.BIDIRECTIONAL, stream).awaitUninterruptibly();
        if (!created.isSuccess())
        {
            return null;
        }
        stream.channel = created.getNow();
        return stream;
    }

    /**
     * Open a bidirectional stream.
     *
     * @return the stream.
     */
    RawStream open()
    {
        final RawStream stream = tryOpen(10_000);
        assertThat(stream).as("a stream opened on the raw connection").isNotNull();
        return stream;
    }

    /**
     * Whether the connection is open.
     *
     * @return true while active.
     */
    boolean isActive()
    {
        return connection.isActive();
    }

    /**
     * Close the connection cleanly and stop the I/O thread.
     */
    public void close()
    {
        connection.close().awaitUninterruptibly(2_000);
        socket.close().awaitUninterruptibly(2_000);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
    }

    /**
     * One answer frame read from a raw stream.
     *
     * @param kind          the frame kind.
     * @param correlationId the echoed id.
     * @param errorCode     the code of an ERROR, else 0.
     * @param firstPayloadLong the first 8 payload bytes of a RESPONSE (the echo handler's request id), else 0.
     */
    record AnswerFrame(int kind, long correlationId, int errorCode, long firstPayloadLong)
    {
    }

    /**
     * One raw stream: writes bytes as given and collects the server's answer frames and the way the stream ended.
     */
    static final class RawStream extends ChannelInboundHandlerAdapter
    {
        final List<AnswerFrame> answers = new CopyOnWriteArrayList<>();
        final List<Throwable> exceptions = new CopyOnWriteArrayList<>();
        private final CountDownLatch closed = new CountDownLatch(1);
        private volatile boolean inputShutdown;
        private volatile boolean badFramingFromServer;
        private QuicStreamChannel channel;
        private FrameReader reader;

        QuicStreamChannel channel()
        {
            return channel;
        }

        /**
         * Write bytes and flush, waiting until they are handed to QUIC.
         *
         * @param bytes anything.
         */
        void write(final byte[] bytes)
        {
            channel.writeAndFlush(Unpooled.wrappedBuffer(bytes)).awaitUninterruptibly(5_000);
        }

        /**
         * End our side of the stream (FIN).
         */
        void finish()
        {
            channel.shutdownOutput().awaitUninterruptibly(5_000);
        }

        /**
         * Abruptly abandon the stream: reset our side, ask the server to stop sending, and close the channel (the
         * codec leaves it open after shutting down both directions with an error).
         *
         * @param errorCode the application error code.
         */
        void reset(final int errorCode)
        {
            channel.shutdown(errorCode).awaitUninterruptibly(5_000);
            channel.close().awaitUninterruptibly(5_000);
        }

        /**
         * Wait for a number of answers.
         *
         * @param count     answers wanted.
         * @param timeoutMs longest wait.
         * @return the answers so far.
         */
        List<AnswerFrame> awaitAnswers(final int count, final long timeoutMs)
        {
            Await.until(count + " answer(s) on a raw stream, have " + answers, timeoutMs,
                () -> answers.size() >= count || isClosed());
            return answers;
        }

        /**
         * Wait for the stream to close: reset by the server, or both sides finished.
         *
         * @param timeoutMs longest wait.
         * @return true when closed.
         */
        boolean awaitClosed(final long timeoutMs)
        {
            try
            {
                return closed.await(timeoutMs, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        boolean isClosed()
        {
            return 0 == closed.getCount();
        }

        /**
         * Whether the server ended its side cleanly (FIN).
         *
         * @return true after a FIN from the server.
         */
        boolean sawFin()
        {
            return inputShutdown;
        }

        boolean sawBadFramingFromServer()
        {
            return badFramingFromServer;
        }

        /**
         * {@inheritDoc}
         */
        public void handlerAdded(final ChannelHandlerContext ctx)
        {
            reader = new FrameReader(FrameDescriptor.maxFrameLengthField(16 * 1024 * 1024), ctx.alloc());
        }

        /**
         * {@inheritDoc}
         */
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf in = (ByteBuf)msg;
            try
            {
                if (FrameReader.BAD_FRAMING == reader.onData(in, this::onFrame))
                {
                    badFramingFromServer = true;
                    ctx.close();
                }
            }
            finally
            {
                in.release();
            }
        }

        /**
         * {@inheritDoc}
         */
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object event)
        {
            if (event instanceof ChannelInputShutdownEvent)
            {
                inputShutdown = true;
            }
            ctx.fireUserEventTriggered(event);
        }

        /**
         * {@inheritDoc}
         */
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            exceptions.add(cause);
            ctx.close();
        }

        /**
         * {@inheritDoc}
         */
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            reader.release();
            closed.countDown();
        }

        private boolean onFrame(final DirectBuffer buffer, final int offset, final int length)
        {
            final int kind = buffer.getByte(offset + FrameDescriptor.KIND_FIELD_OFFSET);
            final long id = buffer.getLong(offset + FrameDescriptor.CORRELATION_ID_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN);
            final int code = FrameDescriptor.KIND_ERROR == kind ?
                buffer.getShort(offset + FrameDescriptor.ERROR_CODE_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF : 0;
            final int payloadAt = FrameDescriptor.BODY_OFFSET + 28;
            final long first = FrameDescriptor.KIND_RESPONSE == kind && length >= payloadAt + 8 ?
                buffer.getLong(offset + payloadAt, ByteOrder.LITTLE_ENDIAN) : 0;
            answers.add(new AnswerFrame(kind, id, code, first));
            return true;
        }
    }
}
