package io.vshard.transport;

import java.util.Set;

/**
 * Configuration of a QUIC client ({@code io.vshard.transport.client.QuicClient}): the settings it shares with the
 * server ({@link CommonContext}) and its own, streams per connection, request timeout, send queue and reconnect
 * delays. Each {@code vshard.transport.client.*} setting starts from its {@code _DEFAULT}, then its system property;
 * {@link #apply(java.util.Properties)} reads a properties file. A node derives the context of each client it opens
 * with {@link #from(CommonContext)} and {@link #clientSettings(ClientContext)}, so nothing set on the node is lost.
 * Control plane only: build it on one thread, then hand it to the client, which concludes it on connect.
 */
public final class ClientContext extends CommonContext<ClientContext>
{
    /** Client: bidirectional streams opened per connection. */
    public static final String CLIENT_STREAMS_PROP_NAME = "vshard.transport.client.streams";

    /** Default client streams. */
    public static final int CLIENT_STREAMS_DEFAULT = 1;

    /** Client: time a request waits for its answer, in milliseconds. */
    public static final String REQUEST_TIMEOUT_MS_PROP_NAME = "vshard.transport.client.request.timeout.ms";

    /** Default request timeout: 5 s. */
    public static final long REQUEST_TIMEOUT_MS_DEFAULT = 5_000;

    /** Client: bytes of frames queued per stream between application threads and the I/O thread, a power of two. */
    public static final String CLIENT_SEND_QUEUE_BYTES_PROP_NAME = "vshard.transport.client.send.queue.bytes";

    /** Default client send queue: 1 MiB per stream. */
    public static final int CLIENT_SEND_QUEUE_BYTES_DEFAULT = 1024 * 1024;

    /** Client: first reconnect delay in milliseconds; doubles per failure. */
    public static final String RECONNECT_MIN_MS_PROP_NAME = "vshard.transport.client.reconnect.min.ms";

    /** Default first reconnect delay. */
    public static final long RECONNECT_MIN_MS_DEFAULT = 10;

    /** Client: largest reconnect delay in milliseconds. */
    public static final String RECONNECT_MAX_MS_PROP_NAME = "vshard.transport.client.reconnect.max.ms";

    /** Default largest reconnect delay. */
    public static final long RECONNECT_MAX_MS_DEFAULT = 2_000;

    /**
     * The node id the server's certificate must carry (unsigned); a server presenting another node's certificate of
     * the cluster is refused during the handshake. 0: any node of the cluster.
     */
    public static final String SERVER_NODE_ID_PROP_NAME = "vshard.transport.client.server.node.id";

    /** Default: any node of the cluster. */
    public static final long SERVER_NODE_ID_DEFAULT = 0;

    static final Set<String> SETTINGS = Set.of(CLIENT_STREAMS_PROP_NAME, REQUEST_TIMEOUT_MS_PROP_NAME,
        CLIENT_SEND_QUEUE_BYTES_PROP_NAME, RECONNECT_MIN_MS_PROP_NAME, RECONNECT_MAX_MS_PROP_NAME,
        SERVER_NODE_ID_PROP_NAME);

    private int clientStreams = CLIENT_STREAMS_DEFAULT;
    private long requestTimeoutMs = REQUEST_TIMEOUT_MS_DEFAULT;
    private int clientSendQueueBytes = CLIENT_SEND_QUEUE_BYTES_DEFAULT;
    private long reconnectMinMs = RECONNECT_MIN_MS_DEFAULT;
    private long reconnectMaxMs = RECONNECT_MAX_MS_DEFAULT;
    private long serverNodeId = SERVER_NODE_ID_DEFAULT;

    /**
     * A client context with the defaults, overridden by the {@code vshard.transport.*} system properties.
     */
    public ClientContext()
    {
        applySystemProperties();
    }

    /**
     * A client context that shares every common setting of another context (a node's server context, say): QUIC
     * windows and timeouts, UDP settings, identity, TLS material (the resolved certificate when concluded) and the
     * error handler. Its client settings start from their defaults and system properties.
     *
     * @param common the context to copy.
     * @return a new client context.
     */
    public static ClientContext from(final CommonContext<?> common)
    {
        final ClientContext ctx = new ClientContext();
        ctx.copyCommon(common);
        return ctx;
    }

    /**
     * Take the client settings (streams, request timeout, send queue, reconnect delays, server node id) of another
     * client context; the common settings stay as they are.
     *
     * @param from the context to copy them from.
     * @return this for a fluent API.
     */
    public ClientContext clientSettings(final ClientContext from)
    {
        clientStreams = from.clientStreams;
        requestTimeoutMs = from.requestTimeoutMs;
        clientSendQueueBytes = from.clientSendQueueBytes;
        reconnectMinMs = from.reconnectMinMs;
        reconnectMaxMs = from.reconnectMaxMs;
        serverNodeId = from.serverNodeId;
        return this;
    }

