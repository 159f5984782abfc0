package io.vshard.transport.hardening;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicServerCodecBuilder;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.transport.ClientContext;
import io.vshard.transport.FrameReader;
import io.vshard.transport.QuicRuntime;
import io.vshard.transport.client.Answer;
import io.vshard.transport.client.QuicClient;
import io.vshard.transport.tls.CertificateAuthority;
import io.vshard.transport.tls.QuicTls;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A malicious server answers with RESPONSE frames whose body is not one valid envelope (too short for an envelope
 * header, a payload_length claiming 2 GiB or a negative one, an unknown message type). Each request still gets its
 * outcome at once: its future fails, or the listener gets an ERROR with the validation code; the client counts and
 * reports each one, allocates nothing sized by the forged fields, and goes on with the well-formed answers that
 * follow on the same stream. The server is a raw Netty QUIC server on 127.0.0.1 that answers by the request's
 * vshard_id: 0 a well-formed echo, 1 to 4 one malformed variant each.
 */
@Timeout(60)
class MalformedResponseTest
{
    private static final String CLUSTER = "evil";
    private static final int WELL_FORMED = 0;
    private static final int SHORT_BODY = 1;
    private static final int HUGE_PAYLOAD_LENGTH = 2;
    private static final int NEGATIVE_PAYLOAD_LENGTH = 3;
    private static final int UNKNOWN_TYPE = 4;

    private final CertificateAuthority ca = CertificateAuthority.create(CLUSTER, Duration.ofDays(1));
    private final CopyOnWriteArrayList<Throwable> clientErrors = new CopyOnWriteArrayList<>();
    private EventLoopGroup group;
    private Channel serverSocket;

