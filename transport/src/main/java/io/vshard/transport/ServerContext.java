package io.vshard.transport;

import io.vshard.core.wire.FrameDescriptor;

import java.net.InetSocketAddress;
import java.util.Set;

/**
 * Configuration of a QUIC server ({@code io.vshard.transport.server.QuicServer}): the settings it shares with the
 * client ({@link CommonContext}) and its own, the bind address, I/O threads, connection and stream limits, the
 * partial-frame and shutdown timeouts and the reply queue. Each {@code vshard.transport.*} setting starts from its
 * {@code _DEFAULT}, then its system property; {@link #apply(java.util.Properties)} reads a properties file. Control
 * plane only: build it on one thread, then hand it to the server, which concludes it.
 */
public final class ServerContext extends CommonContext<ServerContext>
{
    /** Address the server binds, {@code host:port}. */
    public static final String BIND_PROP_NAME = "vshard.transport.bind";

    /** Default bind address. */
    public static final String BIND_DEFAULT = "0.0.0.0:7420";

    /** Number of I/O threads (event loops); the server binds one UDP socket per thread with SO_REUSEPORT. */
    public static final String IO_THREADS_PROP_NAME = "vshard.transport.io.threads";

    /** Default I/O threads. */
    public static final int IO_THREADS_DEFAULT = 1;

    /** Bidirectional streams a peer may open per connection (QUIC initial_max_streams_bidi). */
    public static final String MAX_STREAMS_PROP_NAME = "vshard.transport.max.streams.per.connection";

    /** Default streams per connection. */
    public static final int MAX_STREAMS_DEFAULT = 64;

    /** Connections the server holds at most; more are closed at once. */
    public static final String MAX_CONNECTIONS_PROP_NAME = "vshard.transport.max.connections";

    /** Default maximum connections. */
    public static final int MAX_CONNECTIONS_DEFAULT = 1024;

    /**
     * Time a server stream may hold part of a frame without completing it, in milliseconds; the stream is then reset
     * with {@code PARTIAL_FRAME_TIMEOUT} and the bytes held are freed. A stream the server itself holds back (lane
     * full, answers not taken) is exempt while held.
     */
    public static final String PARTIAL_FRAME_TIMEOUT_MS_PROP_NAME = "vshard.transport.partial.frame.timeout.ms";

    /** Default partial-frame timeout: 10 s. */
    public static final long PARTIAL_FRAME_TIMEOUT_MS_DEFAULT = 10_000;

    /** Capacity of each I/O thread's reply queue in bytes, a power of two. */
    public static final String OUTBOUND_QUEUE_BYTES_PROP_NAME = "vshard.transport.outbound.queue.bytes";

    /** Default reply queue capacity: 4 MiB. */
    public static final int OUTBOUND_QUEUE_BYTES_DEFAULT = 4 * 1024 * 1024;

    /** Time allowed for a graceful server close to flush replies before connections are closed, in ms. */
    public static final String SHUTDOWN_TIMEOUT_MS_PROP_NAME = "vshard.transport.shutdown.timeout.ms";

    /** Default shutdown flush time: 5 s. */
    public static final long SHUTDOWN_TIMEOUT_MS_DEFAULT = 5_000;

    /**
     * Bytes of answers one connection may hold that its peer has not taken yet. At half of it the connection stops
     * accepting requests (frames already read stay held, nothing new reaches a lane) until its peer reads; an answer
     * that would take it over the budget is not written and the connection is closed with
     * {@code REPLY_BUDGET_EXCEEDED}. An answer to a connection that holds none is always written.
     */
    public static final String REPLY_CONNECTION_BUDGET_BYTES_PROP_NAME =
        "vshard.transport.reply.connection.budget.bytes";

    /** Default reply budget per connection: 64 MiB. */
    public static final long REPLY_CONNECTION_BUDGET_BYTES_DEFAULT = 64L * 1024 * 1024;

    /**
     * Bytes of answers all connections together may hold that their peers have not taken yet. Above half of it,
     * connections holding more than a small backlog stop accepting requests; an answer that would take the node over
     * it closes its connection with {@code REPLY_BUDGET_EXCEEDED} unless that connection holds almost nothing (a peer
     * that reads its answers is always served).
     */
    public static final String REPLY_NODE_BUDGET_BYTES_PROP_NAME = "vshard.transport.reply.node.budget.bytes";

    /** Default reply budget of the node: 512 MiB, a quarter of the launcher's 2 GiB of direct memory. */
    public static final long REPLY_NODE_BUDGET_BYTES_DEFAULT = 512L * 1024 * 1024;

    /**
     * Time a connection may hold answers without its peer taking any of them, in milliseconds; the connection is then
     * closed with {@code ANSWERS_UNREAD} and counted ({@code connections closed unread}).
     */
    public static final String REPLY_UNREAD_TIMEOUT_MS_PROP_NAME = "vshard.transport.reply.unread.timeout.ms";

