package io.vshard.core.pipeline;

import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.FrameFlyweight;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.zip.CRC32;

/**
 * One answer frame as a test sees it: copied out of the buffer it was delivered in. Allocates; tests only.
 *
 * @param replyAddress  handed back by the pipeline.
 * @param correlationId echoed from the request.
 * @param kind          {@link FrameDescriptor#KIND_RESPONSE}, {@code KIND_ACK} or {@code KIND_ERROR}.
 * @param errorCode     of an ERROR frame, else 0.
 * @param errorMessage  of an ERROR frame, else {@code null}.
 * @param envelope      of a RESPONSE frame, else {@code null}.
 */
record Answer(
    long replyAddress, long correlationId, int kind, int errorCode, String errorMessage, VShardEnvelope envelope)
{
    static Answer decode(final long replyAddress, final DirectBuffer buffer, final int offset, final int length)
    {
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
        copy.putBytes(0, buffer, offset, length);
        final FrameFlyweight frame = new FrameFlyweight().wrap(copy, 0);
        if (frame.encodedLength() != length)
        {
            throw new AssertionError("frame_length disagrees with the delivered length: frame=" +
                frame.encodedLength() + " delivered=" + length);
        }
        final int kind = frame.kind();
        switch (kind)
        {
            case FrameDescriptor.KIND_RESPONSE:
                final byte[] body = new byte[frame.bodyLength()];
                copy.getBytes(frame.bodyOffset(), body);
                return new Answer(replyAddress, frame.correlationId(), kind, 0, null, VShardEnvelope.decode(body));
            case FrameDescriptor.KIND_ERROR:
                return new Answer(
                    replyAddress, frame.correlationId(), kind, frame.errorCode(), frame.errorMessage(), null);
            case FrameDescriptor.KIND_ACK:
                return new Answer(replyAddress, frame.correlationId(), kind, 0, null, null);
            default:
                throw new AssertionError("unexpected frame kind: " + kind);
        }
    }

    boolean isResponse()
    {
        return FrameDescriptor.KIND_RESPONSE == kind;
    }

    boolean isAck()
    {
        return FrameDescriptor.KIND_ACK == kind;
    }

    boolean isError(final ErrorCode code)
    {
        return FrameDescriptor.KIND_ERROR == kind && code.value() == errorCode;
    }

    MessageType responseType()
    {
        return null == envelope ? null : envelope.msgType();
    }

    long payloadCrc()
    {
        final CRC32 crc = new CRC32();
        crc.update(envelope.payload());
        return crc.getValue();
    }

    public String toString()
    {
        final String what = switch (kind)
        {
            case FrameDescriptor.KIND_RESPONSE -> "RESPONSE " + envelope.msgType() + " payload=" +
                envelope.payload().length + "B";
            case FrameDescriptor.KIND_ERROR -> "ERROR " + ErrorCode.get(errorCode) + " '" + errorMessage + "'";
            case FrameDescriptor.KIND_ACK -> "ACK";
            default -> "kind " + kind;
        };
        return "Answer{address=" + replyAddress + " correlationId=" + correlationId + " " + what + '}';
    }
}
