package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.vshard.core.pipeline.PipelineTests.TIMEOUT;
import static io.vshard.core.pipeline.PipelineTests.counter;
import static io.vshard.core.pipeline.PipelineTests.envelope;
import static io.vshard.core.pipeline.PipelineTests.offer;
import static io.vshard.core.wire.EnvelopeDescriptor.MSG_TYPE_FIELD_OFFSET;
import static io.vshard.core.wire.EnvelopeDescriptor.PAYLOAD_LENGTH_FIELD_OFFSET;
import static io.vshard.core.wire.EnvelopeDescriptor.VERSION_FIELD_OFFSET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input and failing handlers: offer-side refusals come back as offer results, lane-side failures as ERROR
 * answers; each is counted, and the lane answers the next good envelope.
 */
@Timeout(60)
class PipelineErrorsTest
{
    private static final int MAX_PAYLOAD = 1024;
    private static final MessageType GOOD = MessageType.TsScatterRequest;
    private static final MessageType THROWS = MessageType.GhostCreate;
    private static final MessageType UNHANDLED = MessageType.GraphAlgoSuperstep;

    @TempDir
    Path dir;

    private final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    private final AtomicInteger handlerCalls = new AtomicInteger();
    private Pipeline pipeline;
    private AnswerSink sink;

    private void launch(final AnswerSink.Kind sinkKind)
    {
        pipeline = Pipeline.launch(PipelineTests.context(dir, errors)
            .lanes("TimeseriesScan;Ghost;*")
            .maxPayloadLength(MAX_PAYLOAD)
            .handler(DispatchTarget.TimeseriesScan, (envelope, reply) ->
            {
                handlerCalls.incrementAndGet();
                reply.respond(MessageType.TsScatterResponse, envelope.payloadBuffer(), envelope.payloadOffset(),
                    envelope.payloadLength());
            })
            .handler(DispatchTarget.Ghost, (envelope, reply) ->
            {
                handlerCalls.incrementAndGet();
                throw new IllegalStateException("ghost handler fails on purpose");
            }));
        sink = sinkKind.create(pipeline.bufferPool());
    }

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
    void shouldAnswerHandlerFailedWhenTheHandlerThrowsAndGoOn(final AnswerSink.Kind sinkKind)
    {
        launch(sinkKind);
        final int lane = pipeline.laneOf(THROWS.code());

        assertThat(offer(pipeline, sink, envelope(THROWS, 8), 1)).isEqualTo(Pipeline.ACCEPTED);
        assertThat(sink.awaitOne(1, TIMEOUT).isError(ErrorCode.HANDLER_FAILED)).isTrue();
        assertThat(sink.answersTo(1).get(0).errorMessage()).as("a fixed text, not the exception's message")
            .isEqualTo(Reply.HANDLER_FAILED_MESSAGE);

        assertThat(errors).singleElement().isInstanceOf(IllegalStateException.class);
        assertThat(counter(pipeline, "pipeline", "errors HANDLER_FAILED")).isEqualTo(1);
        assertThat(counter(pipeline, "lane " + lane, "errors HANDLER_FAILED")).isEqualTo(1);
        assertThat(counter(pipeline, "lane " + lane, "errors")).isEqualTo(1);
        assertThat(counter(pipeline, "target Ghost", "errors")).isEqualTo(1);
        assertGoodEnvelopeAnswered(2);
        assertThat(offer(pipeline, sink, envelope(THROWS, 8), 3)).isEqualTo(Pipeline.ACCEPTED);
        assertThat(sink.awaitOne(3, TIMEOUT).isError(ErrorCode.HANDLER_FAILED))
            .as("the throwing lane itself goes on").isTrue();
    }

