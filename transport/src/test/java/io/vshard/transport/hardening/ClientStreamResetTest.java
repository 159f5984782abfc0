package io.vshard.transport.hardening;

import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.transport.TestNode;
import io.vshard.transport.client.Answer;
import io.vshard.transport.client.AnswerListener;
import io.vshard.transport.client.QuicClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server that resets one of a client's streams (here: a frame larger than the server takes, bad framing to it)
 * costs the requests written to that stream only: the client opens a new stream in its place on the same
 * connection, and the requests in flight on its other streams are answered. Before, the client replaced the whole
 * connection and failed every stream's requests with it.
 */
class ClientStreamResetTest
{
    private static final int SERVER_MAX_FRAME_LENGTH = 4096;

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void shouldReplaceAResetStreamAndKeepTheConnectionAndItsOtherStreams() throws Exception
    {
        try (TestNode node = new TestNode(dir, Handlers.echo(), (p) -> { },
            (t) -> t.maxFrameLength(SERVER_MAX_FRAME_LENGTH)))
        {
            final QuicClient client = node.client(node.clientContext(node.ca.issue(TestNode.CLIENT_ID))
                .clientStreams(2).requestTimeoutMs(10_000), null);
            assertThat(answer(client.request(0, envelope(8))).kind()).isEqualTo(FrameDescriptor.KIND_RESPONSE);
            assertThat(answer(client.request(1, envelope(8))).kind()).isEqualTo(FrameDescriptor.KIND_RESPONSE);

            final List<CompletableFuture<Answer>> onOtherStream = new ArrayList<>();
            for (int i = 0; i < 200; i++)
            {
                onOtherStream.add(client.request(1, envelope(64)));
            }
            final CompletableFuture<Answer> tooLarge = client.request(0, envelope(2 * SERVER_MAX_FRAME_LENGTH));
            for (int i = 0; i < 200; i++)
            {
                onOtherStream.add(client.request(1, envelope(64)));
            }

            assertThat(answer(tooLarge).kind()).as("the request on the reset stream")
                .isEqualTo(AnswerListener.CONNECTION_CLOSED);
            for (final CompletableFuture<Answer> future : onOtherStream)
            {
                assertThat(answer(future).kind()).as("a request on the other stream")
                    .isEqualTo(FrameDescriptor.KIND_RESPONSE);
            }
            assertThat(node.server.counters().streamsReset.get()).isEqualTo(1);
            assertThat(answer(client.request(0, envelope(8))).kind()).as("the replaced stream")
                .isEqualTo(FrameDescriptor.KIND_RESPONSE);
            assertThat(client.connectCount()).as("one connection all along").isEqualTo(1);
            assertThat(client.isConnected()).isTrue();
            // The reset reaches the client's stream handler as an exception: counted, and not an error.
            assertThat(client.channelErrors()).as("stream resets counted").isEqualTo(1);
            assertThat(node.errors).isEmpty();
        }
    }

    @Test
    @Timeout(60)
    void shouldReplaceTheConnectionWhenStreamsKeepBeingReset() throws Exception
    {
        try (TestNode node = new TestNode(dir, Handlers.echo(), (p) -> { },
            (t) -> t.maxFrameLength(SERVER_MAX_FRAME_LENGTH)))
        {
            final QuicClient client = node.client(node.clientContext(node.ca.issue(TestNode.CLIENT_ID))
                .clientStreams(1).requestTimeoutMs(10_000), null);
            // 4 reopens per stream are allowed; the 5th reset replaces the connection.
            for (int i = 0; i < 5; i++)
            {
                assertThat(answer(client.request(0, envelope(2 * SERVER_MAX_FRAME_LENGTH))).kind())
                    .isEqualTo(AnswerListener.CONNECTION_CLOSED);
            }
            awaitConnections(client, 2);
            assertThat(answer(client.request(0, envelope(8))).kind()).isEqualTo(FrameDescriptor.KIND_RESPONSE);
        }
    }

    private static void awaitConnections(final QuicClient client, final int connections) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (client.connectCount() < connections || !client.isConnected())
        {
            assertThat(System.nanoTime() - deadlineNs).as("reconnected").isNegative();
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    private static VShardEnvelope envelope(final int payloadLength)
    {
        return VShardEnvelope.of(MessageType.GhostCreate, TestNode.CLIENT_ID, TestNode.SERVER_ID, 1,
            new byte[payloadLength]);
    }

    private static Answer answer(final CompletableFuture<Answer> future) throws Exception
    {
        return future.get(10, TimeUnit.SECONDS);
    }
}
