package io.vshard.transport.hardening;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.Future;
import io.vshard.core.wire.MessageType;
import io.vshard.transport.QuicRuntime;
import io.vshard.transport.TestNode;
import io.vshard.transport.ServerContext;
import io.vshard.transport.client.QuicClient;
import io.vshard.transport.tls.QuicTls;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Peers that break the rules: too many connections, too many streams, half a frame and silence, and a client that
 * never reads its answers. The node must hold its limits, free what such peers hold, and keep serving
 * everyone else. Certificates that must be refused (other CA, none, expired, other cluster) and a spoofed source node
 * are covered by {@code MutualTlsTest} and {@code EndToEndTest}; bad framing and bad envelopes by
 * {@code HostileInputTest}.
 */
@Timeout(120)
class HostilePeerTest
{
    @TempDir
    Path dir;
    private TestNode node;
    private EventLoopGroup group;
    private final List<RawQuicPeer> peers = new ArrayList<>();

    @BeforeEach
    void setUp()
    {
        group = QuicRuntime.newEventLoopGroup(1, "hostile");
    }

    @AfterEach
    void tearDown()
    {
        peers.forEach(RawQuicPeer::close);
        if (null != node)
        {
            node.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
    }

    @Test
    void shouldRefuseConnectionsOverTheLimitAndKeepServingTheOthers()
    {
        final int limit = 4;
        start((t) -> t.maxConnections(limit));
        final QuicClient good = node.client(null);
        int refused = 0;
        int maxSeen = 0;
        try (Bystander bystander = new Bystander(good, MessageType.GraphAlgoSuperstep, 2_000))
        {
            for (int i = 0; i < 40; i++)
            {
                try
                {
                    peers.add(connect(100 + i));
                }
                catch (final IllegalStateException ex)
                {
                    refused++;
                }
                maxSeen = Math.max(maxSeen, node.server.connectionCount());
            }
            // A refused peer hears its close a round trip after its handshake: give the last ones that long.
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            long stillOpen = peers.stream().filter(RawQuicPeer::isActive).count();
            while (stillOpen > limit - 1 && System.nanoTime() < deadlineNs)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                stillOpen = peers.stream().filter(RawQuicPeer::isActive).count();
            }
            System.out.printf("connection flood: 40 attempts, limit %d: refused=%d open=%d maxSeen=%d " +
                "server refused counter=%d accepted=%d bystander %s failures=%d%n", limit, refused, stillOpen, maxSeen,
                node.server.counters().connectionsRefused.get(), node.server.counters().connectionsAccepted.get(), Bystander.describe(bystander.takeHistogram()),
                bystander.failures());
            assertThat(maxSeen).isLessThanOrEqualTo(limit);
            assertThat(stillOpen).isLessThanOrEqualTo(limit - 1);
            // Each refused attempt counted once, however many times the peer retransmitted its Initial.
            final long floodAccepted = node.server.counters().connectionsAccepted.get() - 1;
            assertThat(node.server.counters().connectionsRefused.get()).as("accepted from the flood: %d", floodAccepted)
                .isEqualTo(40 - floodAccepted);
            assertThat(bystander.failures()).isZero();
            assertThat(bystander.answered()).isPositive();
        }

        peers.forEach(RawQuicPeer::close);
        peers.clear();
        await(() -> 1 == node.server.connectionCount(), 10_000, "flood connections to go");
        for (int i = 0; i < limit - 1; i++)
        {
            peers.add(connect(200 + i));
        }
        assertThat(peers).allMatch(RawQuicPeer::isActive);
    }

    @Test
    void shouldRefuseOverTheLimitPromptlyAndAcceptAgainOnceBelowIt()
    {
        start((t) -> t.maxConnections(1));
        final RawQuicPeer first = connect(100);
        peers.add(first);
        final long startNs = System.nanoTime();
        RawQuicPeer second = null;
        try
        {
            second = connect(101);
            peers.add(second);
        }
        catch (final IllegalStateException ex)
        {
            // Refused during the handshake.
        }
        final RawQuicPeer over = second;
        // TLS 1.3 may let the peer finish its side first; then the refusal closes the connection right after.
        await(() -> null == over || !over.isActive(), 2_000, "the connection over the limit to be closed");
        final long refusedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        System.out.printf("over the limit: closed after %d ms, refused counter=%d%n",
            refusedMs, node.server.counters().connectionsRefused.get());
        assertThat(first.isActive()).isTrue();

        first.close();
        peers.remove(first);
        await(() -> 0 == node.server.connectionCount(), 10_000, "the first connection to go");
        peers.add(connect(102));
        assertThat(peers.get(peers.size() - 1).isActive()).isTrue();
        assertThat(node.server.counters().connectionsRefused.get()).as("one attempt refused once").isEqualTo(1);
    }

