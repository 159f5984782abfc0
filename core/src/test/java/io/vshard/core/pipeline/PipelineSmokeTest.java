package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.reply.CallbackReplyDestination;
import io.vshard.core.reply.ReplyDestination;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.FrameFlyweight;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class PipelineSmokeTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAnswerResponseAckAndErrors()
    {
        final List<String> answers = new CopyOnWriteArrayList<>();
        final FrameFlyweight frame = new FrameFlyweight();
        final CallbackReplyDestination destination = new CallbackReplyDestination((address, buffer, offset, length) ->
        {
            final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
            copy.putBytes(0, buffer, offset, length);
            frame.wrap(copy, 0);
            answers.add(address + ":" + frame.correlationId() + ":" + frame.kind() +
                (frame.kind() == FrameDescriptor.KIND_ERROR ? ":" + frame.errorCode() : ""));
        });

        final PipelineContext ctx = new PipelineContext()
            .dir(dir.toFile())
            .laneRingSize(64)
            .waitStrategy(WaitStrategyKind.BLOCKING)
            .handler(DispatchTarget.TimeseriesScan, (envelope, reply) ->
                reply.respond(MessageType.TsScatterResponse, envelope.payloadBuffer(), envelope.payloadOffset(),
                envelope.payloadLength()))
            .handler(DispatchTarget.Migration, (envelope, reply) -> {})
            .handler(DispatchTarget.Ghost, (envelope, reply) ->
            {
                throw new IllegalStateException("boom");
            })
            .errorHandler((t) -> {});

        final Pipeline pipeline = Pipeline.launch(ctx);
        try
        {
            offer(pipeline, destination, MessageType.TsScatterRequest, 1, 2000);
            offer(pipeline, destination, MessageType.SegmentChunk, 2, 10);
            offer(pipeline, destination, MessageType.GhostCreate, 3, 10);
            offer(pipeline, destination, MessageType.GraphAlgoSuperstep, 4, 10);
            pipeline.close();
        }
        finally
        {
            pipeline.release();
        }
        assertThat(answers).containsExactlyInAnyOrder(
            "7:1:2", "7:2:4", "7:3:3:" + ErrorCode.HANDLER_FAILED.value(), "7:4:3:" + ErrorCode.NO_HANDLER.value());
    }

    private static void offer(
        final Pipeline pipeline,
        final ReplyDestination destination,
        final MessageType type,
        final long correlationId,
        final int payloadLength)
    {
        final byte[] bytes = VShardEnvelope.of(type, 1, 2, 3, new byte[payloadLength]).encode();
        assertThat(pipeline.offer(new UnsafeBuffer(bytes), 0, bytes.length, destination, 7, correlationId))
            .isEqualTo(Pipeline.ACCEPTED);
    }
}
