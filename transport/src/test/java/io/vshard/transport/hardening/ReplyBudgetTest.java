package io.vshard.transport.hardening;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.incubator.codec.quic.QuicConnectionCloseEvent;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.util.internal.PlatformDependent;
import io.vshard.core.pipeline.EnvelopeHandler;
import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import io.vshard.transport.QuicRuntime;
import io.vshard.transport.TestNode;
import io.vshard.transport.TransportCounters;
import io.vshard.transport.client.QuicClient;
import io.vshard.transport.tls.QuicTls;
import org.HdrHistogram.Histogram;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Peers that never read their answers while asking for large ones: an 8-byte {@code TsScatterRequest} is answered
 * with a {@value #ANSWER_BYTES}-byte {@code TsScatterResponse}, an amplification of about 3,800. The node must keep the
 * answers it holds under its reply budgets, stop accepting from such a peer, close it (after the unread timeout, or at
 * once when an answer does not fit the budget), and serve a bystander on the same lane throughout.
 */
@Timeout(120)
class ReplyBudgetTest
{
    private static final int ANSWER_BYTES = 256 * 1024;
    private static final long MIB = 1024 * 1024;
    private static final long CONNECTION_BUDGET_BYTES = 32 * MIB;
    private static final long NODE_BUDGET_BYTES = 64 * MIB;
    private static final int STREAMS = 3;
    private static final int AMPLIFYING_REQUEST_LENGTH =
        FrameDescriptor.HEADER_LENGTH + EnvelopeDescriptor.HEADER_LENGTH + 8;

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
    void shouldHoldNeverReadingPeersUnderTheBudgetsCloseThemAfterTheUnreadTimeoutAndServeABystander()
    {
        final long unreadTimeoutMs = 2_000;
        start(unreadTimeoutMs);
        final QuicClient good = node.client(null);
        try (Bystander bystander = new Bystander(good, MessageType.GraphAlgoSuperstep, 2_000);
            Memory memory = new Memory(node.server.counters()))
        {
            await(() -> bystander.answered() >= 200, 20_000, "the bystander's baseline");
            final ResourceProbe baseline = ResourceProbe.afterGc();
            final long baselineNetty = nettyDirect();
            memory.reset();
            bystander.takeHistogram();

            // Two peers, three streams each, 8 requests (2 MiB of answers) per write, one write in flight per stream.
            final List<CloseRecorder> closes = new ArrayList<>();
            final List<QuicStreamChannel> streams = new ArrayList<>();
            for (int p = 0; p < 2; p++)
            {
                final CloseRecorder close = new CloseRecorder();
                closes.add(close);
                final RawQuicPeer hostile = connect(close);
                for (int s = 0; s < STREAMS; s++)
                {
                    streams.add(hostile.openStream(new ChannelInboundHandlerAdapter(), false)
                        .syncUninterruptibly().getNow());
                }
            }
            final TransportCounters counters = node.server.counters();
            final long startNs = System.nanoTime();
            final long written = amplify(streams, 8, startNs + TimeUnit.SECONDS.toNanos(15),
                () -> memory.closes().size() >= 2);
            final Histogram during = bystander.takeHistogram();
            final List<Long> closedMs = memory.closes().stream()
                .map((ns) -> TimeUnit.NANOSECONDS.toMillis(ns - startNs)).toList();
            await(() -> 0 == counters.replyBytesQueued.get(), 10_000, "the closed peers' answers freed");
            // The node counts a close before the peer can hear it: wait for what each peer saw (its idle timeout,
            // 60 s, would take longer).
            awaitQuietly(() -> closes.stream().allMatch(CloseRecorder::isClosed), 10_000);
            final List<Long> heardMs = closes.stream()
                .map((close) -> TimeUnit.NANOSECONDS.toMillis(close.closedAtNs() - startNs)).toList();
            System.out.printf("never-reading amplifying peers: wrote %d requests (%d MiB of answers asked), closed " +
                "by the node after %s ms (unread timeout %d ms), peers saw %s after %s ms; node reply bytes queued peak %.1f MiB (budgets: %d MiB " +
                "per connection, %d MiB per node); Netty direct %.1f -> peak %.1f MiB; baseline %s, peak %s; " +
                "budget holds %d; bystander %s, answered %d, failures %d%n",
                written, written * ANSWER_BYTES / MIB, closedMs, unreadTimeoutMs,
                closes.stream().map(CloseRecorder::describe).toList(), heardMs, memory.peakQueued() / (double)MIB, CONNECTION_BUDGET_BYTES / MIB,
                NODE_BUDGET_BYTES / MIB, baselineNetty / (double)MIB, memory.peakNetty() / (double)MIB,
                baseline.describe(), memory.peakProbe().describe(), counters.replyBudgetHolds.get(),
                Bystander.describe(during), bystander.answered(), bystander.failures());

            assertThat(closedMs).as("both attackers closed by the node").hasSize(2);
            // Before its first answer is queued a connection cannot know how large its answers are, so on a slow
            // machine a burst accepted then can reach a budget first: that attacker is closed for it (0x108), earlier.
            final long overBudget = counters.connectionsClosedOverBudget.get();
            assertThat(counters.connectionsClosedUnread.get() + overBudget).isEqualTo(2);
            assertThat(closes).as("each attacker heard the node's close, 0x107 (unread) or 0x108 (over budget)")
                .allSatisfy((close) -> assertThat(close.describe())
                    .isIn("application error 0x107", "application error 0x108"));
            assertThat(closes.stream().filter((close) -> close.describe().endsWith("0x108")).count())
                .isEqualTo(overBudget);
            assertThat(closedMs).allSatisfy((ms) -> assertThat(ms).isLessThanOrEqualTo(unreadTimeoutMs + 8_000));
            assertThat(closedMs.stream().sorted().skip(overBudget))
                .as("closes for unread answers come after the timeout")
                .allSatisfy((ms) -> assertThat(ms).isGreaterThanOrEqualTo(unreadTimeoutMs));
            assertThat(node.server.connectionCount()).as("only the bystander's connection left").isEqualTo(1);
            assertThat(written * ANSWER_BYTES).as("the attackers asked for more than the node's budget")
                .isGreaterThan(NODE_BUDGET_BYTES);
            assertThat(counters.replyBudgetHolds.get()).isPositive();
            assertThat(memory.peakQueued()).isLessThanOrEqualTo(NODE_BUDGET_BYTES);
            assertThat(memory.peakNetty() - baselineNetty).isLessThan(NODE_BUDGET_BYTES + 16 * MIB);
            assertThat(memory.peakProbe().directBytes() - baseline.directBytes())
                .isLessThan(NODE_BUDGET_BYTES + 16 * MIB);
            assertThat(bystander.failures()).isZero();
            assertThat(during.getTotalCount()).isPositive();
        }
    }

    @Test
    void shouldCloseAPeerWhoseAnswersWouldExceedTheConnectionBudgetAndServeABystander()
    {
        start(60_000);
        final QuicClient good = node.client(null);
        try (Bystander bystander = new Bystander(good, MessageType.GraphAlgoSuperstep, 2_000);
            Memory memory = new Memory(node.server.counters()))
        {
            await(() -> bystander.answered() >= 200, 20_000, "the bystander's baseline");
            final long baselineNetty = nettyDirect();
            memory.reset();

            // Three requests in one write, each for a 12 MiB answer: all accepted before the first answer shows how
            // large they are; the third answer would take the connection to 36 MiB, over its 32 MiB budget.
            final int answerBytes = 12 * 1024 * 1024;
            final CloseRecorder close = new CloseRecorder();
            final RawQuicPeer hostile = connect(close);
            final QuicStreamChannel stream =
                hostile.openStream(new ChannelInboundHandlerAdapter(), false).syncUninterruptibly().getNow();
            final TransportCounters counters = node.server.counters();
            final long startNs = System.nanoTime();
            final byte[] requests = new byte[3 * AMPLIFYING_REQUEST_LENGTH];
            for (int i = 0; i < 3; i++)
            {
                System.arraycopy(amplifyingRequest(i + 1, answerBytes), 0, requests, i * AMPLIFYING_REQUEST_LENGTH,
                    AMPLIFYING_REQUEST_LENGTH);
            }
            RawQuicPeer.write(stream, requests);
            await(() -> !memory.closes().isEmpty(), 20_000, "the node closing the peer");
            await(() -> 0 == counters.replyBytesQueued.get(), 10_000, "the closed peer's answers freed");
            awaitQuietly(close::isClosed, 10_000);
            final long answeredBefore = bystander.answered();
            await(() -> bystander.answered() > answeredBefore + 50, 20_000, "the bystander after the peer");
            System.out.printf("peer asking for 3 answers of 12 MiB without reading: closed by the node after %s ms, " +
                "the peer saw %s; node reply bytes queued peak %.1f MiB (budget %d MiB per connection); Netty direct " +
                "%.1f -> peak %.1f MiB; replies dropped %d; bystander answered %d, failures %d%n",
                memory.closes().stream().map((ns) -> TimeUnit.NANOSECONDS.toMillis(ns - startNs)).toList(),
                close.describe(), memory.peakQueued() / (double)MIB, CONNECTION_BUDGET_BYTES / MIB,
                baselineNetty / (double)MIB, memory.peakNetty() / (double)MIB, counters.repliesDropped.get(),
                bystander.answered(), bystander.failures());

            assertThat(memory.closes()).as("the attacker closed by the node").hasSize(1);
            assertThat(close.describe()).as("what the attacker heard").isEqualTo("application error 0x108");
            assertThat(counters.connectionsClosedOverBudget.get()).isEqualTo(1);
            assertThat(counters.connectionsClosedUnread.get()).isZero();
            assertThat(counters.repliesDropped.get()).as("the third answer").isEqualTo(1);
            assertThat(memory.peakQueued()).isLessThanOrEqualTo(CONNECTION_BUDGET_BYTES);
            assertThat(memory.peakNetty() - baselineNetty).isLessThan(CONNECTION_BUDGET_BYTES + 16 * MIB);
            await(() -> 1 == node.server.connectionCount(), 5_000, "only the bystander's connection left");
            assertThat(bystander.failures()).isZero();
        }
    }

    private void start(final long unreadTimeoutMs)
    {
        node = new TestNode(dir, amplifier(), (p) -> { }, (t) -> t
            .replyConnectionBudgetBytes(CONNECTION_BUDGET_BYTES)
            .replyNodeBudgetBytes(NODE_BUDGET_BYTES)
            .replyUnreadTimeoutMs(unreadTimeoutMs));
    }

    private RawQuicPeer connect(final CloseRecorder close)
    {
        final RawQuicPeer peer = RawQuicPeer.connect(group, node.server.localAddress(),
            QuicTls.client(node.ca.issue(TestNode.CLIENT_ID)), 60_000, 5_000, close);
        peers.add(peer);
        return peer;
    }

    /**
     * Write {@code perWrite} amplifying requests at a time on each stream, one write in flight per stream, until the
     * deadline or {@code done}.
     */
    private static long amplify(
        final List<QuicStreamChannel> streams, final int perWrite, final long deadlineNs, final BooleanSupplier done)
    {
        final ChannelFuture[] last = new ChannelFuture[streams.size()];
        long written = 0;
        long id = 1;
        while (System.nanoTime() < deadlineNs && !done.getAsBoolean())
        {
            boolean wrote = false;
            for (int i = 0; i < streams.size(); i++)
            {
                final QuicStreamChannel stream = streams.get(i);
                if (stream.isActive() && (null == last[i] || last[i].isDone()))
                {
                    last[i] = stream.writeAndFlush(
                        Unpooled.wrappedBuffer(WireBytes.requests(id, perWrite, MessageType.TsScatterRequest, 8)));
                    id += perWrite;
                    written += perWrite;
                    wrote = true;
                }
            }
            if (!wrote)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        return written;
    }

    /**
     * A {@code TsScatterRequest} frame whose 8-byte payload asks the amplifier for an answer of the given size.
     */
    private static byte[] amplifyingRequest(final long correlationId, final int answerBytes)
    {
        final byte[] frame = WireBytes.request(correlationId, MessageType.TsScatterRequest, TestNode.CLIENT_ID, 8);
        new UnsafeBuffer(frame).putInt(FrameDescriptor.BODY_OFFSET + EnvelopeDescriptor.HEADER_LENGTH, answerBytes,
            ByteOrder.LITTLE_ENDIAN);
        return frame;
    }

    private static EnvelopeHandler amplifier()
    {
        final EnvelopeHandler echo = Handlers.echo();
        return (envelope, reply) ->
        {
            if (MessageType.TsScatterRequest == envelope.messageType())
            {
                final int asked = envelope.payloadLength() >= 4 ?
                    envelope.payloadBuffer().getInt(envelope.payloadOffset(), ByteOrder.LITTLE_ENDIAN) : 0;
                final MutableDirectBuffer out =
                    reply.claim(MessageType.TsScatterResponse, 0 == asked ? ANSWER_BYTES : asked);
                out.setMemory(reply.payloadOffset(), 64, (byte)7);
                reply.commit();
            }
            else
            {
                echo.onEnvelope(envelope, reply);
            }
        };
    }

    private static long nettyDirect()
    {
        final long counted = PlatformDependent.usedDirectMemory();
        return counted >= 0 ? counted : PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
    }

    private static void awaitQuietly(final BooleanSupplier condition, final long timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean() && System.nanoTime() < deadlineNs)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
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

    /**
     * Records how the server closed the connection.
     */
    private static final class CloseRecorder extends ChannelInboundHandlerAdapter
    {
        private volatile int error = -1;
        private volatile boolean application;
        private volatile long closedAtNs;

        public void userEventTriggered(final ChannelHandlerContext ctx, final Object event)
        {
            if (event instanceof QuicConnectionCloseEvent close && 0 == closedAtNs)
            {
                error = close.error();
                application = close.isApplicationClose();
                closedAtNs = System.nanoTime();
            }
            ctx.fireUserEventTriggered(event);
        }

        public void channelInactive(final ChannelHandlerContext ctx)
        {
            if (0 == closedAtNs)
            {
                closedAtNs = System.nanoTime();
            }
            ctx.fireChannelInactive();
        }

        boolean isClosed()
        {
            return 0 != closedAtNs;
        }

        long closedAtNs()
        {
            return closedAtNs;
        }

        int error()
        {
            return error;
        }

        String describe()
        {
            return (application ? "application " : "transport ") + "error 0x" + Integer.toHexString(error);
        }
    }

    /**
     * Peaks of the node's reply bytes queued, Netty's direct memory and the process's figures, sampled every 10 ms.
     */
    private static final class Memory implements AutoCloseable
    {
        private final TransportCounters counters;
        private final ResourceProbe.Sampler probe = new ResourceProbe.Sampler(20);
        private final Thread thread;
        private volatile boolean running = true;
        private volatile long peakQueued;
        private volatile long peakNetty;
        private final List<Long> closes = new java.util.concurrent.CopyOnWriteArrayList<>();

        Memory(final TransportCounters counters)
        {
            this.counters = counters;
            thread = new Thread(this::run, "memory-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void reset()
        {
            peakQueued = 0;
            peakNetty = 0;
            probe.reset();
        }

        /**
         * When the node closed connections for unread answers or the reply budget, in {@code System.nanoTime()}.
         */
        List<Long> closes()
        {
            return closes;
        }

        long peakQueued()
        {
            return peakQueued;
        }

        long peakNetty()
        {
            return peakNetty;
        }

        ResourceProbe peakProbe()
        {
            return probe.peak();
        }

        public void close()
        {
            running = false;
            probe.close();
            try
            {
                thread.join(1_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        private void run()
        {
            long closed = 0;
            while (running)
            {
                final long closedNow = counters.connectionsClosedUnread.get() + counters.connectionsClosedOverBudget.get();
                for (; closed < closedNow; closed++)
                {
                    closes.add(System.nanoTime());
                }
                peakQueued = Math.max(peakQueued, counters.replyBytesQueued.get());
                peakNetty = Math.max(peakNetty, nettyDirect());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }
}
