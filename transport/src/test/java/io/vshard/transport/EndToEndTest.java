package io.vshard.transport;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.transport.client.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class EndToEndTest
{
    @TempDir
    Path dir;
    private TestNode node;

    @BeforeEach
    void setUp()
    {
        node = new TestNode(dir, (envelope, reply) ->
        {
            final MessageType type = envelope.messageType();
            if (type == MessageType.GhostDelete)
            {
                return;
            }
            if (type == MessageType.GhostCreate)
            {
                reply.error(ErrorCode.HANDLER_FAILED, "nope");
                return;
            }
            reply.respond(type, envelope.payloadBuffer(), envelope.payloadOffset(), envelope.payloadLength());
        });
    }

    @AfterEach
    void tearDown()
    {
        node.close();
        assertThat(node.errors).isEmpty();
    }

    @Test
    void shouldAnswerEveryDispatchTargetThroughQuicAndTls() throws Exception
    {
        final var client = node.client(null);
        final Set<DispatchTarget> seen = EnumSet.noneOf(DispatchTarget.class);
        for (final MessageType type : MessageType.values())
        {
            if (type == MessageType.GhostDelete || type == MessageType.GhostCreate)
            {
                continue;
            }
            final byte[] payload = ("payload of " + type).getBytes();
            final Answer answer = client.request(0,
                VShardEnvelope.of(type, TestNode.CLIENT_ID, TestNode.SERVER_ID, 77, payload)).get(10, TimeUnit.SECONDS);
            assertThat(answer.kind()).as(type.name()).isEqualTo(FrameDescriptor.KIND_RESPONSE);
            assertThat(answer.envelope().msgType()).isEqualTo(type);
            assertThat(answer.envelope().sourceNode()).isEqualTo(TestNode.SERVER_ID);
            assertThat(answer.envelope().targetNode()).isEqualTo(TestNode.CLIENT_ID);
            assertThat(answer.envelope().vshardId()).isEqualTo(77);
            assertThat(answer.envelope().payload()).isEqualTo(payload);
            seen.add(type.target());
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(EnumSet.allOf(DispatchTarget.class));

        final Answer ack = client.request(0, VShardEnvelope.of(MessageType.GhostDelete, TestNode.CLIENT_ID,
            TestNode.SERVER_ID, 1, new byte[0])).get(10, TimeUnit.SECONDS);
        assertThat(ack.kind()).isEqualTo(FrameDescriptor.KIND_ACK);
        final Answer error = client.request(0, VShardEnvelope.of(MessageType.GhostCreate, TestNode.CLIENT_ID,
            TestNode.SERVER_ID, 1, new byte[0])).get(10, TimeUnit.SECONDS);
        assertThat(error.kind()).isEqualTo(FrameDescriptor.KIND_ERROR);
        assertThat(error.errorCode()).isEqualTo(ErrorCode.HANDLER_FAILED.value());
        assertThat(client.pendingRequests()).isZero();
    }

    @Test
    void shouldAnswerIdentityMismatchForSpoofedSourceNode() throws Exception
    {
        final var client = node.client(null);
        final Answer answer = client.request(0, VShardEnvelope.of(MessageType.GhostVerifyRequest, 99,
            TestNode.SERVER_ID, 1, new byte[0])).get(10, TimeUnit.SECONDS);
        assertThat(answer.kind()).isEqualTo(FrameDescriptor.KIND_ERROR);
        assertThat(answer.errorCode()).isEqualTo(ErrorCode.IDENTITY_MISMATCH.value());
        assertThat(node.server.counters().identityMismatches.get()).isEqualTo(1);
        assertThat(node.pipeline.errorCounter(ErrorCode.IDENTITY_MISMATCH).get()).isEqualTo(1);
    }
}