    /**
     * Set the client's streams per connection.
     *
     * @param clientStreams at least 1.
     * @return this for a fluent API.
     */
    public ClientContext clientStreams(final int clientStreams)
    {
        this.clientStreams = clientStreams;
        return this;
    }

    /**
     * The client's streams per connection.
     *
     * @return streams.
     */
    public int clientStreams()
    {
        return clientStreams;
    }

    /**
     * Set the request timeout.
     *
     * @param requestTimeoutMs milliseconds.
     * @return this for a fluent API.
     */
    public ClientContext requestTimeoutMs(final long requestTimeoutMs)
    {
        this.requestTimeoutMs = requestTimeoutMs;
        return this;
    }

    /**
     * The request timeout.
     *
     * @return milliseconds.
     */
    public long requestTimeoutMs()
    {
        return requestTimeoutMs;
    }

    /**
     * Set the client's send queue per stream.
     *
     * @param bytes a power of two, at least 1024.
     * @return this for a fluent API.
     */
    public ClientContext clientSendQueueBytes(final int bytes)
    {
        this.clientSendQueueBytes = bytes;
        return this;
    }

    /**
     * The client's send queue per stream.
     *
     * @return bytes.
     */
    public int clientSendQueueBytes()
    {
        return clientSendQueueBytes;
    }

    /**
     * Set the first reconnect delay.
     *
     * @param ms milliseconds.
     * @return this for a fluent API.
     */
    public ClientContext reconnectMinMs(final long ms)
    {
        this.reconnectMinMs = ms;
        return this;
    }

    /**
     * The first reconnect delay.
     *
     * @return milliseconds.
     */
    public long reconnectMinMs()
    {
        return reconnectMinMs;
    }

    /**
     * Set the largest reconnect delay.
     *
     * @param ms milliseconds, at least the first delay.
     * @return this for a fluent API.
     */
    public ClientContext reconnectMaxMs(final long ms)
    {
        this.reconnectMaxMs = ms;
        return this;
    }

    /**
     * The largest reconnect delay.
     *
     * @return milliseconds.
     */
    public long reconnectMaxMs()
    {
        return reconnectMaxMs;
    }

    /**
     * Require the server's certificate to carry this node id.
     *
     * @param serverNodeId the expected node id (unsigned), 0 for any node of the cluster.
     * @return this for a fluent API.
     */
    public ClientContext serverNodeId(final long serverNodeId)
    {
        this.serverNodeId = serverNodeId;
        return this;
    }

    /**
     * The node id the server's certificate must carry.
     *
     * @return the id, 0 for any node of the cluster.
     */
    public long serverNodeId()
    {
        return serverNodeId;
    }

    boolean applySide(final String name, final String value)
    {
        switch (name)
        {
            case CLIENT_STREAMS_PROP_NAME -> clientStreams(parseInt(name, value));
            case REQUEST_TIMEOUT_MS_PROP_NAME -> requestTimeoutMs(parseLong(name, value));
            case CLIENT_SEND_QUEUE_BYTES_PROP_NAME -> clientSendQueueBytes(parseInt(name, value));
            case RECONNECT_MIN_MS_PROP_NAME -> reconnectMinMs(parseLong(name, value));
            case RECONNECT_MAX_MS_PROP_NAME -> reconnectMaxMs(parseLong(name, value));
            case SERVER_NODE_ID_PROP_NAME -> serverNodeId(parseUnsignedLong(name, value));
            default ->
            {
                return false;
            }
        }
        return true;
    }

    void concludeSide()
    {
        requirePositive(CLIENT_STREAMS_PROP_NAME, clientStreams);
        requirePositive(REQUEST_TIMEOUT_MS_PROP_NAME, requestTimeoutMs);
        requirePowerOfTwo(CLIENT_SEND_QUEUE_BYTES_PROP_NAME, clientSendQueueBytes);
        requirePositive(RECONNECT_MIN_MS_PROP_NAME, reconnectMinMs);
        if (reconnectMaxMs < reconnectMinMs)
        {
            throw new IllegalArgumentException("must be at least " + RECONNECT_MIN_MS_PROP_NAME + "=" +
                reconnectMinMs + ": " + RECONNECT_MAX_MS_PROP_NAME + "=" + reconnectMaxMs);
        }
    }
}
