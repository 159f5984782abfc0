package io.vshard.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.transport.client.Answer;
import io.vshard.transport.client.QuicClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class DatagramCountingTest
{
    private static final int REQUESTS = 200;
    // Few: the I/O threads of both sides spin while the test runs.
    private static final int BUSY_POLL_REQUESTS = 20;
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 9);

    @TempDir
    Path dir;
    private TestNode node;

    @AfterEach
    void tearDown()
    {
        if (null != node)
        {
            node.close();
            assertThat(node.errors).isEmpty();
        }
    }

    @Test
    void shouldCountASegmentationOffloadPacketAsItsSegments()
    {
        final DatagramPacket single = new DatagramPacket(Unpooled.buffer(1_350).writeZero(1_350), PEER);
        final DatagramPacket segmented = new SegmentedDatagramPacket(
            Unpooled.buffer(3 * 1_200 + 100).writeZero(3 * 1_200 + 100), 1_200, PEER);
        final DatagramPacket exact = new SegmentedDatagramPacket(Unpooled.buffer(2_400).writeZero(2_400), 1_200, PEER);
        final DatagramPacket oneSegment = new SegmentedDatagramPacket(Unpooled.buffer(800).writeZero(800), 1_200, PEER);
        try
        {
            assertThat(DatagramCounter.datagramsOf(single)).isEqualTo(1);
            assertThat(DatagramCounter.datagramsOf(segmented)).isEqualTo(4);
            assertThat(DatagramCounter.datagramsOf(exact)).isEqualTo(2);
            assertThat(DatagramCounter.datagramsOf(oneSegment)).isEqualTo(1);
        }
        finally
        {
            single.release();
            segmented.release();
            exact.release();
            oneSegment.release();
        }
    }

    @Test
    void shouldCountEveryDatagramBetweenClientAndServer() throws Exception
    {
        node = echoNode(false);
        final QuicClient client = node.client(null);
        exchange(client, REQUESTS);

        // Loopback loses nothing here: once quiet, what one side sent the other received, handshake included.
        final TransportCounters counters = node.server.counters();
        Await.until("datagram counts to settle", 10_000, () ->
            counters.datagramsIn.get() == client.datagramsOut() && counters.datagramsOut.get() == client.datagramsIn());
        assertThat(client.datagramsOut()).isGreaterThan(0);
        assertThat(client.datagramsIn()).isGreaterThan(0);
        // Each request needs a datagram unless several share one; never more than a few per request.
        assertThat(counters.datagramsIn.get()).isLessThanOrEqualTo(10L * REQUESTS);
    }

    @Test
    void shouldAnswerRequestsWithBusyPollingIoThreads() throws Exception
    {
        node = echoNode(true);
        final QuicClient client = node.client(node.clientContext(node.ca.issue(TestNode.CLIENT_ID)).ioBusyPoll(true),
            null);
        assertThat(client.context().ioBusyPoll()).isTrue();
        exchange(client, BUSY_POLL_REQUESTS);
        assertThat(node.server.counters().framesIn.get()).isEqualTo(BUSY_POLL_REQUESTS);
    }

    private TestNode echoNode(final boolean busyPoll)
    {
        return new TestNode(dir, (envelope, reply) -> reply.respond(envelope.messageType(),
            envelope.payloadBuffer(), envelope.payloadOffset(), envelope.payloadLength()),
            (pipelineCtx) -> { }, (transportCtx) -> transportCtx.ioBusyPoll(busyPoll));
    }

    private static void exchange(final QuicClient client, final int requests) throws Exception
    {
        for (int i = 0; i < requests; i++)
        {
            final byte[] payload = {(byte)i};
            final Answer answer = client.request(0, VShardEnvelope.of(MessageType.GhostVerifyRequest,
                TestNode.CLIENT_ID, TestNode.SERVER_ID, 1, payload)).get(10, TimeUnit.SECONDS);
            assertThat(answer.kind()).isEqualTo(FrameDescriptor.KIND_RESPONSE);
            assertThat(answer.envelope().payload()).isEqualTo(payload);
        }
    }
}