    @Test
    void shouldServeNoMoreStreamsPerConnectionThanTheLimit()
    {
        final int limit = 4;
        start((t) -> t.maxStreamsPerConnection(limit));
        final RawQuicPeer peer = connect(TestNode.CLIENT_ID);
        final List<FrameCollector> collectors = new ArrayList<>();
        final List<QuicStreamChannel> streams = new ArrayList<>();
        int refusedLocally = 0;
        for (int i = 0; i < 3 * limit; i++)
        {
            final FrameCollector collector = new FrameCollector();
            final Future<QuicStreamChannel> stream = peer.openStream(collector, true).awaitUninterruptibly();
            if (!stream.isSuccess())
            {
                refusedLocally++;
                continue;
            }
            collectors.add(collector);
            streams.add(stream.getNow());
            RawQuicPeer.write(stream.getNow(), WireBytes.request(i + 1, MessageType.GhostCreate, TestNode.CLIENT_ID, 8));
        }
        await(() -> collectors.stream().filter((c) -> !c.frames().isEmpty()).count() >= limit, 10_000,
            "the allowed streams to be answered");
        final long answered = countAnswered(collectors, 1_000);
        System.out.printf("stream limit %d: %d opened by the peer, %d refused locally, %d answered, server opened %d%n",
            limit, streams.size(), refusedLocally, answered, node.server.counters().streamsOpened.get());
        assertThat(answered).isEqualTo(limit);
        assertThat(node.server.counters().streamsOpened.get()).isEqualTo(limit);
        assertThat(peer.isActive()).isTrue();
    }

    @Test
    void shouldFreeAConnectionThatSendsHalfAFrameAndGoesSilent()
    {
        start((t) -> t.idleTimeoutMs(1_000));
        final RawQuicPeer peer = connect(TestNode.CLIENT_ID);
        final FrameCollector collector = new FrameCollector();
        final QuicStreamChannel stream = peer.openStream(collector, true).syncUninterruptibly().getNow();
        final byte[] frame = WireBytes.request(1, MessageType.GhostCreate, TestNode.CLIENT_ID, 100);
        RawQuicPeer.write(stream, java.util.Arrays.copyOf(frame, frame.length / 2));
        await(() -> 1 == node.server.counters().streamsOpened.get(), 5_000, "the stream to open");
        final long startNs = System.nanoTime();

        assertThat(peer.connection().closeFuture().awaitUninterruptibly(10_000)).isTrue();
        await(() -> 0 == node.server.connectionCount(), 5_000, "the server to free the connection");
        final long freedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        System.out.printf("half a frame, then silence: connection freed after %d ms (idle timeout 1000 ms)%n", freedMs);
        assertThat(collector.frames()).isEmpty();
        assertThat(node.server.counters().connectionsActive.get()).isZero();
        assertThat(node.server.counters().framesIn.get()).isZero();

        final QuicClient good = node.client(null);
        assertThat(good.isConnected()).isTrue();
    }

    @Test
    void shouldBoundWhatAClientThatNeverReadsCostsAndServeTheOthers()
    {
        start((t) -> { });
        final QuicClient good = node.client(null);
        try (Bystander bystander = new Bystander(good, MessageType.GraphAlgoSuperstep, 2_000);
            ResourceProbe.Sampler sampler = new ResourceProbe.Sampler(20))
        {
            await(() -> bystander.answered() >= 200, 20_000, "the bystander's baseline");
            bystander.takeHistogram();
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(3));
            final Histogram before = bystander.takeHistogram();
            final ResourceProbe baseline = ResourceProbe.afterGc();
            sampler.reset();

            final RawQuicPeer hostile = connect(TestNode.CLIENT_ID);
            final QuicStreamChannel stream =
                hostile.openStream(new ChannelInboundHandlerAdapter(), false).syncUninterruptibly().getNow();
            final int perWrite = 64;
            final int payload = 1024;
            final byte[] batch = WireBytes.requests(1, perWrite, MessageType.TsScatterRequest, payload);
            final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            long written = 0;
            ChannelFuture lastWrite = null;
            // One batch in flight at a time: the hostile holds no more of its own than that, so that what the
            // process holds is the node's cost, and its writes stop where the node's flow control stops them.
            while (System.nanoTime() < endNs)
            {
                if (null == lastWrite || lastWrite.isDone())
                {
                    lastWrite = stream.writeAndFlush(Unpooled.wrappedBuffer(batch));
                    written += perWrite;
                }
                else
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
            final Histogram during = bystander.takeHistogram();
            final ResourceProbe peak = sampler.peak();
            final long framesIn = node.server.counters().framesIn.get();
            System.out.printf("never-reading client: wrote %d requests of %d B, server took %d frames, " +
                "hostile's last write done=%s; bystander before %s, during %s, failures=%d; baseline %s; peak %s%n",
                written, payload, framesIn, lastWrite.isDone(), Bystander.describe(before),
                Bystander.describe(during), bystander.failures(), baseline.describe(), peak.describe());

            // The node stops reading a stream whose answers are not taken: what it holds is bounded by the windows.
            final long windows = ServerContext.CONNECTION_WINDOW_DEFAULT + ServerContext.STREAM_WINDOW_DEFAULT;
            assertThat((framesIn - bystander.answered()) * (payload + 44L)).isLessThan(4 * windows);
            assertThat(lastWrite.isDone()).as("the node pushed back on the hostile stream").isFalse();
            assertThat(peak.directBytes() - baseline.directBytes()).isLessThan(4 * windows);
            assertThat(bystander.failures()).isZero();
            assertThat(during.getTotalCount()).isPositive();
            assertThat(during.getValueAtPercentile(99))
                .isLessThan(Math.max(10 * before.getValueAtPercentile(99), TimeUnit.MILLISECONDS.toMicros(100)));
            hostile.close();
        }
    }

