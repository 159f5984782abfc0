package io.vshard.core.wire;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * The properties every decoder must keep for any input, checked by the fuzz tests: the flyweight validators never
 * throw and answer only the codes they document; {@link VShardEnvelope#decode(byte[])} throws nothing but a
 * {@link WireException} carrying the validator's code; whatever is valid re-encodes to exactly the same bytes; the
 * answer does not depend on where in a buffer the bytes sit. A broken property is an {@link AssertionError} naming the
 * input in hex.
 */
public final class WireInvariants
{
    /** Leading bytes put before the input to check that offsets are honoured. */
    private static final int PAD = 7;

    private static final Set<Integer> ENVELOPE_CODES = Set.of(
        ErrorCode.NONE, ErrorCode.MALFORMED.value(), ErrorCode.UNSUPPORTED_VERSION.value(),
        ErrorCode.UNKNOWN_TYPE.value(), ErrorCode.TOO_LARGE.value());

    private static final Set<Integer> FRAME_CODES = Set.of(
        ErrorCode.NONE, ErrorCode.MALFORMED.value(), ErrorCode.UNSUPPORTED_VERSION.value(),
        ErrorCode.UNKNOWN_TYPE.value());

    private WireInvariants()
    {
    }

    /**
     * Check the envelope decoders on arbitrary bytes.
     *
     * @param bytes the input, taken as one whole envelope.
     * @return the validator's answer with the largest maximum payload, for callers that count outcomes.
     */
    public static int checkEnvelope(final byte[] bytes)
    {
        try
        {
            final int limit = EnvelopeDescriptor.MAX_PAYLOAD_LENGTH_LIMIT;
            final int code = EnvelopeFlyweight.validate(new UnsafeBuffer(bytes), 0, bytes.length, limit);
            require(ENVELOPE_CODES.contains(code), "validate answered an undocumented code " + code);
            require(code == EnvelopeFlyweight.validate(padded(bytes), PAD, bytes.length, limit),
                "validate depends on the offset");
            final int smallMax = EnvelopeFlyweight.validate(new UnsafeBuffer(bytes), 0, bytes.length, 16);
            require(ErrorCode.NONE != code || ErrorCode.NONE == smallMax || ErrorCode.TOO_LARGE.value() == smallMax,
                "a valid envelope became " + smallMax + " under a smaller maximum");

            final VShardEnvelope decoded;
            try
            {
                decoded = VShardEnvelope.decode(bytes);
            }
            catch (final WireException ex)
            {
                require(ErrorCode.NONE != code, "decode refused what validate accepted: " + ex);
                require(ex.errorCode().value() == code, "decode's code " + ex.errorCode() + " differs from " + code);
                return code;
            }
            require(ErrorCode.NONE == code, "decode accepted what validate refused with " + code);
            require(Arrays.equals(bytes, decoded.encode()), "valid envelope does not re-encode the same");

            final EnvelopeFlyweight flyweight = new EnvelopeFlyweight().wrap(padded(bytes), PAD);
            require(flyweight.encodedLength() == bytes.length, "encodedLength differs from the input length");
            require(flyweight.sourceNode() == decoded.sourceNode() && flyweight.targetNode() == decoded.targetNode() &&
                flyweight.vshardId() == decoded.vshardId() && flyweight.msgType() == decoded.msgType().code(),
                "flyweight fields differ from the decoded value");
            return code;
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + ": input " + HexFormat.of().formatHex(bytes), ex);
        }
        catch (final Throwable ex)
        {
            throw new AssertionError("envelope decoder threw on " + HexFormat.of().formatHex(bytes), ex);
        }
    }

    /**
     * Check the frame decoders on arbitrary bytes.
     *
     * @param bytes the input, taken as one whole frame.
     * @return the validator's answer with the default maximum payload.
     */
    public static int checkFrame(final byte[] bytes)
    {
        try
        {
            final int max = EnvelopeDescriptor.MAX_PAYLOAD_LENGTH_DEFAULT;
            final int code = FrameFlyweight.validate(new UnsafeBuffer(bytes), 0, bytes.length, max);
            require(FRAME_CODES.contains(code), "validate answered an undocumented code " + code);
            require(code == FrameFlyweight.validate(padded(bytes), PAD, bytes.length, max),
                "validate depends on the offset");
            if (bytes.length >= FrameDescriptor.HEADER_LENGTH)
            {
                final int header = FrameFlyweight.validateHeader(
                    new UnsafeBuffer(bytes), 0, FrameDescriptor.maxFrameLengthField(max));
                require(ErrorCode.NONE == header || ErrorCode.MALFORMED.value() == header,
                    "validateHeader answered " + header);
                require(ErrorCode.NONE != code || ErrorCode.NONE == header, "valid frame with an invalid header");
            }
            if (ErrorCode.NONE == code)
            {
                require(Arrays.equals(bytes, reencodeFrame(bytes, max)),
                    "valid frame does not re-encode the same");
            }
            return code;
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + ": input " + HexFormat.of().formatHex(bytes), ex);
        }
        catch (final Throwable ex)
        {
            throw new AssertionError("frame decoder threw on " + HexFormat.of().formatHex(bytes), ex);
        }
    }

    /**
     * Encode anew, through the writers, the frame a valid input decodes to.
     */
    private static byte[] reencodeFrame(final byte[] bytes, final int maxPayloadLength)
        throws CharacterCodingException
    {
        final FrameFlyweight in = new FrameFlyweight().wrap(new UnsafeBuffer(bytes), 0);
        final byte[] out = new byte[bytes.length];
        final FrameFlyweight frame = new FrameFlyweight().wrap(new UnsafeBuffer(out), 0);
        final int kind = in.kind();
        switch (kind)
        {
            case FrameDescriptor.KIND_ENVELOPE, FrameDescriptor.KIND_RESPONSE ->
            {
                final byte[] body = new byte[in.bodyLength()];
                in.buffer().getBytes(in.bodyOffset(), body);
                final byte[] envelope = VShardEnvelope.decode(body, maxPayloadLength).encode();
                frame.header(kind, in.correlationId(), envelope.length);
                frame.buffer().putBytes(frame.bodyOffset(), envelope);
            }
            case FrameDescriptor.KIND_ERROR ->
            {
                final byte[] message = new byte[bytes.length - FrameDescriptor.ERROR_MESSAGE_OFFSET];
                in.buffer().getBytes(FrameDescriptor.ERROR_MESSAGE_OFFSET, message);
                final String text = in.errorMessage();
                if (isStrictUtf8(message))
                {
                    frame.writeError(in.correlationId(), in.errorCode(), text);
                }
                else
                {
                    frame.header(kind, in.correlationId(), in.bodyLength());
                    frame.buffer().putShort(FrameDescriptor.ERROR_CODE_FIELD_OFFSET, (short)in.errorCode(),
                        ByteOrder.LITTLE_ENDIAN);
                    frame.buffer().putBytes(FrameDescriptor.ERROR_MESSAGE_OFFSET, message);
                }
            }
            case FrameDescriptor.KIND_ACK -> frame.writeAck(in.correlationId());
            default -> throw new AssertionError("valid frame of unknown kind " + kind);
        }
        return out;
    }

    private static boolean isStrictUtf8(final byte[] bytes)
    {
        try
        {
            StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes));
            return true;
        }
        catch (final CharacterCodingException ex)
        {
            return false;
        }
    }

    private static UnsafeBuffer padded(final byte[] bytes)
    {
        final byte[] padded = new byte[PAD + bytes.length];
        Arrays.fill(padded, 0, PAD, (byte)0xA5);
        System.arraycopy(bytes, 0, padded, PAD, bytes.length);
        return new UnsafeBuffer(padded);
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new AssertionError(message);
        }
    }
}
