package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.MessageType;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static io.vshard.core.pipeline.PipelineTests.TIMEOUT;
import static io.vshard.core.pipeline.PipelineTests.counter;
import static io.vshard.core.pipeline.PipelineTests.envelope;
import static io.vshard.core.pipeline.PipelineTests.offer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A handler that misuses its {@link Reply} gets an exception for the misuse, and the sender still gets exactly one
 * answer, through either kind of destination.
 */
@Timeout(60)
class ReplyMisuseTest
{
    private static final MessageType MISUSED = MessageType.SegmentChunk;
    private static final MessageType SENTINEL = MessageType.RoutingAck;
    private static final long MISUSED_ID = 1;
    private static final long SENTINEL_ID = 2;

    @TempDir
    Path dir;

    private final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    private final Queue<Throwable> caughtByHandler = new ConcurrentLinkedQueue<>();
    private Pipeline pipeline;
    private AnswerSink sink;

    @AfterEach
    void after()
    {
        if (null != pipeline)
        {
            PipelineTests.closeAndRelease(pipeline);
        }
    }

    @ParameterizedTest
    @EnumSource(AnswerSink.Kind.class)
    void shouldThrowOnASecondRespondAndSendOnlyTheFirst(final AnswerSink.Kind kind)
    {
        final Answer answer = exchange(kind, (envelope, reply) ->
        {
            reply.respond(MessageType.RoutingUpdate);
            expectIllegalState(() -> reply.respond(MessageType.RoutingUpdate));
        });

        assertThat(answer.isResponse()).as("%s", answer).isTrue();
        assertThat(answer.responseType()).isEqualTo(MessageType.RoutingUpdate);
        assertThat(caughtByHandler).singleElement().isInstanceOf(IllegalStateException.class);
        assertThat(errors).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(AnswerSink.Kind.class)
    void shouldSendOnlyTheFirstAnswerWhenTheSecondRespondThrowsOutOfTheHandler(final AnswerSink.Kind kind)
    {
        final Answer answer = exchange(kind, (envelope, reply) ->
        {
            reply.respond(MessageType.RoutingUpdate);
            reply.respond(MessageType.RoutingUpdate);
        });

        assertThat(answer.isResponse()).as("the response left before the handler failed: %s", answer).isTrue();
        assertThat(errors).singleElement().isInstanceOf(IllegalStateException.class);
        assertThat(counter(pipeline, "lane 0", "errors HANDLER_FAILED")).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(AnswerSink.Kind.class)
    void shouldThrowOnAnErrorAfterARespond(final AnswerSink.Kind kind)
    {
        final Answer answer = exchange(kind, (envelope, reply) ->
        {
            reply.respond(MessageType.RoutingUpdate);
            expectIllegalState(() -> reply.error(ErrorCode.HANDLER_FAILED, "too late"));
        });

        assertThat(answer.isResponse()).as("%s", answer).isTrue();
        assertThat(caughtByHandler).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(AnswerSink.Kind.class)
    void shouldThrowOnACommitWithoutAClaimAndAcknowledge(final AnswerSink.Kind kind)
    {
        final Answer answer = exchange(kind, (envelope, reply) -> expectIllegalState(reply::commit));

        assertThat(answer.isAck()).as("nothing was sent, so the sender gets an ACK: %s", answer).isTrue();
        assertThat(caughtByHandler).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(AnswerSink.Kind.class)
    void shouldAnswerHandlerFailedForAClaimNeverCommitted(final AnswerSink.Kind kind)
    {
        final Answer answer = exchange(kind, (envelope, reply) ->
            reply.claim(MessageType.RoutingUpdate, 100).setMemory(reply.payloadOffset(), 100, (byte)'x'));

        assertThat(answer.isError(ErrorCode.HANDLER_FAILED)).as("%s", answer).isTrue();
        assertThat(answer.errorMessage()).contains("did not commit");
        assertThat(counter(pipeline, "lane 0", "errors HANDLER_FAILED")).isEqualTo(1);
        assertThat(counter(pipeline, "lane 0", "responses")).isZero();
        assertThat(counter(pipeline, "pipeline", "errors HANDLER_FAILED"))
            .as("the pipeline-wide count agrees with the lane's").isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(AnswerSink.Kind.class)
    void shouldGiveUpTheClaimWhenTheHandlerAnswersAnErrorAfterIt(final AnswerSink.Kind kind)
    {
        final Answer answer = exchange(kind, (envelope, reply) ->
        {
            reply.claim(MessageType.RoutingUpdate, 100).setMemory(reply.payloadOffset(), 100, (byte)'x');
            reply.error(ErrorCode.HANDLER_FAILED, "changed my mind");
        });

        assertThat(answer.isError(ErrorCode.HANDLER_FAILED)).as("%s", answer).isTrue();
        assertThat(answer.errorMessage()).isEqualTo("changed my mind");
        assertThat(counter(pipeline, "lane 0", "responses")).isZero();
        assertThat(errors).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(AnswerSink.Kind.class)
    void shouldGiveUpALargeClaimWhenTheHandlerAnswersAnErrorAfterIt(final AnswerSink.Kind kind)
    {
        final int payloadLength = 256 * 1024;
        final Answer answer = exchange(kind, (envelope, reply) ->
        {
            reply.claim(MessageType.RoutingUpdate, payloadLength);
            reply.error(ErrorCode.HANDLER_FAILED, "changed my mind");
        });

        assertThat(answer.isError(ErrorCode.HANDLER_FAILED)).as("%s", answer).isTrue();
        assertThat(pipeline.bufferPool().inUse()).as("the pooled frame went back").isZero();
    }

    @ParameterizedTest
    @EnumSource(AnswerSink.Kind.class)
    void shouldGiveUpTheClaimWhenTheHandlerThrowsAfterIt(final AnswerSink.Kind kind)
    {
        final Answer answer = exchange(kind, (envelope, reply) ->
        {
            reply.claim(MessageType.RoutingUpdate, 100);
            throw new IllegalArgumentException("failed while writing the reply");
        });

        assertThat(answer.isError(ErrorCode.HANDLER_FAILED)).as("%s", answer).isTrue();
        // The peer gets the fixed text; the exception's own message goes to the error handler only.
        assertThat(answer.errorMessage()).isEqualTo(Reply.HANDLER_FAILED_MESSAGE);
        assertThat(errors).singleElement().isInstanceOf(IllegalArgumentException.class);
        assertThat(errors.peek()).hasMessage("failed while writing the reply");
    }

    @ParameterizedTest
    @EnumSource(AnswerSink.Kind.class)
    void shouldSendAClaimedReplyWrittenInPlace(final AnswerSink.Kind kind)
    {
        final int payloadLength = 100_000;
        final Answer answer = exchange(kind, (envelope, reply) ->
        {
            final MutableDirectBuffer buffer = reply.claim(MessageType.RoutingUpdate, payloadLength);
            for (int i = 0; i < payloadLength; i++)
            {
                buffer.putByte(reply.payloadOffset() + i, (byte)i);
            }
            reply.commit();
        });

        assertThat(answer.isResponse()).as("%s", answer).isTrue();
        final byte[] payload = answer.envelope().payload();
        assertThat(payload).hasSize(payloadLength);
        for (int i = 0; i < payloadLength; i++)
        {
            assertThat(payload[i]).as("payload byte %d", i).isEqualTo((byte)i);
        }
    }

    /**
     * Send one envelope to a handler that misuses its reply, then a sentinel to the same lane. Once the sentinel is
     * answered every answer to the first one has arrived: return the only one, failing if there are more.
     */
    private Answer exchange(final AnswerSink.Kind kind, final EnvelopeHandler misuse)
    {
        pipeline = Pipeline.launch(PipelineTests.context(dir, errors)
            .lanes("*")
            .handler(DispatchTarget.Migration, (envelope, reply) ->
            {
                if (MISUSED.code() == envelope.msgType())
                {
                    misuse.onEnvelope(envelope, reply);
                }
            }));
        sink = kind.create(pipeline.bufferPool());

        assertThat(offer(pipeline, sink, envelope(MISUSED, 8), MISUSED_ID)).isEqualTo(Pipeline.ACCEPTED);
        assertThat(offer(pipeline, sink, envelope(SENTINEL, 8), SENTINEL_ID)).isEqualTo(Pipeline.ACCEPTED);
        assertThat(sink.awaitOne(SENTINEL_ID, TIMEOUT).isAck()).isTrue();

        final List<Answer> answers = sink.answersTo(MISUSED_ID);
        assertThat(answers).as("exactly one answer through the %s", sink).hasSize(1);
        assertThat(sink.answers()).as("nothing but the two answers").hasSize(2);
        return answers.get(0);
    }

    private void expectIllegalState(final Runnable misuse)
    {
        try
        {
            assertThatThrownBy(misuse::run).isInstanceOf(IllegalStateException.class);
        }
        catch (final AssertionError ex)
        {
            errors.add(ex);
            return;
        }
        caughtByHandler.add(new IllegalStateException("caught"));
    }
}
