package io.vshard.core.wire;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

import static io.vshard.core.wire.EnvelopeDescriptor.MAX_PAYLOAD_LENGTH_DEFAULT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The hot paths of the codec allocate nothing: reading a frame and its envelope, and writing RESPONSE, ERROR and ACK
 * frames into a pre-allocated buffer. Measured with the per-thread allocation counter of HotSpot, which counts every
 * byte this thread allocates (TLAB or not), after a warm-up long enough for the loops to be compiled.
 * <p>
 * The budget is exactly 0 bytes: the measured code contains no allocation site, so neither the interpreter nor the
 * JIT has anything to allocate, and the counter read itself allocates nothing (asserted below).
 */
class WireZeroAllocationTest
{
    private static final int WARM_UP_ITERATIONS = 200_000;
    private static final int MEASURED_ITERATIONS = 100_000;
    private static final long CORRELATION_ID = 0xCAFE_F00DL;
    private static final String ERROR_MESSAGE = "handler failed: TimeseriesScan threw on vshard 4294967295";

    private static com.sun.management.ThreadMXBean threads;

    private final VShardEnvelope request = VShardEnvelope.of(
        MessageType.TsScatterRequest, 0x8000_0000_0000_0005L, 6, -1, payload(96));
    private final UnsafeBuffer inbound = new UnsafeBuffer(new byte[1024]);
    private final UnsafeBuffer outbound = new UnsafeBuffer(new byte[1024]);
    private final UnsafeBuffer replyPayload = new UnsafeBuffer(payload(40));
    private final FrameFlyweight frame = new FrameFlyweight();
    private final EnvelopeFlyweight envelope = new EnvelopeFlyweight();
    private final EnvelopeFlyweight replyEnvelope = new EnvelopeFlyweight();
    private final int inboundLength;

    WireZeroAllocationTest()
    {
        frame.wrap(inbound, 0).header(FrameDescriptor.KIND_ENVELOPE, CORRELATION_ID, request.encodedLength());
        inbound.putBytes(frame.bodyOffset(), request.encode());
        inboundLength = frame.encodedLength();
    }

    @BeforeAll
    static void enableAllocationCounter()
    {
        assumeThat(ManagementFactory.getThreadMXBean()).isInstanceOf(com.sun.management.ThreadMXBean.class);
        threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeThat(threads.isThreadAllocatedMemorySupported()).as("thread allocation counter supported").isTrue();
        if (!threads.isThreadAllocatedMemoryEnabled())
        {
            threads.setThreadAllocatedMemoryEnabled(true);
        }
    }

    @Test
    void shouldReadAllocationCounterWithoutAllocating()
    {
        for (int i = 0; i < 1_000; i++)
        {
            allocatedBytes();
        }
        final long before = allocatedBytes();
        final long after = allocatedBytes();
        assertThat(after - before).isZero();

        final long beforeAllocation = allocatedBytes();
        final byte[] sink = new byte[1024];
        final long afterAllocation = allocatedBytes();
        assertThat(afterAllocation - beforeAllocation)
            .as("the counter must see a 1 KiB array, else a 0 below proves nothing")
            .isGreaterThanOrEqualTo(sink.length);
    }

    @Test
    void shouldDecodeFrameAndEnvelopeWithoutAllocating()
    {
        final long expectedChecksum = expectedDecodeChecksum();
        assertThat(decode(WARM_UP_ITERATIONS)).isEqualTo(expectedChecksum * WARM_UP_ITERATIONS);

        final long allocated = leastAllocatedOverRounds(
            () -> decode(MEASURED_ITERATIONS), expectedChecksum * MEASURED_ITERATIONS);

        assertThat(allocated).as("bytes allocated by %d decodes", MEASURED_ITERATIONS).isZero();
    }

    @Test
    void shouldWriteResponseErrorAndAckFramesWithoutAllocating()
    {
        final long expectedChecksum = write(1);
        assertThat(write(WARM_UP_ITERATIONS)).isEqualTo(expectedChecksum * WARM_UP_ITERATIONS);

        final long allocated = leastAllocatedOverRounds(
            () -> write(MEASURED_ITERATIONS), expectedChecksum * MEASURED_ITERATIONS);

        assertThat(allocated).as("bytes allocated by %d writes", MEASURED_ITERATIONS).isZero();
        assertWrittenFrames();
    }