    @ParameterizedTest
    @EnumSource(AnswerSink.Kind.class)
    void shouldAnswerNoHandlerForATargetWithoutHandler(final AnswerSink.Kind sinkKind)
    {
        launch(sinkKind);
        final int lane = pipeline.laneOf(UNHANDLED.code());

        assertThat(offer(pipeline, sink, envelope(UNHANDLED, 8), 1)).isEqualTo(Pipeline.ACCEPTED);
        final Answer answer = sink.awaitOne(1, TIMEOUT);

        assertThat(answer.isError(ErrorCode.NO_HANDLER)).as("%s", answer).isTrue();
        assertThat(answer.errorMessage()).contains("GraphBsp");
        assertThat(counter(pipeline, "pipeline", "errors NO_HANDLER")).isEqualTo(1);
        assertThat(counter(pipeline, "lane " + lane, "errors NO_HANDLER")).isEqualTo(1);
        assertThat(counter(pipeline, "lane " + lane, "received")).isEqualTo(1);
        assertThat(errors).isEmpty();
        assertGoodEnvelopeAnswered(2);
    }

    @Test
    void shouldPassAHandlersOwnErrorCodeThrough()
    {
        errors.clear();
        pipeline = Pipeline.launch(PipelineTests.context(dir, errors)
            .handler(DispatchTarget.Migration, (envelope, reply) ->
                reply.error(ErrorCode.IDENTITY_MISMATCH, "not you")));
        sink = AnswerSink.Kind.CALLBACK.create(pipeline.bufferPool());

        assertThat(offer(pipeline, sink, envelope(MessageType.SegmentChunk, 0), 1)).isEqualTo(Pipeline.ACCEPTED);
        final Answer answer = sink.awaitOne(1, TIMEOUT);

        assertThat(answer.isError(ErrorCode.IDENTITY_MISMATCH)).as("%s", answer).isTrue();
        assertThat(answer.errorMessage()).isEqualTo("not you");
        assertThat(counter(pipeline, "target Migration", "errors")).isEqualTo(1);
    }

    @Test
    void shouldNeverAnswerFireAndForget()
    {
        launch(AnswerSink.Kind.CALLBACK);

        assertThat(offer(pipeline, sink, envelope(GOOD, 8), FrameDescriptor.FIRE_AND_FORGET))
            .isEqualTo(Pipeline.ACCEPTED);
        assertThat(offer(pipeline, sink, envelope(THROWS, 8), FrameDescriptor.FIRE_AND_FORGET))
            .isEqualTo(Pipeline.ACCEPTED);
        assertThat(offer(pipeline, sink, envelope(UNHANDLED, 8), FrameDescriptor.FIRE_AND_FORGET))
            .isEqualTo(Pipeline.ACCEPTED);
        for (final MessageType type : new MessageType[]{GOOD, THROWS, UNHANDLED})
        {
            // Same lane, later in its ring: once this is answered, the fire-and-forget envelope was handled.
            assertThat(offer(pipeline, sink, envelope(type, 8), type.code())).isEqualTo(Pipeline.ACCEPTED);
            sink.awaitOne(type.code(), TIMEOUT);
        }

        assertThat(sink.answersTo(FrameDescriptor.FIRE_AND_FORGET)).isEmpty();
        assertThat(handlerCalls).hasValue(4);
    }

