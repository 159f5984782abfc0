package io.vshard.transport.hardening;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicClientCodecBuilder;
import io.netty.incubator.codec.quic.QuicSslContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.transport.ClientContext;
import io.vshard.transport.QuicRuntime;
import io.vshard.transport.ServerContext;
import io.vshard.transport.TestNode;
import io.vshard.transport.TransportCounters;
import io.vshard.transport.client.Answer;
import io.vshard.transport.client.QuicClient;
import io.vshard.transport.tls.QuicTls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A handshake flood from one address: QUIC Initial packets for new connections, a few hundred per second, whose every
 * answer is dropped (they go through a one-way relay bound to 127.0.0.2), while a peer with a valid certificate on
 * 127.0.0.1 connects anew every 250 ms, sends a request and must be answered each time.
 */
@Timeout(120)
class HandshakeFloodTest
{
    private static final int CONNECTIONS_PER_TICK = 3;
    private static final long TICK_MS = 10;

    @TempDir
    Path dir;
    private TestNode node;
    private EventLoopGroup group;

    @BeforeEach
    void setUp()
    {
        group = QuicRuntime.newEventLoopGroup(1, "flood");
    }

    @AfterEach
    void tearDown()
    {
        if (null != node)
        {
            node.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
    }

    @Test
    void shouldAnswerAValidPeerThroughAShortHandshakeFloodWithAddressValidation() throws Exception
    {
        final Result result = flood(3, (t) -> { });
        assertThat(result.validAnswered).isEqualTo(result.validAttempts);
        assertThat(result.maxHandshakes).as("no state kept for unvalidated Initials").isZero();
        assertThat(result.floodAccepted).isZero();
    }

    @Test
    @Tag("slow")
    void shouldAnswerAValidPeerThroughATenSecondHandshakeFloodWithAddressValidation() throws Exception
    {
        final Result result = flood(10, (t) -> { });
        assertThat(result.validAnswered).isEqualTo(result.validAttempts);
        assertThat(result.maxHandshakes).isZero();
    }

    @Test
    void shouldLimitTheFloodingAddressWithoutAddressValidationAndAnswerAValidPeer() throws Exception
    {
        final int perAddress = 8;
        final Result result = flood(3, (t) -> t.addressValidation(false).maxHandshakesPerAddress(perAddress)
            .handshakeTimeoutMs(2_000));
        assertThat(result.validAnswered).isEqualTo(result.validAttempts);
        assertThat(result.handshakesRefused).isPositive();
        assertThat(result.maxHandshakes).as("the flood's handshakes, plus the valid peer's")
            .isLessThanOrEqualTo(perAddress + 1);
    }

    private Result flood(final int seconds, final Consumer<ServerContext> config) throws Exception
    {
        node = new TestNode(dir, Handlers.echo(), (p) -> { }, config);
        final InetSocketAddress server = node.server.localAddress();
        final AtomicLong attempts = new AtomicLong();
        final AtomicLong maxHandshakes = new AtomicLong();
        final TransportCounters counters = node.server.counters();
        int validAttempts = 0;
        int validAnswered = 0;
        final List<Long> connectMs = new ArrayList<>();
        final long acceptedBefore = counters.connectionsAccepted.get();
        try (OneWayRelay relay = new OneWayRelay(server);
            Flooder flooder = new Flooder(group, relay.address(), QuicTls.client(node.ca.issue(TestNode.CLIENT_ID)),
                attempts))
        {
            final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < endNs && flooder.isRunning())
            {
                validAttempts++;
                final long startNs = System.nanoTime();
                final ClientContext ctx = node.clientContext(node.ca.issue(TestNode.CLIENT_ID)).requestTimeoutMs(5_000);
                try (QuicClient client = new QuicClient(ctx, server, null).connect())
                {
                    final Answer answer = client.request(0, VShardEnvelope.of(MessageType.GraphAlgoSuperstep,
                        TestNode.CLIENT_ID, TestNode.SERVER_ID, 1, new byte[8])).get(10, TimeUnit.SECONDS);
                    if (FrameDescriptor.KIND_RESPONSE == answer.kind())
                    {
                        validAnswered++;
                        connectMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
                    }
                }
                catch (final Exception ex)
                {
                    System.out.println("valid peer attempt " + validAttempts + " failed: " + ex);
                }
                maxHandshakes.accumulateAndGet(node.server.handshakesInProgress(), Math::max);
                final long sleepUntilNs = startNs + TimeUnit.MILLISECONDS.toNanos(250);
                while (System.nanoTime() < sleepUntilNs)
                {
                    maxHandshakes.accumulateAndGet(node.server.handshakesInProgress(), Math::max);
                    Thread.sleep(5);
                }
            }
            final Result result = new Result(validAttempts, validAnswered, attempts.get(), relay.forwarded.get(),
                relay.dropped.get(), maxHandshakes.get(), counters.handshakesRefused.get(),
                counters.connectionsRefused.get(), counters.connectionsAccepted.get() - acceptedBefore - validAnswered);
            System.out.printf("handshake flood for %d s: %d connection attempts (%.0f/s), %d datagrams to the node, " +
                "%d answers dropped; valid peer answered %d of %d (connect+request ms: %s); handshakes in progress " +
                "max %d; handshakes refused %d, connections refused %d%n", seconds, result.floodAttempts,
                result.floodAttempts / (double)seconds, result.forwarded, result.dropped, result.validAnswered,
                result.validAttempts, connectMs, result.maxHandshakes, result.handshakesRefused,
                result.connectionsRefused);
            assertThat(result.forwarded).as("the flood reached the node").isGreaterThan(100L * seconds);
            assertThat(result.dropped).as("the node answered the flood, and the answers were dropped").isPositive();
            return result;
        }
    }

