package io.vshard.core.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class WireDiagnosticsTest
{
    private static final int MAX = 1024;

    @Test
    void shouldAgreeWithTheDecodersOnEveryVector()
    {
        for (final WireVectors.Vector vector : WireVectors.envelopes())
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(vector.bytes());
            final int error = EnvelopeFlyweight.validate(buffer, 0, vector.bytes().length, 16 * 1024 * 1024);
            final String why = WireDiagnostics.describeEnvelope(buffer, 0, vector.bytes().length, 16 * 1024 * 1024);
            assertThat(null == why).as(vector.name() + ": " + why).isEqualTo(ErrorCode.NONE == error);
        }
        for (final WireVectors.Vector vector : WireVectors.frames())
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(vector.bytes());
            final int error = FrameFlyweight.validate(buffer, 0, vector.bytes().length, 16 * 1024 * 1024);
            final String why = WireDiagnostics.describeFrame(buffer, 0, vector.bytes().length, 16 * 1024 * 1024);
            assertThat(null == why).as(vector.name() + ": " + why).isEqualTo(ErrorCode.NONE == error);
        }
    }

    @Test
    void shouldAgreeWithTheDecodersOnMutatedFrames()
    {
        final SplittableRandom random = new SplittableRandom(13);
        int invalid = 0;
        for (int i = 0; i < 20_000; i++)
        {
            final int payload = random.nextInt(40);
            final byte[] bytes = new byte[FrameDescriptor.envelopeFrameLength(payload)];
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            new FrameFlyweight().wrap(buffer, 0).header(FrameDescriptor.KIND_ENVELOPE, 1 + i,
                EnvelopeDescriptor.HEADER_LENGTH + payload);
            new EnvelopeFlyweight().wrap(buffer, FrameDescriptor.BODY_OFFSET)
                .header(MessageType.values()[random.nextInt(MessageType.values().length)].code(), 1, 2, 3, payload);
            final int mutations = random.nextInt(3);
            for (int m = 0; m < mutations; m++)
            {
                bytes[random.nextInt(Math.min(bytes.length, FrameDescriptor.HEADER_LENGTH + 28))] =
                    (byte)random.nextInt(6);
            }
            final int length = random.nextInt(10) == 0 ? random.nextInt(bytes.length + 1) : bytes.length;

            final int error = FrameFlyweight.validate(buffer, 0, length, MAX);
            final String why = WireDiagnostics.describeFrame(buffer, 0, length, MAX);
            assertThat(null == why).as(why).isEqualTo(ErrorCode.NONE == error);
            final int envelopeError = EnvelopeFlyweight.validate(buffer, FrameDescriptor.BODY_OFFSET,
                length - FrameDescriptor.BODY_OFFSET, MAX);
            final String envelopeWhy = WireDiagnostics.describeEnvelope(buffer, FrameDescriptor.BODY_OFFSET,
                length - FrameDescriptor.BODY_OFFSET, MAX);
            assertThat(null == envelopeWhy).as(envelopeWhy).isEqualTo(ErrorCode.NONE == envelopeError);
            invalid += null == why ? 0 : 1;
        }
        assertThat(invalid).isBetween(1_000, 19_000);
    }

    @Test
    void shouldNameTheFailingCheck()
    {
        final byte[] bytes = new byte[EnvelopeDescriptor.HEADER_LENGTH + 4];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        new EnvelopeFlyweight().wrap(buffer, 0).header(MessageType.CrossShardEvent.code(), 1, 2, 3, 8);

        assertThat(WireDiagnostics.describeEnvelope(buffer, 0, bytes.length, MAX))
            .isEqualTo("lengths disagree: payload_len 8 + 28-byte header = 36 bytes, but 32 bytes given");
        assertThat(WireDiagnostics.describeEnvelope(buffer, 0, 10, MAX))
            .isEqualTo("truncated: 10 bytes, shorter than the 28-byte envelope header");
        buffer.putShort(EnvelopeDescriptor.MSG_TYPE_FIELD_OFFSET, (short)999, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(WireDiagnostics.describeEnvelope(buffer, 0, bytes.length, MAX))
            .isEqualTo("msg_type 999 is not in the type table");
    }
}
