package io.vshard.core.wire;

/**
 * Error codes carried in ERROR frames and returned by the validating decoders (wire section 2).
 * The hot path uses the {@code int} {@link #value()}; {@code 0} means no error.
 */
public enum ErrorCode
{
    /** Lengths disagree, truncated, reserved bits set. */
    MALFORMED(1),
    /** Envelope version is not 2. */
    UNSUPPORTED_VERSION(2),
    /** The message type code has no entry in the type table. */
    UNKNOWN_TYPE(3),
    /** Payload over the configured maximum. */
    TOO_LARGE(4),
    /** No handler is registered for the target. */
    NO_HANDLER(5),
    /** The handler returned an error or threw. */
    HANDLER_FAILED(6),
    /** source_node differs from the node id in the peer's certificate. */
    IDENTITY_MISMATCH(7),
    /** The node is draining and accepts no new work. */
    SHUTTING_DOWN(8),
    /** target_node is neither this node's id nor 0 (resolve by routing table). */
    WRONG_TARGET(9);

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

    private final int value;

    ErrorCode(final int value)
    {
        this.value = value;
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
