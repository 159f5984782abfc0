package io.vshard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vshard.core.wire.EnvelopeFlyweight;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.FrameFlyweight;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.WireDiagnostics;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code vshard decode}: print the fields of a frame or envelope given in hex, or its error code by name.
 * Exit status 0 for valid input, 1 for input that decodes to an error code, 2 for bad hex.
 */
@Command(
    name = "decode",
    mixinStandardHelpOptions = true,
    description = {
        "Decode a frame or an envelope given in hex and print its fields, or which check it fails.",
        "Without --frame or --envelope it tries a frame first, then an envelope, and says which it took.",
        "Invalid input prints the error code and the failing check (failed_check). Exit status: 0 valid, "
            + "1 invalid, 2 not hex."})
public final class DecodeCommand implements Callable<Integer>
{
    /** How many payload bytes to show. */
    static final int PAYLOAD_PREVIEW_BYTES = 16;

    @ArgGroup(exclusive = true)
    Kind kind;

    @Option(names = "--json", description = "Print machine-readable JSON.")
    boolean json;

    @Option(names = "--max-payload", defaultValue = "16777216",
        description = "Maximum payload (default ${DEFAULT-VALUE}).")
    int maxPayloadLength;

    @Parameters(index = "0", paramLabel = "HEX", description = "The bytes in hex; spaces and 0x are ignored.")
    String hex;

    @Spec
    CommandSpec spec;

    static final class Kind
    {
        @Option(names = "--frame", required = true, description = "The bytes are a frame.")
        boolean frame;

        @Option(names = "--envelope", required = true, description = "The bytes are an envelope.")
        boolean envelope;
    }

    /**
     * Run the command.
     *
     * @return the exit status.
     * @throws Exception on an output failure.
     */
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        final byte[] bytes;
        try
        {
            bytes = HexFormat.of().parseHex(hex.replace("0x", "").replaceAll("[\\s:_-]", ""));
        }
        catch (final IllegalArgumentException ex)
        {
            spec.commandLine().getErr().println("not hex: " + ex.getMessage());
            return 2;
        }

        final Map<String, Object> fields = decode(bytes);
        if (json)
        {
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(fields));
        }
        else
        {
            fields.forEach((name, value) -> out.printf("%-16s %s%n", name + ":", value));
        }
        out.flush();
        return fields.containsKey("error") ? 1 : 0;
    }

    Map<String, Object> decode(final byte[] bytes)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final Map<String, Object> fields = new LinkedHashMap<>();
        final boolean asFrame;
        if (null != kind)
        {
            asFrame = kind.frame;
        }
        else
        {
            final int frameError = FrameFlyweight.validate(buffer, 0, bytes.length, maxPayloadLength);
            final int envelopeError = EnvelopeFlyweight.validate(buffer, 0, bytes.length, maxPayloadLength);
            asFrame = ErrorCode.NONE == frameError ||
                (ErrorCode.NONE != envelopeError && !(bytes.length >= 2 && bytes[0] == 2 && bytes[1] == 0));
        }
        fields.put("decoded_as", asFrame ? "frame" : "envelope");
        fields.put("guessed", null == kind);
        fields.put("length", bytes.length);
        if (asFrame)
        {
            decodeFrame(buffer, bytes.length, fields);
        }
        else
        {
            decodeEnvelope(buffer, 0, bytes.length, fields);
        }
        return fields;
    }

    private void decodeFrame(final UnsafeBuffer buffer, final int length, final Map<String, Object> fields)
    {
        final int error = FrameFlyweight.validate(buffer, 0, length, maxPayloadLength);
        if (length >= FrameDescriptor.HEADER_LENGTH)
        {
            final FrameFlyweight frame = new FrameFlyweight().wrap(buffer, 0);
            fields.put("frame_length", frame.frameLength());
            fields.put("kind", FrameDescriptor.kindName(frame.kind()));
            fields.put("correlation_id", Long.toUnsignedString(frame.correlationId()));
            if (ErrorCode.NONE == error)
            {
                switch (frame.kind())
                {
                    case FrameDescriptor.KIND_ENVELOPE, FrameDescriptor.KIND_RESPONSE ->
                        decodeEnvelope(buffer, frame.bodyOffset(), frame.bodyLength(), fields);
                    case FrameDescriptor.KIND_ERROR ->
                    {
                        final ErrorCode code = ErrorCode.get(frame.errorCode());
                        fields.put("error_code", frame.errorCode() + (null == code ? "" : " " + code.name()));
                        fields.put("message", frame.errorMessage());
                    }
                    default ->
                    {
                    }
                }
                return;
            }
        }
        putError(error, WireDiagnostics.describeFrame(buffer, 0, length, maxPayloadLength), fields);
    }

    private void decodeEnvelope(
        final UnsafeBuffer buffer, final int offset, final int length, final Map<String, Object> fields)
    {
        final int error = EnvelopeFlyweight.validate(buffer, offset, length, maxPayloadLength);
        if (ErrorCode.NONE != error)
        {
            putError(error, WireDiagnostics.describeEnvelope(buffer, offset, length, maxPayloadLength), fields);
            return;
        }
        final EnvelopeFlyweight envelope = new EnvelopeFlyweight().wrap(buffer, offset);
        final MessageType type = MessageType.get(envelope.msgType());
        fields.put("version", envelope.version());
        fields.put("msg_type", type.name() + " (" + type.code() + ")");
        fields.put("target", type.target().name());
        fields.put("source_node", Long.toUnsignedString(envelope.sourceNode()));
        fields.put("target_node", Long.toUnsignedString(envelope.targetNode()));
        fields.put("vshard_id", Integer.toUnsignedString(envelope.vshardId()));
        fields.put("payload_len", envelope.payloadLength());
        final int preview = Math.min(PAYLOAD_PREVIEW_BYTES, envelope.payloadLength());
        final byte[] first = new byte[preview];
        buffer.getBytes(envelope.payloadOffset(), first);
        fields.put("payload_head", HexFormat.of().formatHex(first) +
            (preview < envelope.payloadLength() ? "..." : ""));
    }

    private static void putError(final int error, final String check, final Map<String, Object> fields)
    {
        fields.put("error", ErrorCode.get(error).name());
        fields.put("error_code", error);
        fields.put("failed_check", check);
    }
}