    /** Default unread-answers timeout: 10 s. */
    public static final long REPLY_UNREAD_TIMEOUT_MS_DEFAULT = 10_000;

    /**
     * Connections in their handshake the server holds at most, counted apart from the established ones
     * ({@link #MAX_CONNECTIONS_PROP_NAME}); more are refused with {@code HANDSHAKE_LIMIT}.
     */
    public static final String MAX_HANDSHAKES_PROP_NAME = "vshard.transport.max.handshakes";

    /** Default handshakes in progress. */
    public static final int MAX_HANDSHAKES_DEFAULT = 128;

    /** Connections in their handshake one source IP address may have at once; more are refused. */
    public static final String MAX_HANDSHAKES_PER_ADDRESS_PROP_NAME = "vshard.transport.max.handshakes.per.address";

    /** Default handshakes in progress per source address. */
    public static final int MAX_HANDSHAKES_PER_ADDRESS_DEFAULT = 16;

    /**
     * Address validation: a new connection must echo a QUIC Retry token (HMAC-SHA256 over the peer's address and the
     * connection id with a random key of this process, valid for a few seconds) before the server keeps any state for
     * it. Costs one round trip per new connection; {@code false} only where every peer is trusted.
     */
    public static final String ADDRESS_VALIDATION_PROP_NAME = "vshard.transport.address.validation";

    /** Default: address validation on. */
    public static final boolean ADDRESS_VALIDATION_DEFAULT = true;

    static final Set<String> SETTINGS = Set.of(BIND_PROP_NAME, IO_THREADS_PROP_NAME, MAX_STREAMS_PROP_NAME,
        MAX_CONNECTIONS_PROP_NAME, PARTIAL_FRAME_TIMEOUT_MS_PROP_NAME, OUTBOUND_QUEUE_BYTES_PROP_NAME,
        SHUTDOWN_TIMEOUT_MS_PROP_NAME, REPLY_CONNECTION_BUDGET_BYTES_PROP_NAME, REPLY_NODE_BUDGET_BYTES_PROP_NAME,
        REPLY_UNREAD_TIMEOUT_MS_PROP_NAME, MAX_HANDSHAKES_PROP_NAME, MAX_HANDSHAKES_PER_ADDRESS_PROP_NAME,
        ADDRESS_VALIDATION_PROP_NAME);

    private String bind = BIND_DEFAULT;
    private int ioThreads = IO_THREADS_DEFAULT;
    private int maxStreamsPerConnection = MAX_STREAMS_DEFAULT;
    private int maxConnections = MAX_CONNECTIONS_DEFAULT;
    private long partialFrameTimeoutMs = PARTIAL_FRAME_TIMEOUT_MS_DEFAULT;
    private int outboundQueueBytes = OUTBOUND_QUEUE_BYTES_DEFAULT;
    private long shutdownTimeoutMs = SHUTDOWN_TIMEOUT_MS_DEFAULT;
    private long replyConnectionBudgetBytes = REPLY_CONNECTION_BUDGET_BYTES_DEFAULT;
    private long replyNodeBudgetBytes = REPLY_NODE_BUDGET_BYTES_DEFAULT;
    private long replyUnreadTimeoutMs = REPLY_UNREAD_TIMEOUT_MS_DEFAULT;
    private int maxHandshakes = MAX_HANDSHAKES_DEFAULT;
    private int maxHandshakesPerAddress = MAX_HANDSHAKES_PER_ADDRESS_DEFAULT;
    private boolean addressValidation = ADDRESS_VALIDATION_DEFAULT;

    /**
     * A server context with the defaults, overridden by the {@code vshard.transport.*} system properties.
     */
    public ServerContext()
    {
        applySystemProperties();
    }

    /**
     * Set the bind address.
     *
     * @param bind {@code host:port}; port 0 picks a free port.
     * @return this for a fluent API.
     */
    public ServerContext bind(final String bind)
    {
        this.bind = bind;
        return this;
    }

    /**
     * The bind address as set.
     *
     * @return {@code host:port}.
     */
    public String bind()
    {
        return bind;
    }

