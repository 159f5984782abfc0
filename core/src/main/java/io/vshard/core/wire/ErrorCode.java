package io.vshard.core.wire;

/**
 * Error codes carried in ERROR frames and returned by the validating decoders (wire section 2).
 * The hot path uses the {@code int} {@link #value()}; {@code 0} means no error. Each code carries the fixed text sent
 * in an ERROR frame's message and printed wherever the code is shown ({@link #message()}).
 */
public enum ErrorCode
{
    /** Lengths disagree, truncated, reserved bits set. */
    MALFORMED(1, "malformed envelope"),
    /** Envelope version is not 2. */
    UNSUPPORTED_VERSION(2, "unsupported envelope version"),
    /** The message type code has no entry in the type table. */
    UNKNOWN_TYPE(3, "unknown message type"),
    /** Payload over the configured maximum. */
    TOO_LARGE(4, "payload too large"),
    /** No handler is registered for the target. */
    NO_HANDLER(5, "no handler"),
    /** The handler returned an error or threw. */
    HANDLER_FAILED(6, "handler failed"),
    /** source_node differs from the node id in the peer's certificate. */
    IDENTITY_MISMATCH(7, "source_node differs from the peer certificate's node id"),
    /** The node is draining and accepts no new work. */
    SHUTTING_DOWN(8, "node shutting down"),
    /** target_node is neither this node's id nor 0 (resolve by routing table). */
    WRONG_TARGET(9, "target_node is not this node's id");

    /**
     * The value decoders return when the input is valid.
     */
    public static final int NONE = 0;

    private static final ErrorCode[] BY_VALUE = new ErrorCode[10];

    static
    {
        for (final ErrorCode code : values())
        {
            BY_VALUE[code.value] = code;
        }
    }

    /** Text for a value that is no known code. */
    public static final String UNKNOWN_MESSAGE = "unknown error";

    private final int value;
    private final String message;

    ErrorCode(final int value, final String message)
    {
        this.value = value;
        this.message = message;
    }

    /**
     * The fixed text of this code, as sent in an ERROR frame's message when nothing more specific is known.
     *
     * @return the text.
     */
    public String message()
    {
        return message;
    }

    /**
     * The fixed text of a wire value. Allocates nothing.
     *
     * @param value on the wire.
     * @return the code's {@link #message()}, or {@link #UNKNOWN_MESSAGE}.
     */
    public static String messageOf(final int value)
    {
        final ErrorCode code = get(value);
        return null != code ? code.message : UNKNOWN_MESSAGE;
    }

    /**
     * The code on the wire.
     *
     * @return the u16 value of this code.
     */
    public int value()
    {
        return value;
    }

    /**
     * The error code for a wire value, or {@code null} when the value is not a known code. Allocates nothing.
     *
     * @param value on the wire.
     * @return the code or {@code null}.
     */
    public static ErrorCode get(final int value)
    {
        return value > 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }
}