    /**
     * Bytes allocated by the least allocating of up to three measured rounds. A C2 compilation triggered by this
     * thread can intern a few String literals on it once (seen as 56-256 bytes in a first round, never again);
     * an allocation per call, or per thousand calls, shows in every round.
     */
    private static long leastAllocatedOverRounds(final LongSupplier round, final long expectedChecksum)
    {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3 && least > 0; i++)
        {
            final long before = allocatedBytes();
            final long checksum = round.getAsLong();
            least = Math.min(least, allocatedBytes() - before);
            assertThat(checksum).as("the measured loop ran").isEqualTo(expectedChecksum);
        }
        return least;
    }

    private long decode(final int iterations)
    {
        long checksum = 0;
        for (int i = 0; i < iterations; i++)
        {
            final int frameError = FrameFlyweight.validate(inbound, 0, inboundLength, MAX_PAYLOAD_LENGTH_DEFAULT);
            frame.wrap(inbound, 0);
            final int bodyOffset = frame.bodyOffset();
            final int envelopeError =
                EnvelopeFlyweight.validate(inbound, bodyOffset, frame.bodyLength(), MAX_PAYLOAD_LENGTH_DEFAULT);
            envelope.wrap(inbound, bodyOffset);
            checksum += frameError + envelopeError + frame.kind() + frame.flags() + frame.reserved() +
                frame.correlationId() + frame.frameLength();
            checksum += envelope.version() + envelope.msgType() + envelope.messageType().target().ordinal() +
                envelope.sourceNode() + envelope.targetNode() + Integer.toUnsignedLong(envelope.vshardId());
            final DirectBuffer payload = envelope.payloadBuffer();
            final int payloadOffset = envelope.payloadOffset();
            final int payloadLength = envelope.payloadLength();
            for (int j = 0; j < payloadLength; j++)
            {
                checksum += payload.getByte(payloadOffset + j);
            }
        }
        return checksum;
    }

    private long expectedDecodeChecksum()
    {
        long checksum = FrameDescriptor.KIND_ENVELOPE + CORRELATION_ID + FrameDescriptor.MIN_FRAME_LENGTH +
            request.encodedLength();
        checksum += EnvelopeDescriptor.VERSION + request.msgType().code() + request.msgType().target().ordinal() +
            request.sourceNode() + request.targetNode() + Integer.toUnsignedLong(request.vshardId());
        for (final byte b : request.payload())
        {
            checksum += b;
        }
        return checksum;
    }

    private long write(final int iterations)
    {
        envelope.wrap(inbound, FrameDescriptor.HEADER_LENGTH);
        final int replyPayloadLength = replyPayload.capacity();
        long checksum = 0;
        for (int i = 0; i < iterations; i++)
        {
            int offset = 0;
            frame.wrap(outbound, offset)
                .header(FrameDescriptor.KIND_RESPONSE, CORRELATION_ID,
                    EnvelopeDescriptor.HEADER_LENGTH + replyPayloadLength);
            replyEnvelope.wrap(outbound, frame.bodyOffset())
                .reply(envelope, MessageType.TsScatterResponse, replyPayload, 0, replyPayloadLength);
            checksum += frame.encodedLength() + replyEnvelope.encodedLength();
            offset += frame.encodedLength();

            checksum += frame.wrap(outbound, offset)
                .writeError(CORRELATION_ID, ErrorCode.HANDLER_FAILED.value(), ERROR_MESSAGE);
            offset += frame.encodedLength();

            checksum += frame.wrap(outbound, offset).writeAck(CORRELATION_ID);
            offset += frame.encodedLength();

            frame.wrap(outbound, offset).header(FrameDescriptor.KIND_RESPONSE, CORRELATION_ID,
                EnvelopeDescriptor.HEADER_LENGTH + replyPayloadLength);
            checksum += replyEnvelope.wrap(outbound, frame.bodyOffset())
                .header(MessageType.TsRetentionAck.code(), envelope.targetNode(), envelope.sourceNode(),
                    envelope.vshardId(), replyPayloadLength)
                .payload(replyPayload, 0, replyPayloadLength)
                .encodedLength();
        }
        return checksum;
    }

    private void assertWrittenFrames()
    {
        final FrameFlyweight check = new FrameFlyweight();
        int offset = 0;

        check.wrap(outbound, offset);
        assertThat(FrameFlyweight.validate(outbound, offset, check.encodedLength(), MAX_PAYLOAD_LENGTH_DEFAULT))
            .isZero();
        final byte[] response = new byte[check.bodyLength()];
        outbound.getBytes(check.bodyOffset(), response);
        final byte[] replyBytes = new byte[replyPayload.capacity()];
        replyPayload.getBytes(0, replyBytes);
        assertThat(VShardEnvelope.decode(response)).isEqualTo(request.reply(MessageType.TsScatterResponse, replyBytes));
        offset += check.encodedLength();

        check.wrap(outbound, offset);
        assertThat(FrameFlyweight.validate(outbound, offset, check.encodedLength(), MAX_PAYLOAD_LENGTH_DEFAULT))
            .isZero();
        assertThat(check.kind()).isEqualTo(FrameDescriptor.KIND_ERROR);
        assertThat(check.errorCode()).isEqualTo(ErrorCode.HANDLER_FAILED.value());
        assertThat(check.errorMessage()).isEqualTo(ERROR_MESSAGE);
        offset += check.encodedLength();

        check.wrap(outbound, offset);
        assertThat(FrameFlyweight.validate(outbound, offset, check.encodedLength(), MAX_PAYLOAD_LENGTH_DEFAULT))
            .isZero();
        assertThat(check.kind()).isEqualTo(FrameDescriptor.KIND_ACK);
        assertThat(check.correlationId()).isEqualTo(CORRELATION_ID);
        offset += check.encodedLength();

        check.wrap(outbound, offset);
        final byte[] ack = new byte[check.bodyLength()];
        outbound.getBytes(check.bodyOffset(), ack);
        assertThat(VShardEnvelope.decode(ack)).isEqualTo(VShardEnvelope.of(MessageType.TsRetentionAck,
            request.targetNode(), request.sourceNode(), request.vshardId(), replyBytes));
    }

    private static long allocatedBytes()
    {
        return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    private static byte[] payload(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 + 7);
        }
        return bytes;
    }
}
