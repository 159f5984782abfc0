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

    /**
     * Connection closed: it held answers its peer took none of for {@code vshard.transport.reply.unread.timeout.ms}.
     */
    public static final int ANSWERS_UNREAD = 0x107;

    /**
     * Connection closed: an answer would have taken the answers it holds (or the node's) over the reply budget
     * ({@code vshard.transport.reply.connection.budget.bytes}, {@code vshard.transport.reply.node.budget.bytes}).
     */
    public static final int REPLY_BUDGET_EXCEEDED = 0x108;

    /**
     * Connection refused: the server holds its maximum of connections in their handshake, overall or from the
     * peer's address ({@code vshard.transport.max.handshakes}, {@code vshard.transport.max.handshakes.per.address}).
     */
    public static final int HANDSHAKE_LIMIT = 0x109;

    private QuicErrorCodes()
    {
    }
}
