package io.vshard.transport;

import io.vshard.core.pipeline.Configuration;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.FrameFlyweight;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.transport.RawQuicConnection.AnswerFrame;
import io.vshard.transport.RawQuicConnection.RawStream;
import io.vshard.transport.client.Answer;
import io.vshard.transport.client.QuicClient;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.stream.Stream;

import static io.vshard.transport.WireFrames.concat;
import static io.vshard.transport.WireFrames.envelope;
import static io.vshard.transport.WireFrames.envelopeFrame;
import static io.vshard.transport.WireFrames.header;
import static io.vshard.transport.WireFrames.request;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile bytes on raw QUIC streams of an authenticated peer (wire section 2): framing that cannot be trusted resets
 * only its stream; a bad envelope in a good frame gets an ERROR answer and the stream goes on; a frame trickled in one
 * byte at a time is answered; a stream that ends mid-frame is freed. Through all of it the node, the peer's connection,
 * its other streams and a well-behaved client on another connection go on. The connection and stream limits, and half
 * a frame followed by silence until the idle timeout, are covered by the hardening tests ({@code HostilePeerTest}).
 */
@Timeout(60)
class HostileInputTest
{
    private static final int MAX_FRAME_LENGTH_FIELD =
        FrameDescriptor.maxFrameLengthField(Configuration.MAX_PAYLOAD_LENGTH_DEFAULT);
    private static final int BYSTANDER_REQUESTS = 100;

    static
    {
        LeakDetection.install();
    }

    @TempDir
    Path dir;
    private TestNode node;
    private RawQuicConnection raw;
    private QuicClient bystander;
    private long framesBefore;

    @AfterEach
    void tearDown()
    {
        if (null != raw)
        {
            raw.close();
        }
        if (null != node)
        {
            node.close();
            assertThat(node.errors).as("errors reported by the node").isEmpty();
        }
        assertThat(LeakDetection.collect()).as("Netty buffer leaks").isEmpty();
    }