    static Stream<Arguments> refusedEnvelopes()
    {
        return Stream.of(
            refused("shorter than a header", ErrorCode.MALFORMED, (b) -> {}, 0, EnvelopeDescriptor.HEADER_LENGTH - 1),
            refused("payload_len above the bytes", ErrorCode.MALFORMED, (b) -> b.putInt(
                PAYLOAD_LENGTH_FIELD_OFFSET, 11, ByteOrder.LITTLE_ENDIAN), 10, -1),
            refused("payload_len below the bytes", ErrorCode.MALFORMED, (b) -> b.putInt(
                PAYLOAD_LENGTH_FIELD_OFFSET, 9, ByteOrder.LITTLE_ENDIAN), 10, -1),
            refused("version 1", ErrorCode.UNSUPPORTED_VERSION, (b) -> b.putShort(
                VERSION_FIELD_OFFSET, (short)1, ByteOrder.LITTLE_ENDIAN), 10, -1),
            refused("version 3", ErrorCode.UNSUPPORTED_VERSION, (b) -> b.putShort(
                VERSION_FIELD_OFFSET, (short)3, ByteOrder.LITTLE_ENDIAN), 10, -1),
            refused("retired type 21", ErrorCode.UNKNOWN_TYPE, (b) -> b.putShort(
                MSG_TYPE_FIELD_OFFSET, (short)21, ByteOrder.LITTLE_ENDIAN), 10, -1),
            refused("retired type 24", ErrorCode.UNKNOWN_TYPE, (b) -> b.putShort(
                MSG_TYPE_FIELD_OFFSET, (short)24, ByteOrder.LITTLE_ENDIAN), 10, -1),
            refused("type 0", ErrorCode.UNKNOWN_TYPE, (b) -> b.putShort(
                MSG_TYPE_FIELD_OFFSET, (short)0, ByteOrder.LITTLE_ENDIAN), 10, -1),
            refused("type 65535", ErrorCode.UNKNOWN_TYPE, (b) -> b.putShort(
                MSG_TYPE_FIELD_OFFSET, (short)0xFFFF, ByteOrder.LITTLE_ENDIAN), 10, -1),
            refused("payload one over the maximum", ErrorCode.TOO_LARGE, (b) -> {}, MAX_PAYLOAD + 1, -1),
            refused("payload_len 2^32-1", ErrorCode.TOO_LARGE, (b) -> b.putInt(
                PAYLOAD_LENGTH_FIELD_OFFSET, -1, ByteOrder.LITTLE_ENDIAN), 10, -1));
    }

