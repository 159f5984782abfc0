package io.vshard.core.wire;

/**
 * Thrown by the value-type codec ({@link VShardEnvelope#decode(byte[])}) when bytes are not a valid envelope.
 * The flyweight decoders never throw: they return the {@link ErrorCode#value()} instead.
 */
public final class WireException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final ErrorCode errorCode;

    /**
     * Create an exception for a decode failure.
     *
     * @param errorCode the reason, as on the wire.
     * @param message   detail for a person.
     */
    public WireException(final ErrorCode errorCode, final String message)
    {
        super(errorCode.name() + ": " + message);
        this.errorCode = errorCode;
    }

    /**
     * The reason the bytes were refused.
     *
     * @return the error code.
     */
    public ErrorCode errorCode()
    {
        return errorCode;
    }
}
