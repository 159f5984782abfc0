package io.vshard.transport;

/**
 * QUIC application error codes this transport uses in RESET_STREAM, STOP_SENDING and CONNECTION_CLOSE frames.
 */
public final class QuicErrorCodes
{
    /** A clean close: graceful shutdown or a client closing. */
    public static final int NO_ERROR = 0;

    /** The stream's framing cannot be trusted (bad frame_length, unknown kind, flags or reserved set). */
    public static final int BAD_FRAMING = 0x101;

    /** The server holds its maximum of connections. */
    public static final int CONNECTION_LIMIT = 0x102;

    /** The peer's certificate carries no usable node identity. */
    public static final int IDENTITY_REFUSED = 0x103;

    /** The TLS handshake did not complete in time. */
    public static final int HANDSHAKE_TIMEOUT = 0x104;

    /** The server is shutting down and takes no new connections. */
    public static final int SHUTTING_DOWN = 0x105;

    /** Stream reset: the peer held part of a frame longer than {@code vshard.transport.partial.frame.timeout.ms}. */
    public static final int PARTIAL_FRAME_TIMEOUT = 0x106;

    private QuicErrorCodes()
    {
    }
}