    @Test
    void shouldResetAStreamThatHoldsPartOfAFrameTooLongWhileTheConnectionStaysBusy()
    {
        final long timeoutMs = 2_000;
        start((t) -> t.partialFrameTimeoutMs(timeoutMs));
        final RawQuicPeer peer = connect(TestNode.CLIENT_ID);
        final FrameCollector half = new FrameCollector();
        final QuicStreamChannel halfStream = peer.openStream(half, true).syncUninterruptibly().getNow();
        final FrameCollector busy = new FrameCollector();
        final QuicStreamChannel busyStream = peer.openStream(busy, true).syncUninterruptibly().getNow();
        RawQuicPeer.write(busyStream, WireBytes.request(1, MessageType.GhostCreate, TestNode.CLIENT_ID, 8));
        await(() -> 1 == busy.frames().size(), 5_000, "the first answer on the busy stream");
        final long baselineBytes = ResourceProbe.now().nettyDirectBytes();

        // Half of a 10 MiB frame: the server's cumulation buffer for it outgrows a pool chunk (a huge allocation,
        // freed at once on release), so that freeing it shows in the pool's figures.
        final byte[] frame = WireBytes.request(1, MessageType.GhostCreate, TestNode.CLIENT_ID, 10 * 1024 * 1024);
        final long startNs = System.nanoTime();
        RawQuicPeer.write(halfStream, Arrays.copyOf(frame, frame.length / 2));

        // Complete frames on the other stream all along: the connection never goes idle.
        long id = 1;
        long heldBytes = 0;
        while (!half.awaitClosed(50) && System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(20))
        {
            RawQuicPeer.write(busyStream, WireBytes.request(++id, MessageType.GhostCreate, TestNode.CLIENT_ID, 8));
            heldBytes = Math.max(heldBytes, ResourceProbe.now().nettyDirectBytes());
        }
        final long resetMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        final long requests = id;
        RawQuicPeer.write(busyStream, WireBytes.request(requests + 1, MessageType.GhostCreate, TestNode.CLIENT_ID, 8));
        await(() -> busy.frames().size() == requests + 1, 5_000, "every request on the busy stream answered");
        final long afterBytes = ResourceProbe.now().nettyDirectBytes();
        System.out.printf("half of a 10 MiB frame held while %d good requests kept the connection busy: stream " +
            "reset %d ms after the write (timeout %d ms); Netty direct %.1f -> peak %.1f -> %.1f MiB%n", requests,
            resetMs, timeoutMs, baselineBytes / 1048576.0, heldBytes / 1048576.0, afterBytes / 1048576.0);

        assertThat(half.awaitClosed(0)).as("the half stream reset").isTrue();
        assertThat(half.frames()).isEmpty();
        assertThat(resetMs).isBetween(timeoutMs, 10_000L);
        assertThat(node.server.counters().partialFrameTimeouts.get()).isEqualTo(1);
        assertThat(node.server.counters().streamsReset.get()).as("no bad framing").isZero();
        assertThat(node.server.counters().framesIn.get()).isEqualTo(requests + 1);
        assertThat(peer.isActive()).as("the connection stays up").isTrue();
        assertThat(busyStream.isActive()).isTrue();
        assertThat(heldBytes - afterBytes).as("the held half frame freed").isGreaterThan(5L * 1024 * 1024);
    }

    private void start(final Consumer<ServerContext> config)
    {
        node = new TestNode(dir, Handlers.echo(), (p) -> { }, config);
    }

    private RawQuicPeer connect(final long nodeId)
    {
        return RawQuicPeer.connect(group, node.server.localAddress(), QuicTls.client(node.ca.issue(nodeId)),
            60_000, 5_000);
    }

    private static long countAnswered(final List<FrameCollector> collectors, final long settleMs)
    {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(settleMs));
        return collectors.stream().filter((c) -> !c.frames().isEmpty()).count();
    }

    private static void await(final BooleanSupplier condition, final long timeoutMs, final String what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
