package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.wire.MessageType;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import static io.vshard.core.pipeline.PipelineTests.TIMEOUT;
import static io.vshard.core.pipeline.PipelineTests.counter;
import static io.vshard.core.pipeline.PipelineTests.envelope;
import static io.vshard.core.pipeline.PipelineTests.offerAccepted;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Payloads far larger than a slot spill to the pool and arrive intact; replies larger than an outbound ring record
 * go through the pool too; every pooled buffer comes back.
 */
@Timeout(120)
class LargePayloadTest
{
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;
    private static final MessageType REQUEST = MessageType.VectorScatterRequest;

    @TempDir
    Path dir;

    private final Map<Long, Long> crcSeenByHandler = new ConcurrentHashMap<>();
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

    static Stream<Arguments> sizes()
    {
        return Stream.of(AnswerSink.Kind.values()).flatMap((kind) -> Stream.of(KIB, 64 * KIB, MIB, 16 * MIB)
            .map((size) -> Arguments.of(kind, size)));
    }

    @ParameterizedTest(name = "{1} bytes through {0}")
    @MethodSource("sizes")
    void shouldDeliverAndEchoALargePayloadIntact(final AnswerSink.Kind kind, final int payloadLength)
    {
        launch(kind);
        final byte[] payload = randomBytes(payloadLength, payloadLength);

        offerAccepted(pipeline, sink, envelope(REQUEST, payload), 1);
        final Answer answer = sink.awaitOne(1, TIMEOUT);

        assertThat(answer.isResponse()).as("%s", answer).isTrue();
        assertThat(crcSeenByHandler.get(1L)).as("CRC32 seen by the handler").isEqualTo(crc(payload));
        assertThat(answer.payloadCrc()).as("CRC32 of the reply").isEqualTo(crc(payload));
        assertThat(answer.envelope().payload()).hasSize(payloadLength);
        assertPoolReturnsToEmpty();
        assertThat(counter(pipeline, "lane 0", "spilled"))
            .isEqualTo(payloadLength > pipeline.context().slotLength() ? 1 : 0);
    }

    @ParameterizedTest
    @EnumSource(AnswerSink.Kind.class)
    void shouldKeepOrderAcrossInlineAndSpilledPayloadsInFlightTogether(final AnswerSink.Kind kind)
    {
        launch(kind);
        final int[] lengths = {10, 300 * KIB, 0, 2 * MIB, 200, 64 * KIB, 5000, MIB, 228, 229};
        final byte[][] payloads = new byte[lengths.length][];
        for (int i = 0; i < lengths.length; i++)
        {
            payloads[i] = randomBytes(lengths[i], i);
            offerAccepted(pipeline, sink, envelope(REQUEST, payloads[i]), i + 1);
        }

        final List<Answer> answers = sink.await(lengths.length, TIMEOUT);

        for (int i = 0; i < lengths.length; i++)
        {
            final Answer answer = answers.get(i);
            assertThat(answer.correlationId()).as("answers keep the order of one lane").isEqualTo(i + 1);
            assertThat(answer.envelope().payload()).as("payload %d of %d bytes", i, lengths[i])
                .isEqualTo(payloads[i]);
        }
        assertPoolReturnsToEmpty();
    }

    private void launch(final AnswerSink.Kind kind)
    {
        pipeline = Pipeline.launch(PipelineTests.context(dir)
            .lanes("*")
            .handler(DispatchTarget.VectorSearch, (envelope, reply) ->
            {
                crcSeenByHandler.put(reply.correlationId(),
                    crc(envelope.payloadBuffer(), envelope.payloadOffset(), envelope.payloadLength()));
                reply.respond(MessageType.VectorScatterResponse, envelope.payloadBuffer(), envelope.payloadOffset(),
                    envelope.payloadLength());
            }));
        sink = kind.create(pipeline.bufferPool());
        assertThat(pipeline.bufferPool().inUse()).isZero();
    }

    private void assertPoolReturnsToEmpty()
    {
        sink.poll();
        pipeline.close();
        assertThat(pipeline.bufferPool().inUse()).as("pooled buffers out after close").isZero();
    }

    private static byte[] randomBytes(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static long crc(final byte[] bytes)
    {
        final CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    private static long crc(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        return crc(copy);
    }
}
