package io.vshard.bench.quic;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicChannelOption;
import io.netty.incubator.codec.quic.QuicClientCodecBuilder;
import io.netty.incubator.codec.quic.QuicServerCodecBuilder;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.incubator.codec.quic.QuicStreamType;
import io.vshard.transport.DatagramCounter;
import io.vshard.transport.QuicRuntime;
import io.vshard.transport.ServerContext;
import io.vshard.transport.tls.CertificateAuthority;
import io.vshard.transport.tls.NodeCertificate;
import io.vshard.transport.tls.QuicTls;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The bare Netty QUIC baseline: a client writing length-prefixed frames of a fixed size on long-lived streams, as
 * fast as stream writability allows, to a server that only counts them (or echoes them, with a window of frames in
 * flight per stream: the bare counterpart of pipelined request/reply). Same codec, TLS, windows, socket buffers
 * and UDP segmentation offload as the node, none of its decoding, lanes or replies. Control plane allocates; the
 * write loop reuses one pooled buffer per write.
 * <p>
 * In echo mode the server writes back every buffer it reads, and {@link #pingPong(int)} times one frame there and
 * back from an application thread, as the node's request/reply latency is measured: the baseline for latency.
 */
public final class BareQuic implements AutoCloseable
{
    /** Frames encoded into one buffer per write, as the node's client batches. */
    public static final int FRAMES_PER_WRITE = 64;

    private final AtomicLong bytesReceived = new AtomicLong();
    private final AtomicLong bytesEchoed = new AtomicLong();
    private final boolean echo;
    private volatile Thread waiter;
    private final EventLoopGroup serverGroup;
    private final EventLoopGroup clientGroup;
    private final Channel serverSocket;
    private final Channel clientSocket;
    private final QuicChannel connection;
    private final List<Writer> writers = new ArrayList<>();
    private final int frameLength;
    private final DatagramCounter serverDatagrams = new DatagramCounter();
    private final DatagramCounter clientDatagrams = new DatagramCounter();

    /**
     * Start a counting server and a connected client with {@code streams} streams on loopback.
     *
     * @param frameLength whole frame length in bytes, length prefix included.
     * @param streams     client streams.
     * @throws Exception when QUIC cannot start.
     */
    public BareQuic(final int frameLength, final int streams) throws Exception
    {
        this(frameLength, streams, false);
    }

    /**
     * Start a counting or echoing server and a connected client with {@code streams} streams on loopback.
     *
     * @param frameLength whole frame length in bytes, length prefix included.
     * @param streams     client streams.
     * @param echo        true for a server that writes back what it reads (for {@link #pingPong(int)}).
     * @throws Exception when QUIC cannot start.
     */
    public BareQuic(final int frameLength, final int streams, final boolean echo) throws Exception
    {
        this(frameLength, streams, echo, false);
    }

    /**
     * Start a counting or echoing server and a connected client with {@code streams} streams on loopback, their I/O
     * threads sleeping in epoll when idle or busy-polling ({@code vshard.transport.io.busy.poll}), as the node's.
     *
     * @param frameLength whole frame length in bytes, length prefix included.
     * @param streams     client streams.
     * @param echo        true for a server that writes back what it reads (for {@link #pingPong(int)}).
     * @param busyPoll    true for I/O threads that never sleep in epoll.
     * @throws Exception when QUIC cannot start.
     */
    public BareQuic(final int frameLength, final int streams, final boolean echo, final boolean busyPoll)
        throws Exception
    {
        this.frameLength = frameLength;
        this.echo = echo;
        QuicRuntime.ensureAvailable();
        final CertificateAuthority ca = CertificateAuthority.create("bare", Duration.ofDays(1));
        final NodeCertificate serverCert = ca.issue(1);
        final NodeCertificate clientCert = ca.issue(2);
        final ServerContext ctx = new ServerContext().nodeCertificate(serverCert).cluster("bare").nodeId(1)
            .bind("127.0.0.1:0").conclude();
        // Loopback both ways, as the node in the same benchmark: the packet sizes the node's ends use there.
        final int sendPayloadBytes = QuicRuntime.sendUdpPayloadBytes(ctx, true);
        final int receivePayloadBytes = QuicRuntime.receiveUdpPayloadBytes(ctx, true);

        serverGroup = QuicRuntime.newEventLoopGroup(1, "bare-server", busyPoll);
        clientGroup = QuicRuntime.newEventLoopGroup(1, "bare-client", busyPoll);
        final ChannelInitializer<QuicStreamChannel> counting = new ChannelInitializer<>()
        {
            protected void initChannel(final QuicStreamChannel stream)
            {
                stream.pipeline().addLast(new ChannelInboundHandlerAdapter()
                {
                    private ByteBuf echoBatch;

                    public void channelRead(final ChannelHandlerContext c, final Object msg)
                    {
                        final ByteBuf in = (ByteBuf)msg;
                        bytesReceived.addAndGet(in.readableBytes());
                        if (BareQuic.this.echo)
                        {
                            // Echo what one read cycle brought in one write at its end, as the node batches answers.
                            if (null == echoBatch)
                            {
                                echoBatch = c.alloc().directBuffer(Math.max(in.readableBytes(), 16 * 1024));
                            }
                            echoBatch.writeBytes(in);
                        }
                        in.release();
                    }

                    public void channelReadComplete(final ChannelHandlerContext c)
                    {
                        if (null != echoBatch)
                        {
                            c.writeAndFlush(echoBatch, c.voidPromise());
                            echoBatch = null;
                        }
                    }

                    public void handlerRemoved(final ChannelHandlerContext c)
                    {
                        if (null != echoBatch)
                        {
                            echoBatch.release();
                            echoBatch = null;
                        }
                    }
                });
            }
        };
        serverSocket = QuicRuntime.datagramBootstrap(serverGroup, ctx, false, receivePayloadBytes)
            .handler(QuicRuntime.countingDatagrams(serverDatagrams, new QuicServerCodecBuilder()
                .sslContext(QuicTls.server(serverCert))
                .maxIdleTimeout(30, TimeUnit.SECONDS)
                .maxRecvUdpPayloadSize(receivePayloadBytes)
                .maxSendUdpPayloadSize(sendPayloadBytes)
                .initialMaxData(ctx.connectionWindowBytes())
                .initialMaxStreamDataBidirectionalLocal(ctx.streamWindowBytes())
                .initialMaxStreamDataBidirectionalRemote(ctx.streamWindowBytes())
                .initialMaxStreamsBidirectional(64)
                .option(QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR,
                    QuicRuntime.datagramAllocator(ctx, sendPayloadBytes))
                .handler(new ChannelInboundHandlerAdapter())
                .streamHandler(counting)
                .build()))
            .bind(ctx.bindAddress()).sync().channel();

        clientSocket = QuicRuntime.datagramBootstrap(clientGroup, ctx, false, receivePayloadBytes)
            .handler(QuicRuntime.countingDatagrams(clientDatagrams, new QuicClientCodecBuilder()
                .sslContext(QuicTls.client(clientCert))
                .maxIdleTimeout(30, TimeUnit.SECONDS)
                .maxRecvUdpPayloadSize(receivePayloadBytes)
                .maxSendUdpPayloadSize(sendPayloadBytes)
                .initialMaxData(ctx.connectionWindowBytes())
                .initialMaxStreamDataBidirectionalLocal(ctx.streamWindowBytes())
                .initialMaxStreamDataBidirectionalRemote(ctx.streamWindowBytes())
                .build()))
            .bind(0).sync().channel();
        connection = QuicChannel.newBootstrap(clientSocket)
            .handler(new ChannelInboundHandlerAdapter())
            .option(QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR,
                QuicRuntime.datagramAllocator(ctx, sendPayloadBytes))
            .remoteAddress(serverSocket.localAddress())
            .connect().get(10, TimeUnit.SECONDS);
        for (int i = 0; i < streams; i++)
        {
            final Writer writer = new Writer();
            connection.createStream(QuicStreamType.BIDIRECTIONAL, writer).sync();
            writers.add(writer);
        }
    }

    /**
     * Start writing on every stream.
     */
    public void start()
    {
        start(Long.MAX_VALUE);
    }

    /**
     * Start writing on every stream, each keeping at most {@code windowFrames} frames unechoed (an echo server): the
     * bare counterpart of pipelined request/reply with a window of requests in flight.
     *
     * @param windowFrames frames a stream may have written and not yet seen echoed; {@link Long#MAX_VALUE} for no
     *                     limit (a counting server echoes nothing).
     */
    public void start(final long windowFrames)
    {
        for (final Writer writer : writers)
        {
            writer.windowBytes = windowFrames == Long.MAX_VALUE ? Long.MAX_VALUE : windowFrames * frameLength;
            writer.running = true;
            writer.channel.eventLoop().execute(writer::writeWhileWritable);
        }
    }

    /**
     * Frames echoed back to the client so far (echo mode).
     *
     * @return whole frames echoed.
     */
    public long framesEchoed()
    {
        return bytesEchoed.get() / frameLength;
    }

    /**
     * UDP datagrams the server's socket received so far (as of its last read cycle).
     *
     * @return the count.
     */
    public long serverDatagramsIn()
    {
        return serverDatagrams.datagramsIn();
    }

    /**
     * UDP datagrams the server's socket sent so far, each segment of a segmentation-offload write counted.
     *
     * @return the count.
     */
    public long serverDatagramsOut()
    {
        return serverDatagrams.datagramsOut();
    }

    /**
     * Frames the server has counted so far.
     *
     * @return whole frames received.
     */
    public long framesReceived()
    {
        return bytesReceived.get() / frameLength;
    }

    /**
     * Echo mode, one application thread: write one frame on a stream from the I/O thread and wait until the server's
     * echo of it has come back, the way a caller waits for an answer (park, woken by the I/O thread).
     *
     * @param stream stream index.
     * @return the round trip in nanoseconds.
     */
    public long pingPong(final int stream)
    {
        final Writer writer = writers.get(stream);
        final long target = bytesEchoed.get() + frameLength;
        waiter = Thread.currentThread();
        final long startNs = System.nanoTime();
        writer.channel.eventLoop().execute(writer.writeOne);
        while (bytesEchoed.get() < target)
        {
            LockSupport.park(this);
        }
        return System.nanoTime() - startNs;
    }

    /**
     * Stop writing and close everything.
     */
    public void close()
    {
        for (final Writer writer : writers)
        {
            writer.running = false;
        }
        connection.close().awaitUninterruptibly(2_000);
        clientSocket.close().awaitUninterruptibly(2_000);
        serverSocket.close().awaitUninterruptibly(2_000);
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
        serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
    }

    /**
     * A quick look from the command line: {@code BareQuic [frameLength] [streams] [seconds]}.
     *
     * @param args optional frame length, streams and seconds.
     * @throws Exception when QUIC cannot start.
     */
    public static void main(final String[] args) throws Exception
    {
        final int frameLength = args.length > 0 ? Integer.parseInt(args[0]) : 108;
        final int streams = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        final int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        try (BareQuic bare = new BareQuic(frameLength, streams))
        {
            bare.start();
            long last = 0;
            for (int s = 0; s < seconds; s++)
            {
                Thread.sleep(1_000);
                final long now = bare.framesReceived();
                System.out.printf("%d s: %,d frames/s%n", s + 1, now - last);
                last = now;
            }
        }
    }

    private final class Writer extends ChannelInboundHandlerAdapter
    {
        private final Runnable writeOne = this::writeOne;
        private volatile boolean running;
        private QuicStreamChannel channel;
        private final Runnable retry = this::retry;
        private boolean retryScheduled;
        private long windowBytes = Long.MAX_VALUE;
        private long written;
        private long echoed;

        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf in = (ByteBuf)msg;
            echoed += in.readableBytes();
            bytesEchoed.addAndGet(in.readableBytes());
            in.release();
            final Thread thread = waiter;
            if (null != thread)
            {
                LockSupport.unpark(thread);
            }
        }

        public void channelReadComplete(final ChannelHandlerContext ctx)
        {
            if (running && windowBytes != Long.MAX_VALUE)
            {
                writeWhileWritable();
            }
        }

        void writeOne()
        {
            final ByteBuf frame = channel.alloc().directBuffer(frameLength);
            frame.writeIntLE(frameLength - 4);
            frame.writeZero(frameLength - 4);
            channel.writeAndFlush(frame, channel.voidPromise());
        }

        public void handlerAdded(final ChannelHandlerContext ctx)
        {
            channel = (QuicStreamChannel)ctx.channel();
        }

        public void channelWritabilityChanged(final ChannelHandlerContext ctx)
        {
            writeWhileWritable();
        }

        void writeWhileWritable()
        {
            final long batchBytes = (long)FRAMES_PER_WRITE * frameLength;
            while (running && channel.isActive() && channel.isWritable() &&
                written - echoed <= windowBytes - batchBytes)
            {
                final ByteBuf batch = channel.alloc().directBuffer(FRAMES_PER_WRITE * frameLength);
                for (int i = 0; i < FRAMES_PER_WRITE; i++)
                {
                    batch.writeIntLE(frameLength - 4);
                    batch.writeZero(frameLength - 4);
                }
                written += batchBytes;
                channel.write(batch);
            }
            if (running && channel.isActive() && !retryScheduled)
            {
                // One pending retry at a time: writability events are not reliable in this codec version.
                retryScheduled = true;
                channel.eventLoop().schedule(retry, 1, TimeUnit.MILLISECONDS);
            }
        }

        private void retry()
        {
            retryScheduled = false;
            writeWhileWritable();
        }
    }
}