    static Stream<Arguments> untrustworthyFraming()
    {
        final byte[] random = new byte[4096];
        new Random(20_261_127L).nextBytes(random);
        final byte[] valid = request(9, MessageType.GraphAlgoSuperstep, 8);
        return Stream.of(
            Arguments.of("random bytes", random),
            Arguments.of("frame_length 0", header(0, FrameDescriptor.KIND_ENVELOPE, 0, 0)),
            Arguments.of("frame_length 11, below the header", header(11, FrameDescriptor.KIND_ENVELOPE, 0, 0)),
            Arguments.of("frame_length 2^32-1", header(0xFFFF_FFFFL, FrameDescriptor.KIND_ENVELOPE, 0, 0)),
            Arguments.of("frame_length one over the maximum",
                header(MAX_FRAME_LENGTH_FIELD + 1L, FrameDescriptor.KIND_ENVELOPE, 0, 0)),
            Arguments.of("kind 0", header(40, 0, 0, 0)),
            Arguments.of("kind 5", header(40, 5, 0, 0)),
            Arguments.of("kind 255", header(40, 255, 0, 0)),
            Arguments.of("flags 1", header(40, FrameDescriptor.KIND_ENVELOPE, 1, 0)),
            Arguments.of("flags 0x80", header(40, FrameDescriptor.KIND_ENVELOPE, 0x80, 0)),
            Arguments.of("reserved 1", header(40, FrameDescriptor.KIND_ENVELOPE, 0, 1)),
            Arguments.of("reserved 0x8000", header(40, FrameDescriptor.KIND_ENVELOPE, 0, 0x8000)),
            Arguments.of("kind 5 with frame_length 12 (a header-only frame)", header(12, 5, 0, 0)),
            Arguments.of("a valid frame, then kind 255", concat(valid, header(40, 255, 0, 0))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("untrustworthyFraming")
    void shouldResetOnlyTheStreamWhoseFramingCannotBeTrusted(final String what, final byte[] bytes)
    {
        assertStreamReset(what, bytes, false);
    }

    @ParameterizedTest(name = "{0}, one byte per read")
    @MethodSource("untrustworthyFraming")
    void shouldResetOnlyTheStreamWhoseFramingCannotBeTrustedWhenItTrickles(final String what, final byte[] bytes)
    {
        // A bad header that becomes whole on the last byte of a read must be seen then, not when more bytes come.
        assertStreamReset(what, Arrays.copyOf(bytes, Math.min(bytes.length, 96)), true);
    }

    @Test
    void shouldAnswerFramesWrittenOneByteAtATime()
    {
        start((t) -> { });
        final RawStream stream = raw.open();
        final byte[] frames = concat(request(1, MessageType.GraphAlgoSuperstep, 16), request(2, MessageType.GhostDelete, 8),
            request(3, MessageType.TsScatterRequest, 8));
        writeOneBytePerRead(stream, frames);

        assertThat(stream.awaitAnswers(3, 10_000)).as("answers to three frames written one byte per read")
            .containsExactlyInAnyOrder(
                new AnswerFrame(FrameDescriptor.KIND_RESPONSE, 1, 0, 1),
                new AnswerFrame(FrameDescriptor.KIND_ACK, 2, 0, 0),
                new AnswerFrame(FrameDescriptor.KIND_RESPONSE, 3, 0, 3));
        assertThat(node.server.counters().framesIn.get() - framesBefore).isEqualTo(3);
        assertThat(node.server.counters().streamsReset.get()).isZero();
    }

    static Stream<Arguments> badEnvelopes()
    {
        return Stream.of(
            badEnvelope("version 1", ErrorCode.UNSUPPORTED_VERSION, (id) -> envelopeFrame(id, envelope(1, 30, 8, 8))),
            badEnvelope("version 3", ErrorCode.UNSUPPORTED_VERSION, (id) -> envelopeFrame(id, envelope(3, 30, 8, 8))),
            badEnvelope("version 0xFFFF", ErrorCode.UNSUPPORTED_VERSION,
                (id) -> envelopeFrame(id, envelope(0xFFFF, 30, 0, 0))),
            badEnvelope("msg_type 0", ErrorCode.UNKNOWN_TYPE, (id) -> envelopeFrame(id, envelope(2, 0, 8, 8))),
            badEnvelope("msg_type 21 (retired)", ErrorCode.UNKNOWN_TYPE,
                (id) -> envelopeFrame(id, envelope(2, 21, 8, 8))),
            badEnvelope("msg_type 65535", ErrorCode.UNKNOWN_TYPE,
                (id) -> envelopeFrame(id, envelope(2, 0xFFFF, 0, 0))),
            badEnvelope("payload_len over the frame", ErrorCode.MALFORMED,
                (id) -> envelopeFrame(id, envelope(2, 30, 9, 8))),
            badEnvelope("payload_len under the frame", ErrorCode.MALFORMED,
                (id) -> envelopeFrame(id, envelope(2, 30, 7, 8))),
            badEnvelope("body shorter than an envelope header", ErrorCode.MALFORMED,
                (id) -> envelopeFrame(id, new byte[27])),
            badEnvelope("empty body", ErrorCode.MALFORMED, (id) -> envelopeFrame(id, new byte[0])),
            badEnvelope("a RESPONSE frame from the client", ErrorCode.MALFORMED, (id) -> withKind(
                request(id, MessageType.GraphAlgoSuperstep, 8), FrameDescriptor.KIND_RESPONSE)),
            badEnvelope("an ACK frame from the client", ErrorCode.MALFORMED,
                (id) -> header(FrameDescriptor.MIN_FRAME_LENGTH, FrameDescriptor.KIND_ACK, 0, 0, id)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badEnvelopes")
    void shouldAnswerABadEnvelopeInAGoodFrameWithAnErrorAndGoOn(
        final String what, final ErrorCode expected, final LongFunction<byte[]> badFrame)
    {
        start((t) -> { });
        final RawStream stream = raw.open();
        final long errorsBefore = node.pipeline.errorCounter(expected).get();
        // Fire-and-forget bad envelope (never answered), the same as a request, then a good request on the same stream.
        stream.write(concat(badFrame.apply(FrameDescriptor.FIRE_AND_FORGET), badFrame.apply(5),
            request(6, MessageType.GraphAlgoSuperstep, 8)));

        assertThat(stream.awaitAnswers(2, 10_000)).as(what + ": one ERROR, then the stream goes on")
            .containsExactlyInAnyOrder(
                new AnswerFrame(FrameDescriptor.KIND_ERROR, 5, expected.value(), 0),
                new AnswerFrame(FrameDescriptor.KIND_RESPONSE, 6, 0, 6));
        stream.write(request(7, MessageType.GhostDelete, 8));
        assertThat(stream.awaitAnswers(3, 10_000)).as(what + ": answers after the error")
            .contains(new AnswerFrame(FrameDescriptor.KIND_ACK, 7, 0, 0)).hasSize(3);
        assertThat(stream.isClosed()).as(what + ": stream still open").isFalse();
        assertThat(node.server.counters().streamsReset.get()).as(what + ": no stream reset").isZero();
        if (FrameDescriptor.KIND_ENVELOPE == badFrame.apply(5)[FrameDescriptor.KIND_FIELD_OFFSET])
        {
            assertThat(node.pipeline.errorCounter(expected).get() - errorsBefore)
                .as(what + ": both bad envelopes counted, the fire-and-forget one unanswered").isEqualTo(2);
        }
    }

    @Test
    void shouldAnswerMalformedForAPayloadLenOverTheMaximumThatDisagreesWithTheFrame()
    {
        start((t) -> { });
        final RawStream stream = raw.open();
        final byte[] frame = envelopeFrame(5, envelope(2, 30, -1, 8));
        assertThat(FrameFlyweight.validate(new UnsafeBuffer(frame), 0, frame.length,
            Configuration.MAX_PAYLOAD_LENGTH_DEFAULT)).as("the wire validator's verdict")
            .isEqualTo(ErrorCode.MALFORMED.value());
        stream.write(frame);
        assertThat(stream.awaitAnswers(1, 10_000))
            .containsExactly(new AnswerFrame(FrameDescriptor.KIND_ERROR, 5, ErrorCode.MALFORMED.value(), 0));
    }

    @Test
    void shouldFreeStreamsThatEndMidFrame()
    {
        // Half a frame, then FIN or RESET_STREAM: the node must free the stream and its held bytes, and QUIC must give
        // the stream credit back (two streams per connection: the third would not open otherwise).
        start((t) -> t.maxStreamsPerConnection(2));
        final byte[] frame = request(1, MessageType.GraphAlgoSuperstep, 64);
        final int streamsBefore = node.server.openStreamCount();
        for (int i = 0; i < 8; i++)
        {
            final RawStream stream = raw.tryOpen(10_000);
            assertThat(stream).as("stream " + i + " opens: the earlier ones were freed").isNotNull();
            stream.write(Arrays.copyOf(frame, frame.length / 2));
            if (0 == (i & 1))
            {
                stream.finish();
            }
            else
            {
                stream.reset(0x42);
            }
            assertThat(stream.awaitClosed(10_000)).as("stream " + i + " closed").isTrue();
            Await.until("the node to free stream " + i, 10_000, () -> streamsBefore == node.server.openStreamCount());
            assertThat(stream.answers).as("stream " + i + " answers").isEmpty();
        }
        final RawStream good = raw.tryOpen(10_000);
        assertThat(good).as("a stream after eight that ended mid-frame").isNotNull();
        good.write(request(2, MessageType.GraphAlgoSuperstep, 8));
        assertThat(good.awaitAnswers(1, 10_000)).containsExactly(new AnswerFrame(FrameDescriptor.KIND_RESPONSE, 2, 0, 2));
        assertThat(raw.isActive()).isTrue();
        assertThat(node.server.counters().framesIn.get() - framesBefore).as("no half frame taken for a frame")
            .isEqualTo(1);
        assertBystanderServed(bystanderBatch(BYSTANDER_REQUESTS));
    }

    private void assertStreamReset(final String what, final byte[] bytes, final boolean oneBytePerRead)
    {
        start((t) -> { });
        final RawStream good = raw.open();
        final RawStream bad = raw.open();
        good.write(request(1, MessageType.GraphAlgoSuperstep, 8));
        assertThat(good.awaitAnswers(1, 10_000)).as("answer before").hasSize(1);

        if (oneBytePerRead)
        {
            writeOneBytePerRead(bad, bytes);
        }
        else
        {
            bad.write(bytes);
        }
        final List<CompletableFuture<Answer>> others = bystanderBatch(BYSTANDER_REQUESTS);

        assertThat(bad.awaitClosed(10_000)).as(what + ": the stream is reset").isTrue();
        Await.until(what + ": streams_reset to move", 10_000, () -> 1 == node.server.counters().streamsReset.get());
        assertThat(bad.answers).as(what + ": no answer on the reset stream")
            .allMatch((a) -> FrameDescriptor.KIND_RESPONSE == a.kind() && 9 == a.correlationId());
        good.write(request(2, MessageType.GraphAlgoSuperstep, 8));
        assertThat(good.awaitAnswers(2, 10_000)).as(what + ": the other stream of the connection goes on")
            .containsExactly(new AnswerFrame(FrameDescriptor.KIND_RESPONSE, 1, 0, 1),
                new AnswerFrame(FrameDescriptor.KIND_RESPONSE, 2, 0, 2));
        assertThat(good.isClosed()).isFalse();
        assertThat(raw.isActive()).as(what + ": the connection stays up").isTrue();
        assertBystanderServed(others);
        assertThat(node.server.counters().streamsReset.get()).as(what + ": exactly one stream reset").isEqualTo(1);
    }

    /**
     * Write each byte only after the node has read the one before, so that every byte is a read of its own.
     */
    private void writeOneBytePerRead(final RawStream stream, final byte[] bytes)
    {
        final long before = node.server.counters().bytesIn.get();
        for (int i = 0; i < bytes.length && !stream.isClosed(); i++)
        {
            stream.write(new byte[]{ bytes[i] });
            final long expected = before + i + 1;
            Await.until("the node to read byte " + i, 10_000,
                () -> node.server.counters().bytesIn.get() >= expected || stream.isClosed());
        }
    }

    private void start(final Consumer<ServerContext> transportConfig)
    {
        node = new TestNode(dir, (envelope, reply) ->
        {
            if (MessageType.GhostDelete != envelope.messageType())
            {
                reply.respond(envelope.messageType(), envelope.payloadBuffer(), envelope.payloadOffset(),
                    envelope.payloadLength());
            }
        }, (p) -> { }, transportConfig);
        raw = new RawQuicConnection(node.server.localAddress(), node.ca.issue(TestNode.CLIENT_ID));
        bystander = node.client(null);
        assertBystanderServed(bystanderBatch(1));
        framesBefore = node.server.counters().framesIn.get();
    }

    private List<CompletableFuture<Answer>> bystanderBatch(final int count)
    {
        final List<CompletableFuture<Answer>> answers = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            answers.add(bystander.request(0, VShardEnvelope.of(
                MessageType.TsScatterRequest, TestNode.CLIENT_ID, TestNode.SERVER_ID, i, new byte[8])));
        }
        return answers;
    }

    private static void assertBystanderServed(final List<CompletableFuture<Answer>> answers)
    {
        for (final CompletableFuture<Answer> answer : answers)
        {
            assertThat(answer).as("a well-behaved client on another connection")
                .succeedsWithin(20, TimeUnit.SECONDS)
                .extracting(Answer::kind).isEqualTo((int)FrameDescriptor.KIND_RESPONSE);
        }
    }

    private static Arguments badEnvelope(final String what, final ErrorCode code, final LongFunction<byte[]> frame)
    {
        return Arguments.of(what, code, frame);
    }

    private static byte[] withKind(final byte[] frame, final byte kind)
    {
        frame[FrameDescriptor.KIND_FIELD_OFFSET] = kind;
        return frame;
    }
}
