package io.vshard.transport;

import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import io.vshard.transport.client.QuicClient;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

class PipelinedLoadTest
{
    static
    {
        LeakDetection.install();
    }

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldAnswerEveryPipelinedRequestExactlyOnce()
    {
        run(Integer.getInteger("vshard.test.pipelined.count", 200_000));
    }

    @Test
    @Tag("slow")
    @Timeout(300)
    void shouldAnswerAMillionPipelinedRequestsExactlyOnce()
    {
        run(1_000_000);
    }

    private void run(final int count)
    {
        final int streams = 4;
        final long[] idOf = new long[count + 1];
        final long[] answerIds = new long[count];
        final long[] answerPayloads = new long[count];
        final AtomicLong wrong = new AtomicLong();
        final AtomicLong answers = new AtomicLong();
        try (TestNode node = new TestNode(dir, (envelope, reply) -> reply.respond(
            envelope.messageType(), envelope.payloadBuffer(), envelope.payloadOffset(), envelope.payloadLength())))
        {
            final QuicClient client = node.client(
                node.clientContext(node.ca.issue(TestNode.CLIENT_ID)).clientStreams(streams),
                (correlationId, kind, errorCode, envelope) ->
                {
                    final long k = answers.get();
                    if (FrameDescriptor.KIND_RESPONSE != kind || 8 != envelope.payloadLength() || k >= count)
                    {
                        wrong.incrementAndGet();
                        return;
                    }
                    answerIds[(int)k] = correlationId;
                    answerPayloads[(int)k] =
                        envelope.payloadBuffer().getLong(envelope.payloadOffset(), ByteOrder.LITTLE_ENDIAN);
                    answers.lazySet(k + 1);
                });
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
            final MessageType[] types = { MessageType.GraphAlgoSuperstep, MessageType.TsScatterResponse };
            final long startNs = System.nanoTime();
            for (int i = 1; i <= count; i++)
            {
                final int length = TestNode.envelope(buffer, types[i & 1], TestNode.CLIENT_ID, i, 8);
                buffer.putLong(28, i, ByteOrder.LITTLE_ENDIAN);
                long id;
                while ((id = client.request(i % streams, buffer, 0, length)) == QuicClient.BACK_PRESSURED)
                {
                    LockSupport.parkNanos(20_000);
                }
                assertThat(id).isPositive();
                idOf[i] = id;
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (answers.get() < count && System.nanoTime() < deadline)
            {
                LockSupport.parkNanos(1_000_000);
            }
            final double seconds = (System.nanoTime() - startNs) / 1e9;
            System.out.printf("%d pipelined requests over %d streams in %.2f s (%.0f/s)%n",
                count, streams, seconds, count / seconds);
            assertThat(answers.get()).isEqualTo(count);
            assertThat(wrong.get()).isZero();
            final byte[] seen = new byte[count + 1];
            for (int k = 0; k < count; k++)
            {
                final int i = (int)answerPayloads[k];
                assertThat(idOf[i]).as("correlation of request " + i).isEqualTo(answerIds[k]);
                seen[i]++;
            }
            for (int i = 1; i <= count; i++)
            {
                assertThat(seen[i]).as("answers to request " + i).isEqualTo((byte)1);
            }
            assertThat(client.pendingRequests()).isZero();
            assertThat(node.errors).isEmpty();
        }
        assertThat(LeakDetection.collect()).isEmpty();
    }
}