    private static Arguments refused(
        final String name,
        final ErrorCode expected,
        final Consumer<UnsafeBuffer> corruption,
        final int payloadLength,
        final int truncateTo)
    {
        final UnsafeBuffer good = envelope(GOOD, payloadLength);
        corruption.accept(good);
        final UnsafeBuffer bytes = truncateTo < 0 ? good : new UnsafeBuffer(good, 0, truncateTo);
        return Arguments.of(name, expected, bytes);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("refusedEnvelopes")
    void shouldRefuseABadEnvelopeAtOfferCountItAndGoOn(
        final String name, final ErrorCode expected, final UnsafeBuffer bytes)
    {
        launch(AnswerSink.Kind.CALLBACK);

        assertThat(offer(pipeline, sink, bytes, 1)).as(name).isEqualTo(expected.value());

        assertThat(counter(pipeline, "pipeline", "errors " + expected.name())).isEqualTo(1);
        assertGoodEnvelopeAnswered(2);
        assertThat(sink.answersTo(1)).as("a refused offer is answered by its caller, not the lane").isEmpty();
        assertThat(handlerCalls).hasValue(1);
        assertThat(counter(pipeline, "lane " + pipeline.laneOf(GOOD.code()), "received")).isEqualTo(1);
    }

    @Test
    void shouldAcceptAnEnvelopeOfExactlyTheMaximumPayload()
    {
        launch(AnswerSink.Kind.CALLBACK);

        assertThat(offer(pipeline, sink, envelope(GOOD, MAX_PAYLOAD), 1)).isEqualTo(Pipeline.ACCEPTED);
        final Answer answer = sink.awaitOne(1, TIMEOUT);
        assertThat(answer.isResponse()).as("%s", answer).isTrue();
        assertThat(answer.envelope().payload()).hasSize(MAX_PAYLOAD);
    }

    @Test
    void shouldTakeTheCorrelationIdFromAnEnvelopeFrame()
    {
        launch(AnswerSink.Kind.CALLBACK);
        final UnsafeBuffer frame = frame(FrameDescriptor.KIND_ENVELOPE, 42, envelope(GOOD, 16));

        assertThat(pipeline.offerFrame(frame, 0, frame.capacity(), sink.destination(), 7))
            .isEqualTo(Pipeline.ACCEPTED);

        final Answer answer = sink.awaitOne(42, TIMEOUT);
        assertThat(answer.isResponse()).as("%s", answer).isTrue();
        assertThat(answer.replyAddress()).isEqualTo(7);
    }

    @Test
    void shouldRefuseFramesThatAreNotWellFormedEnvelopeFrames()
    {
        launch(AnswerSink.Kind.CALLBACK);
        final UnsafeBuffer response = frame(FrameDescriptor.KIND_RESPONSE, 1, envelope(GOOD, 16));
        final UnsafeBuffer flagged = frame(FrameDescriptor.KIND_ENVELOPE, 2, envelope(GOOD, 16));
        flagged.putByte(FrameDescriptor.FLAGS_FIELD_OFFSET, (byte)1);
        final UnsafeBuffer longer = frame(FrameDescriptor.KIND_ENVELOPE, 3, envelope(GOOD, 16));
        final UnsafeBuffer badEnvelope = frame(FrameDescriptor.KIND_ENVELOPE, 4, envelope(GOOD, 16));
        badEnvelope.putShort(FrameDescriptor.BODY_OFFSET + VERSION_FIELD_OFFSET, (short)9, ByteOrder.LITTLE_ENDIAN);

        assertThat(pipeline.offerFrame(response, 0, response.capacity(), sink.destination(), 7))
            .isEqualTo(ErrorCode.MALFORMED.value());
        assertThat(pipeline.offerFrame(flagged, 0, flagged.capacity(), sink.destination(), 7))
            .isEqualTo(ErrorCode.MALFORMED.value());
        assertThat(pipeline.offerFrame(longer, 0, longer.capacity() - 1, sink.destination(), 7))
            .isEqualTo(ErrorCode.MALFORMED.value());
        assertThat(pipeline.offerFrame(badEnvelope, 0, badEnvelope.capacity(), sink.destination(), 7))
            .isEqualTo(ErrorCode.UNSUPPORTED_VERSION.value());

        assertThat(counter(pipeline, "pipeline", "errors MALFORMED")).isEqualTo(3);
        assertGoodEnvelopeAnswered(5);
    }

    private static UnsafeBuffer frame(final byte kind, final long correlationId, final UnsafeBuffer envelope)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[FrameDescriptor.HEADER_LENGTH + envelope.capacity()]);
        new io.vshard.core.wire.FrameFlyweight().wrap(frame, 0).header(kind, correlationId, envelope.capacity());
        frame.putBytes(FrameDescriptor.BODY_OFFSET, envelope, 0, envelope.capacity());
        return frame;
    }

    private void assertGoodEnvelopeAnswered(final long correlationId)
    {
        final UnsafeBuffer good = envelope(GOOD, 16);
        good.putLong(EnvelopeDescriptor.PAYLOAD_OFFSET, correlationId);
        assertThat(offer(pipeline, sink, good, correlationId)).isEqualTo(Pipeline.ACCEPTED);
        final Answer answer = sink.awaitOne(correlationId, TIMEOUT);
        assertThat(answer.isResponse()).as("good envelope after the failure: %s", answer).isTrue();
        assertThat(answer.responseType()).isEqualTo(MessageType.TsScatterResponse);
        assertThat(answer.envelope().sourceNode()).as("reply swaps source and target")
            .isEqualTo(PipelineTests.TARGET_NODE);
        assertThat(answer.envelope().targetNode()).isEqualTo(PipelineTests.SOURCE_NODE);
        assertThat(answer.envelope().vshardId()).isEqualTo(PipelineTests.VSHARD_ID);
        assertThat(new UnsafeBuffer(answer.envelope().payload()).getLong(0)).isEqualTo(correlationId);
    }
}