    /**
     * The bind address, parsed.
     *
     * @return the socket address.
     * @throws IllegalArgumentException when it is not {@code host:port}.
     */
    public InetSocketAddress bindAddress()
    {
        final int colon = bind.lastIndexOf(':');
        if (colon <= 0)
        {
            throw new IllegalArgumentException("expected host:port: " + BIND_PROP_NAME + "=" + bind);
        }
        String host = bind.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, parseInt(BIND_PROP_NAME, bind.substring(colon + 1)));
    }

    /**
     * Set the I/O thread count.
     *
     * @param ioThreads at least 1.
     * @return this for a fluent API.
     */
    public ServerContext ioThreads(final int ioThreads)
    {
        this.ioThreads = ioThreads;
        return this;
    }

    /**
     * The I/O thread count.
     *
     * @return threads.
     */
    public int ioThreads()
    {
        return ioThreads;
    }

    /**
     * Set the streams a peer may open per connection.
     *
     * @param maxStreams at least 1.
     * @return this for a fluent API.
     */
    public ServerContext maxStreamsPerConnection(final int maxStreams)
    {
        this.maxStreamsPerConnection = maxStreams;
        return this;
    }

    /**
     * The streams a peer may open per connection.
     *
     * @return streams.
     */
    public int maxStreamsPerConnection()
    {
        return maxStreamsPerConnection;
    }

    /**
     * Set the most connections the server holds.
     *
     * @param maxConnections at least 1.
     * @return this for a fluent API.
     */
    public ServerContext maxConnections(final int maxConnections)
    {
        this.maxConnections = maxConnections;
        return this;
    }

    /**
     * The most connections the server holds.
     *
     * @return connections.
     */
    public int maxConnections()
    {
        return maxConnections;
    }

    /**
     * Set the partial-frame timeout of server streams.
     *
     * @param partialFrameTimeoutMs milliseconds.
     * @return this for a fluent API.
     */
    public ServerContext partialFrameTimeoutMs(final long partialFrameTimeoutMs)
    {
        this.partialFrameTimeoutMs = partialFrameTimeoutMs;
        return this;
    }

    /**
     * The partial-frame timeout of server streams.
     *
     * @return milliseconds.
     */
    public long partialFrameTimeoutMs()
    {
        return partialFrameTimeoutMs;
    }

    /**
     * Set the reply queue capacity per I/O thread.
     *
     * @param bytes a power of two, at least 1024.
     * @return this for a fluent API.
     */
    public ServerContext outboundQueueBytes(final int bytes)
    {
        this.outboundQueueBytes = bytes;
        return this;
    }

    /**
     * The reply queue capacity per I/O thread.
     *
     * @return bytes.
     */
    public int outboundQueueBytes()
    {
        return outboundQueueBytes;
    }

    /**
     * Set the time a graceful close may spend flushing.
     *
     * @param shutdownTimeoutMs milliseconds.
     * @return this for a fluent API.
     */
    public ServerContext shutdownTimeoutMs(final long shutdownTimeoutMs)
    {
        this.shutdownTimeoutMs = shutdownTimeoutMs;
        return this;
    }

    /**
     * The time a graceful close may spend flushing.
     *
     * @return milliseconds.
     */
    public long shutdownTimeoutMs()
    {
        return shutdownTimeoutMs;
    }

    /**
     * Set the reply budget per connection.
     *
     * @param bytes at least 1.
     * @return this for a fluent API.
     */
    public ServerContext replyConnectionBudgetBytes(final long bytes)
    {
        this.replyConnectionBudgetBytes = bytes;
        return this;
    }

    /**
     * The reply budget per connection.
     *
     * @return bytes.
     */
    public long replyConnectionBudgetBytes()
    {
        return replyConnectionBudgetBytes;
    }

    /**
     * Set the reply budget of the node.
     *
     * @param bytes at least the budget per connection.
     * @return this for a fluent API.
     */
    public ServerContext replyNodeBudgetBytes(final long bytes)
    {
        this.replyNodeBudgetBytes = bytes;
        return this;
    }

    /**
     * The reply budget of the node.
     *
     * @return bytes.
     */
    public long replyNodeBudgetBytes()
    {
        return replyNodeBudgetBytes;
    }

    /**
     * Set the time a connection may hold answers its peer takes none of.
     *
     * @param ms milliseconds.
     * @return this for a fluent API.
     */
    public ServerContext replyUnreadTimeoutMs(final long ms)
    {
        this.replyUnreadTimeoutMs = ms;
        return this;
    }

    /**
     * The time a connection may hold answers its peer takes none of.
     *
     * @return milliseconds.
     */
    public long replyUnreadTimeoutMs()
    {
        return replyUnreadTimeoutMs;
    }

    /**
     * Set the most connections in their handshake.
     *
     * @param maxHandshakes at least 1.
     * @return this for a fluent API.
     */
    public ServerContext maxHandshakes(final int maxHandshakes)
    {
        this.maxHandshakes = maxHandshakes;
        return this;
    }

    /**
     * The most connections in their handshake.
     *
     * @return connections.
     */
    public int maxHandshakes()
    {
        return maxHandshakes;
    }

    /**
     * Set the most connections in their handshake from one source address.
     *
     * @param maxHandshakesPerAddress at least 1.
     * @return this for a fluent API.
     */
    public ServerContext maxHandshakesPerAddress(final int maxHandshakesPerAddress)
    {
        this.maxHandshakesPerAddress = maxHandshakesPerAddress;
        return this;
    }

    /**
     * The most connections in their handshake from one source address.
     *
     * @return connections.
     */
    public int maxHandshakesPerAddress()
    {
        return maxHandshakesPerAddress;
    }

    /**
     * Turn address validation (QUIC Retry tokens) on or off.
     *
     * @param addressValidation true to validate.
     * @return this for a fluent API.
     */
    public ServerContext addressValidation(final boolean addressValidation)
    {
        this.addressValidation = addressValidation;
        return this;
    }

    /**
     * Whether new connections must prove their address with a Retry token.
     *
     * @return true when on.
     */
    public boolean addressValidation()
    {
        return addressValidation;
    }

    /**
     * The largest {@code frame_length} the server reads: {@link #maxFrameLength()} when set, capped at what the
     * pipeline's maximum payload allows (a longer frame could only be refused TOO_LARGE, after the server had
     * buffered it whole), else derived from that maximum.
     *
     * @param maxPayloadLength the pipeline's maximum payload.
     * @return the maximum {@code frame_length} field value.
     */
    public int serverMaxFrameLengthField(final int maxPayloadLength)
    {
        return Math.min(maxFrameLengthField(maxPayloadLength), FrameDescriptor.maxFrameLengthField(maxPayloadLength));
    }

    boolean applySide(final String name, final String value)
    {
        switch (name)
        {
            case BIND_PROP_NAME -> bind(value);
            case IO_THREADS_PROP_NAME -> ioThreads(parseInt(name, value));
            case MAX_STREAMS_PROP_NAME -> maxStreamsPerConnection(parseInt(name, value));
            case MAX_CONNECTIONS_PROP_NAME -> maxConnections(parseInt(name, value));
            case PARTIAL_FRAME_TIMEOUT_MS_PROP_NAME -> partialFrameTimeoutMs(parseLong(name, value));
            case OUTBOUND_QUEUE_BYTES_PROP_NAME -> outboundQueueBytes(parseInt(name, value));
            case SHUTDOWN_TIMEOUT_MS_PROP_NAME -> shutdownTimeoutMs(parseLong(name, value));
            case REPLY_CONNECTION_BUDGET_BYTES_PROP_NAME -> replyConnectionBudgetBytes(parseLong(name, value));
            case REPLY_NODE_BUDGET_BYTES_PROP_NAME -> replyNodeBudgetBytes(parseLong(name, value));
            case REPLY_UNREAD_TIMEOUT_MS_PROP_NAME -> replyUnreadTimeoutMs(parseLong(name, value));
            case MAX_HANDSHAKES_PROP_NAME -> maxHandshakes(parseInt(name, value));
            case MAX_HANDSHAKES_PER_ADDRESS_PROP_NAME -> maxHandshakesPerAddress(parseInt(name, value));
            case ADDRESS_VALIDATION_PROP_NAME -> addressValidation(parseBoolean(name, value));
            default ->
            {
                return false;
            }
        }
        return true;
    }

    void concludeSide()
    {
        bindAddress();
        requirePositive(IO_THREADS_PROP_NAME, ioThreads);
        requirePositive(MAX_STREAMS_PROP_NAME, maxStreamsPerConnection);
        requirePositive(MAX_CONNECTIONS_PROP_NAME, maxConnections);
        requirePositive(PARTIAL_FRAME_TIMEOUT_MS_PROP_NAME, partialFrameTimeoutMs);
        requirePowerOfTwo(OUTBOUND_QUEUE_BYTES_PROP_NAME, outboundQueueBytes);
        requirePositive(SHUTDOWN_TIMEOUT_MS_PROP_NAME, shutdownTimeoutMs);
        requirePositive(REPLY_CONNECTION_BUDGET_BYTES_PROP_NAME, replyConnectionBudgetBytes);
        requirePositive(REPLY_UNREAD_TIMEOUT_MS_PROP_NAME, replyUnreadTimeoutMs);
        requirePositive(MAX_HANDSHAKES_PROP_NAME, maxHandshakes);
        requirePositive(MAX_HANDSHAKES_PER_ADDRESS_PROP_NAME, maxHandshakesPerAddress);
        if (replyNodeBudgetBytes < replyConnectionBudgetBytes)
        {
            throw new IllegalArgumentException("must be at least " + REPLY_CONNECTION_BUDGET_BYTES_PROP_NAME + "=" +
                replyConnectionBudgetBytes + ": " + REPLY_NODE_BUDGET_BYTES_PROP_NAME + "=" + replyNodeBudgetBytes);
        }
    }
}