    @BeforeEach
    void setUp()
    {
        group = QuicRuntime.newEventLoopGroup(1, "malicious-server");
        final io.netty.channel.ChannelHandler codec = new QuicServerCodecBuilder()
            .sslContext(QuicTls.server(ca.issue(1)))
            .maxIdleTimeout(30_000, TimeUnit.MILLISECONDS)
            .initialMaxData(16 * 1024 * 1024)
            .initialMaxStreamDataBidirectionalLocal(4 * 1024 * 1024)
            .initialMaxStreamDataBidirectionalRemote(4 * 1024 * 1024)
            .initialMaxStreamsBidirectional(16)
            .initialMaxStreamsUnidirectional(0)
            .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .tokenHandler(io.netty.incubator.codec.quic.InsecureQuicTokenHandler.INSTANCE)
            .handler(new ChannelInboundHandlerAdapter())
            .streamHandler(new ChannelInitializer<QuicStreamChannel>()
            {
                protected void initChannel(final QuicStreamChannel stream)
                {
                    stream.pipeline().addLast(new MaliciousAnswers());
                }
            })
            .build();
        serverSocket = new Bootstrap().group(group)
            .channel(Epoll.isAvailable() ? EpollDatagramChannel.class : NioDatagramChannel.class)
            .handler(codec)
            .bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    @AfterEach
    void tearDown()
    {
        serverSocket.close().awaitUninterruptibly(1_000);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
    }

    @Test
    void shouldFailTheFutureOfEachMalformedResponseAndServeTheWellFormedOnes() throws Exception
    {
        try (QuicClient client = new QuicClient(clientContext(), address(), null).connect())
        {
            final int[] variants = { SHORT_BODY, HUGE_PAYLOAD_LENGTH, NEGATIVE_PAYLOAD_LENGTH, UNKNOWN_TYPE };
            for (final int variant : variants)
            {
                final CompletableFuture<Answer> malformed = client.request(0, request(variant));
                final long beforeNs = System.nanoTime();
                assertThatThrownBy(() -> malformed.get(5, TimeUnit.SECONDS))
                    .as("variant %d", variant)
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("malformed RESPONSE from");
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beforeNs))
                    .as("failed on arrival, not at the request timeout").isLessThan(5_000);

                final Answer fine = client.request(0, request(WELL_FORMED)).get(5, TimeUnit.SECONDS);
                assertThat(fine.kind()).isEqualTo(FrameDescriptor.KIND_RESPONSE);
                assertThat(fine.envelope().payload()).hasSize(8);
            }
            assertThat(client.malformedAnswers()).isEqualTo(variants.length);
            assertThat(client.pendingRequests()).isZero();
            assertThat(client.connectCount()).as("one connection throughout").isEqualTo(1);
            assertThat(clientErrors).hasSize(variants.length)
                .allSatisfy((error) -> assertThat(error).hasMessageContaining("malformed RESPONSE from"));
            assertThat(clientErrors.get(0)).hasMessageContaining(ErrorCode.MALFORMED.message());
            assertThat(clientErrors.get(3)).hasMessageContaining(ErrorCode.UNKNOWN_TYPE.message());
        }
    }

    @Test
    void shouldGiveTheListenerAnErrorForAMalformedResponse()
    {
        final OutcomeLog outcomes = new OutcomeLog();
        try (QuicClient client = new QuicClient(clientContext(), address(), outcomes::add).connect())
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
            final byte[] encoded = request(HUGE_PAYLOAD_LENGTH).encode();
            buffer.putBytes(0, encoded);
            final long id = client.request(0, buffer, 0, encoded.length);
            assertThat(id).isPositive();

            final long[] outcome = outcomes.await(id, 5_000);
            assertThat(outcome).as("an outcome for correlation id %d", id).isNotNull();
            assertThat(outcome[0]).isEqualTo(FrameDescriptor.KIND_ERROR);
            assertThat(outcome[1]).isEqualTo(ErrorCode.MALFORMED.value());
            assertThat(outcome[2]).as("no envelope handed on").isZero();
            assertThat(client.malformedAnswers()).isEqualTo(1);
        }
    }

    private ClientContext clientContext()
    {
        return new ClientContext().nodeCertificate(ca.issue(2)).requestTimeoutMs(30_000).handshakeTimeoutMs(5_000)
            .errorHandler(clientErrors::add);
    }

    private InetSocketAddress address()
    {
        return (InetSocketAddress)serverSocket.localAddress();
    }

    private static VShardEnvelope request(final int variant)
    {
        return VShardEnvelope.of(MessageType.GhostCreate, 2, 1, variant, new byte[8]);
    }

    /**
     * Listener outcomes by correlation id: kind, error code, whether an envelope came.
     */
    private static final class OutcomeLog
    {
        private final java.util.concurrent.ConcurrentHashMap<Long, long[]> byId =
            new java.util.concurrent.ConcurrentHashMap<>();

        void add(final long correlationId, final int kind, final int errorCode,
            final io.vshard.core.wire.EnvelopeView envelope)
        {
            byId.put(correlationId, new long[]{ kind, errorCode, null == envelope ? 0 : 1 });
        }

        long[] await(final long correlationId, final long timeoutMs)
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            long[] found;
            while (null == (found = byId.get(correlationId)) && System.nanoTime() - deadlineNs < 0)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            return found;
        }
    }

    /**
     * Answers each ENVELOPE frame of a stream according to its vshard_id. Runs on the stream's event loop.
     */
    private static final class MaliciousAnswers extends ChannelInboundHandlerAdapter
    {
        private FrameReader reader;
        private ChannelHandlerContext ctx;

        public void handlerAdded(final ChannelHandlerContext ctx)
        {
            this.ctx = ctx;
            reader = new FrameReader(FrameDescriptor.maxFrameLengthField(1024 * 1024), ctx.alloc());
        }

        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf in = (ByteBuf)msg;
            try
            {
                reader.onData(in, this::onFrame);
            }
            finally
            {
                in.release();
            }
        }

        public void channelInactive(final ChannelHandlerContext ctx)
        {
            reader.release();
        }

        private boolean onFrame(final DirectBuffer buffer, final int offset, final int length)
        {
            final long correlationId = FrameDescriptor.correlationId(buffer, offset);
            final int envelopeAt = offset + FrameDescriptor.BODY_OFFSET;
            final int envelopeLength = length - FrameDescriptor.BODY_OFFSET;
            final int variant = buffer.getInt(envelopeAt + EnvelopeDescriptor.VSHARD_ID_FIELD_OFFSET,
                ByteOrder.LITTLE_ENDIAN);
            final UnsafeBuffer answer;
            if (SHORT_BODY == variant)
            {
                answer = new UnsafeBuffer(new byte[FrameDescriptor.HEADER_LENGTH + 10]);
                FrameDescriptor.putHeader(answer, 0, FrameDescriptor.KIND_RESPONSE, correlationId, 10);
            }
            else
            {
                answer = new UnsafeBuffer(new byte[FrameDescriptor.HEADER_LENGTH + envelopeLength]);
                FrameDescriptor.putHeader(answer, 0, FrameDescriptor.KIND_RESPONSE, correlationId, envelopeLength);
                answer.putBytes(FrameDescriptor.BODY_OFFSET, buffer, envelopeAt, envelopeLength);
                final int lengthAt = FrameDescriptor.BODY_OFFSET + EnvelopeDescriptor.PAYLOAD_LENGTH_FIELD_OFFSET;
                if (HUGE_PAYLOAD_LENGTH == variant)
                {
                    answer.putInt(lengthAt, Integer.MAX_VALUE, ByteOrder.LITTLE_ENDIAN);
                }
                else if (NEGATIVE_PAYLOAD_LENGTH == variant)
                {
                    answer.putInt(lengthAt, -8, ByteOrder.LITTLE_ENDIAN);
                }
                else if (UNKNOWN_TYPE == variant)
                {
                    answer.putShort(FrameDescriptor.BODY_OFFSET + EnvelopeDescriptor.MSG_TYPE_FIELD_OFFSET,
                        (short)0xFFFE, ByteOrder.LITTLE_ENDIAN);
                }
            }
            ctx.writeAndFlush(ctx.alloc().buffer(answer.capacity()).writeBytes(answer.byteArray()));
            return true;
        }
    }
}
