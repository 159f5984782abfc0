package io.vshard.transport;

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

    static final Set<String> SETTINGS = Set.of(BIND_PROP_NAME, IO_THREADS_PROP_NAME, MAX_STREAMS_PROP_NAME,
        MAX_CONNECTIONS_PROP_NAME, PARTIAL_FRAME_TIMEOUT_MS_PROP_NAME, OUTBOUND_QUEUE_BYTES_PROP_NAME,
        SHUTDOWN_TIMEOUT_MS_PROP_NAME);

    private String bind = BIND_DEFAULT;
    private int ioThreads = IO_THREADS_DEFAULT;
    private int maxStreamsPerConnection = MAX_STREAMS_DEFAULT;
    private int maxConnections = MAX_CONNECTIONS_DEFAULT;
    private long partialFrameTimeoutMs = PARTIAL_FRAME_TIMEOUT_MS_DEFAULT;
    private int outboundQueueBytes = OUTBOUND_QUEUE_BYTES_DEFAULT;
    private long shutdownTimeoutMs = SHUTDOWN_TIMEOUT_MS_DEFAULT;

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
            default ->
            {
                return false;
            }
        }
        return true;
    }

    boolean isOtherSide(final String name)
    {
        return ClientContext.SETTINGS.contains(name);
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
    }
}