    private record Result(int validAttempts, int validAnswered, long floodAttempts, long forwarded, long dropped,
        long maxHandshakes, long handshakesRefused, long connectionsRefused, long floodAccepted)
    {
    }

    /**
     * New QUIC connections from one socket, {@value #CONNECTIONS_PER_TICK} every {@value #TICK_MS} ms, never completed.
     */
    private static final class Flooder implements AutoCloseable
    {
        private final Channel socket;
        private final ScheduledFuture<?> task;

        Flooder(final EventLoopGroup group, final InetSocketAddress target, final QuicSslContext ssl,
            final AtomicLong attempts)
        {
            socket = new Bootstrap().group(group)
                .channel(Epoll.isAvailable() ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .handler(new QuicClientCodecBuilder().sslContext(ssl).maxIdleTimeout(1_000, TimeUnit.MILLISECONDS)
                    .initialMaxData(1024).initialMaxStreamDataBidirectionalLocal(1024).build())
                .bind("127.0.0.1", 0).syncUninterruptibly().channel();
            task = socket.eventLoop().scheduleAtFixedRate(() ->
            {
                for (int i = 0; i < CONNECTIONS_PER_TICK; i++)
                {
                    attempts.incrementAndGet();
                    QuicChannel.newBootstrap(socket).handler(new ChannelInboundHandlerAdapter())
                        .streamHandler(new ChannelInboundHandlerAdapter()).remoteAddress(target).connect();
                }
            }, 0, TICK_MS, TimeUnit.MILLISECONDS);
        }

        boolean isRunning()
        {
            return !task.isDone();
        }

        public void close()
        {
            task.cancel(false);
            socket.close().awaitUninterruptibly(2_000);
        }
    }

    /**
     * Forwards datagrams from the flooder to the node from a socket on 127.0.0.2 (so the node sees one address that
     * is not the valid peer's), and drops every datagram the node sends back.
     */
    private static final class OneWayRelay implements AutoCloseable
    {
        final AtomicLong forwarded = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        private final DatagramSocket front;
        private final DatagramSocket back;
        private final InetSocketAddress server;
        private final Thread forward;
        private final Thread drop;
        private volatile boolean running = true;

        OneWayRelay(final InetSocketAddress server) throws SocketException
        {
            this.server = server;
            front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            back = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
            front.setSoTimeout(100);
            back.setSoTimeout(100);
            forward = new Thread(this::forward, "relay-forward");
            drop = new Thread(this::drop, "relay-drop");
            forward.setDaemon(true);
            drop.setDaemon(true);
            forward.start();
            drop.start();
        }

        InetSocketAddress address()
        {
            return (InetSocketAddress)front.getLocalSocketAddress();
        }

        private void forward()
        {
            final byte[] bytes = new byte[2048];
            final DatagramPacket packet = new DatagramPacket(bytes, bytes.length);
            while (running)
            {
                try
                {
                    packet.setLength(bytes.length);
                    front.receive(packet);
                    back.send(new DatagramPacket(bytes, packet.getLength(), server));
                    forwarded.incrementAndGet();
                }
                catch (final SocketTimeoutException ignore)
                {
                    // look at the running flag
                }
                catch (final IOException ex)
                {
                    return;
                }
            }
        }

        private void drop()
        {
            final byte[] bytes = new byte[2048];
            final DatagramPacket packet = new DatagramPacket(bytes, bytes.length);
            while (running)
            {
                try
                {
                    back.receive(packet);
                    dropped.incrementAndGet();
                }
                catch (final SocketTimeoutException ignore)
                {
                    // look at the running flag
                }
                catch (final IOException ex)
                {
                    return;
                }
            }
        }

        public void close()
        {
            running = false;
            try
            {
                forward.join(2_000);
                drop.join(2_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            front.close();
            back.close();
        }
    }
}
