package io.vshard.transport;

import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.pipeline.Configuration;
import io.vshard.transport.tls.CertificateAuthority;
import io.vshard.transport.tls.NodeCertificate;
import org.agrona.BitUtil;
import org.agrona.ErrorHandler;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Configuration of the QUIC transport, server and client, Aeron style: each setting starts from its
 * {@code vshard.transport.*} system property or {@code _DEFAULT}, has a fluent setter without a {@code set} prefix,
 * and {@link #conclude()} validates once and resolves the node's TLS material. Control plane only: build it on one
 * thread, then hand it to a server or client, which concludes it.
 */
public final class TransportContext
{
    /** Address the server binds, {@code host:port}. */
    public static final String BIND_PROP_NAME = "vshard.transport.bind";

    /** Default bind address. */
    public static final String BIND_DEFAULT = "0.0.0.0:7420";

    /** Number of I/O threads (event loops); the server binds one UDP socket per thread with SO_REUSEPORT. */
    public static final String IO_THREADS_PROP_NAME = "vshard.transport.io.threads";

    /** Default I/O threads. */
    public static final int IO_THREADS_DEFAULT = 1;

    /** Requested SO_RCVBUF of the UDP sockets; the kernel may cap it at {@code net.core.rmem_max}. */
    public static final String SOCKET_RCVBUF_PROP_NAME = "vshard.transport.socket.rcvbuf";

    /** Requested SO_SNDBUF of the UDP sockets; the kernel may cap it at {@code net.core.wmem_max}. */
    public static final String SOCKET_SNDBUF_PROP_NAME = "vshard.transport.socket.sndbuf";

    /** Default socket buffers: 4 MiB (the OS default of ~208 KiB drops packets on a busy loopback). */
    public static final int SOCKET_BUFFER_DEFAULT = 4 * 1024 * 1024;

    /** Largest accepted {@code frame_length}; 0 derives it from the pipeline's maximum payload. */
    public static final String MAX_FRAME_LENGTH_PROP_NAME = "vshard.transport.max.frame.length";

    /** Default maximum frame length: derived from the maximum payload. */
    public static final int MAX_FRAME_LENGTH_DEFAULT = 0;

    /** Bidirectional streams a peer may open per connection (QUIC initial_max_streams_bidi). */
    public static final String MAX_STREAMS_PROP_NAME = "vshard.transport.max.streams.per.connection";

    /** Default streams per connection. */
    public static final int MAX_STREAMS_DEFAULT = 64;

    /** Connections the server holds at most; more are closed at once. */
    public static final String MAX_CONNECTIONS_PROP_NAME = "vshard.transport.max.connections";

    /** Default maximum connections. */
    public static final int MAX_CONNECTIONS_DEFAULT = 1024;

    /** Idle timeout of a connection in milliseconds (QUIC max_idle_timeout). */
    public static final String IDLE_TIMEOUT_MS_PROP_NAME = "vshard.transport.idle.timeout.ms";

    /** Default idle timeout: 30 s. */
    public static final long IDLE_TIMEOUT_MS_DEFAULT = 30_000;

    /** Time a connection has to complete its TLS handshake, in milliseconds. */
    public static final String HANDSHAKE_TIMEOUT_MS_PROP_NAME = "vshard.transport.handshake.timeout.ms";

    /** Default handshake timeout: 5 s. */
    public static final long HANDSHAKE_TIMEOUT_MS_DEFAULT = 5_000;

    /**
     * Time a server stream may hold part of a frame without completing it, in milliseconds; the stream is then reset
     * with {@code PARTIAL_FRAME_TIMEOUT} and the bytes held are freed. A stream the server itself holds back (lane
     * full, answers not taken) is exempt while held.
     */
    public static final String PARTIAL_FRAME_TIMEOUT_MS_PROP_NAME = "vshard.transport.partial.frame.timeout.ms";

    /** Default partial-frame timeout: 10 s. */
    public static final long PARTIAL_FRAME_TIMEOUT_MS_DEFAULT = 10_000;

    /** Flow-control window per stream in bytes (QUIC initial_max_stream_data). */
    public static final String STREAM_WINDOW_PROP_NAME = "vshard.transport.stream.window.bytes";

    /** Default stream window: 4 MiB. */
    public static final int STREAM_WINDOW_DEFAULT = 4 * 1024 * 1024;

    /** Flow-control window per connection in bytes (QUIC initial_max_data). */
    public static final String CONNECTION_WINDOW_PROP_NAME = "vshard.transport.connection.window.bytes";

    /** Default connection window: 16 MiB. */
    public static final int CONNECTION_WINDOW_DEFAULT = 16 * 1024 * 1024;

    /** Capacity of each I/O thread's reply queue in bytes, a power of two. */
    public static final String OUTBOUND_QUEUE_BYTES_PROP_NAME = "vshard.transport.outbound.queue.bytes";

    /** Default reply queue capacity: as the pipeline's default. */
    public static final int OUTBOUND_QUEUE_BYTES_DEFAULT = Configuration.OUTBOUND_QUEUE_BYTES_DEFAULT;

    /** Most bytes encoded into one pooled buffer before it is written to a stream. */
    public static final String WRITE_BATCH_BYTES_PROP_NAME = "vshard.transport.write.batch.bytes";

    /** Default write batch: 64 KiB. */
    public static final int WRITE_BATCH_BYTES_DEFAULT = 64 * 1024;

    /** Time allowed for a graceful server close to flush replies before connections are closed, in ms. */
    public static final String SHUTDOWN_TIMEOUT_MS_PROP_NAME = "vshard.transport.shutdown.timeout.ms";

    /** Default shutdown flush time: 5 s. */
    public static final long SHUTDOWN_TIMEOUT_MS_DEFAULT = 5_000;

    /** Cluster name, the {@code <cluster>} of node identities. */
    public static final String CLUSTER_PROP_NAME = "vshard.transport.cluster";

    /** Default cluster name. */
    public static final String CLUSTER_DEFAULT = "vshard";

    /** This node's id; must match its certificate. */
    public static final String NODE_ID_PROP_NAME = "vshard.transport.node.id";

    /** Default node id. */
    public static final long NODE_ID_DEFAULT = 1;

    /** PEM file of this node's certificate. */
    public static final String TLS_CERT_FILE_PROP_NAME = "vshard.transport.tls.cert.file";

    /** PEM file of this node's PKCS#8 private key. */
    public static final String TLS_KEY_FILE_PROP_NAME = "vshard.transport.tls.key.file";

    /** PEM file of the cluster CA certificate. */
    public static final String TLS_CA_FILE_PROP_NAME = "vshard.transport.tls.ca.file";

    /**
     * Most QUIC packets sent in one UDP segmentation-offload (GSO) write; 0 sends each packet as its own datagram.
     * Used with the epoll transport only.
     */
    public static final String UDP_SEGMENTS_PROP_NAME = "vshard.transport.udp.segments";

    /**
     * Default segments per write: measured on loopback (2 cores), request/reply took 25-35% less CPU per round trip
     * than with one datagram per packet.
     */
    public static final int UDP_SEGMENTS_DEFAULT = 16;

    /**
     * Most UDP datagrams read in one system call ({@code recvmmsg}) with the epoll transport; 0 or 1 reads one per
     * call. Each gets {@link QuicRuntime#MAX_UDP_PAYLOAD_BYTES} of one pooled read buffer.
     */
    public static final String UDP_RECEIVE_BATCH_PROP_NAME = "vshard.transport.udp.receive.batch";

    /**
     * Default datagrams per read: measured on loopback (2 cores), fire-and-forget 64 B envelopes took 20% less CPU
     * per envelope than with one datagram per {@code recvmsg}.
     */
    public static final int UDP_RECEIVE_BATCH_DEFAULT = 32;

    /**
     * The periodic re-checks that back up event-driven progress (a client retries its send queue every 10 ms, a
     * server retries its paused streams every 50 ms). Progress never waits for them in normal operation; turning
     * them off (tests, diagnostics) shows it. Request timeouts run either way.
     */
    public static final String SAFETY_NET_PROP_NAME = "vshard.transport.safety.net";

    /** Development mode: a throwaway CA and node certificate are generated (or reused) in the dev directory. */
    public static final String DEV_PROP_NAME = "vshard.transport.dev";

    /** Directory of the development CA; nodes of one loopback cluster share it. */
    public static final String DEV_DIR_PROP_NAME = "vshard.transport.dev.dir";

    /** Default development CA directory. */
    public static final String DEV_DIR_DEFAULT =
        Path.of(System.getProperty("java.io.tmpdir"), "vshard-dev-ca").toString();

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

    private String bind = System.getProperty(BIND_PROP_NAME, BIND_DEFAULT);
    private int ioThreads = intProperty(IO_THREADS_PROP_NAME, IO_THREADS_DEFAULT);
    private int socketReceiveBufferBytes = intProperty(SOCKET_RCVBUF_PROP_NAME, SOCKET_BUFFER_DEFAULT);
    private int socketSendBufferBytes = intProperty(SOCKET_SNDBUF_PROP_NAME, SOCKET_BUFFER_DEFAULT);
    private int maxFrameLength = intProperty(MAX_FRAME_LENGTH_PROP_NAME, MAX_FRAME_LENGTH_DEFAULT);
    private int maxStreamsPerConnection = intProperty(MAX_STREAMS_PROP_NAME, MAX_STREAMS_DEFAULT);
    private int maxConnections = intProperty(MAX_CONNECTIONS_PROP_NAME, MAX_CONNECTIONS_DEFAULT);
    private long idleTimeoutMs = longProperty(IDLE_TIMEOUT_MS_PROP_NAME, IDLE_TIMEOUT_MS_DEFAULT);
    private long handshakeTimeoutMs = longProperty(HANDSHAKE_TIMEOUT_MS_PROP_NAME, HANDSHAKE_TIMEOUT_MS_DEFAULT);
    private long partialFrameTimeoutMs =
        longProperty(PARTIAL_FRAME_TIMEOUT_MS_PROP_NAME, PARTIAL_FRAME_TIMEOUT_MS_DEFAULT);
    private int streamWindowBytes = intProperty(STREAM_WINDOW_PROP_NAME, STREAM_WINDOW_DEFAULT);
    private int connectionWindowBytes = intProperty(CONNECTION_WINDOW_PROP_NAME, CONNECTION_WINDOW_DEFAULT);
    private int outboundQueueBytes = intProperty(OUTBOUND_QUEUE_BYTES_PROP_NAME, OUTBOUND_QUEUE_BYTES_DEFAULT);
    private int writeBatchBytes = intProperty(WRITE_BATCH_BYTES_PROP_NAME, WRITE_BATCH_BYTES_DEFAULT);
    private long shutdownTimeoutMs = longProperty(SHUTDOWN_TIMEOUT_MS_PROP_NAME, SHUTDOWN_TIMEOUT_MS_DEFAULT);
    private String cluster = System.getProperty(CLUSTER_PROP_NAME, CLUSTER_DEFAULT);
    private long nodeId = longProperty(NODE_ID_PROP_NAME, NODE_ID_DEFAULT);
    private Path tlsCertFile = pathProperty(TLS_CERT_FILE_PROP_NAME);
    private Path tlsKeyFile = pathProperty(TLS_KEY_FILE_PROP_NAME);
    private Path tlsCaFile = pathProperty(TLS_CA_FILE_PROP_NAME);
    private boolean dev = Boolean.getBoolean(DEV_PROP_NAME);
    private int udpSegments = intProperty(UDP_SEGMENTS_PROP_NAME, UDP_SEGMENTS_DEFAULT);
    private int udpReceiveBatch = intProperty(UDP_RECEIVE_BATCH_PROP_NAME, UDP_RECEIVE_BATCH_DEFAULT);
    private boolean safetyNet = !"false".equals(System.getProperty(SAFETY_NET_PROP_NAME));
    private Path devDir = Path.of(System.getProperty(DEV_DIR_PROP_NAME, DEV_DIR_DEFAULT));
    private int clientStreams = intProperty(CLIENT_STREAMS_PROP_NAME, CLIENT_STREAMS_DEFAULT);
    private long requestTimeoutMs = longProperty(REQUEST_TIMEOUT_MS_PROP_NAME, REQUEST_TIMEOUT_MS_DEFAULT);
    private int clientSendQueueBytes = intProperty(CLIENT_SEND_QUEUE_BYTES_PROP_NAME, CLIENT_SEND_QUEUE_BYTES_DEFAULT);
    private long reconnectMinMs = longProperty(RECONNECT_MIN_MS_PROP_NAME, RECONNECT_MIN_MS_DEFAULT);
    private long reconnectMaxMs = longProperty(RECONNECT_MAX_MS_PROP_NAME, RECONNECT_MAX_MS_DEFAULT);
    private NodeCertificate nodeCertificate;
    private ErrorHandler errorHandler;
    private boolean concluded;

    /**
     * Apply {@code vshard.transport.*} settings from properties; unknown names under that prefix are refused.
     *
     * @param properties to read.
     * @return this for a fluent API.
     */
    public TransportContext apply(final Properties properties)
    {
        for (final String key : properties.stringPropertyNames())
        {
            final String value = properties.getProperty(key).trim();
            switch (key)
            {
                case BIND_PROP_NAME -> bind(value);
                case IO_THREADS_PROP_NAME -> ioThreads(parseInt(key, value));
                case SOCKET_RCVBUF_PROP_NAME -> socketReceiveBufferBytes(parseInt(key, value));
                case SOCKET_SNDBUF_PROP_NAME -> socketSendBufferBytes(parseInt(key, value));
                case MAX_FRAME_LENGTH_PROP_NAME -> maxFrameLength(parseInt(key, value));
                case MAX_STREAMS_PROP_NAME -> maxStreamsPerConnection(parseInt(key, value));
                case MAX_CONNECTIONS_PROP_NAME -> maxConnections(parseInt(key, value));
                case IDLE_TIMEOUT_MS_PROP_NAME -> idleTimeoutMs(parseLong(key, value));
                case HANDSHAKE_TIMEOUT_MS_PROP_NAME -> handshakeTimeoutMs(parseLong(key, value));
                case PARTIAL_FRAME_TIMEOUT_MS_PROP_NAME -> partialFrameTimeoutMs(parseLong(key, value));
                case STREAM_WINDOW_PROP_NAME -> streamWindowBytes(parseInt(key, value));
                case CONNECTION_WINDOW_PROP_NAME -> connectionWindowBytes(parseInt(key, value));
                case OUTBOUND_QUEUE_BYTES_PROP_NAME -> outboundQueueBytes(parseInt(key, value));
                case WRITE_BATCH_BYTES_PROP_NAME -> writeBatchBytes(parseInt(key, value));
                case SHUTDOWN_TIMEOUT_MS_PROP_NAME -> shutdownTimeoutMs(parseLong(key, value));
                case CLUSTER_PROP_NAME -> cluster(value);
                case NODE_ID_PROP_NAME -> nodeId(Long.parseUnsignedLong(value));
                case TLS_CERT_FILE_PROP_NAME -> tlsCertFile(Path.of(value));
                case TLS_KEY_FILE_PROP_NAME -> tlsKeyFile(Path.of(value));
                case TLS_CA_FILE_PROP_NAME -> tlsCaFile(Path.of(value));
                case DEV_PROP_NAME -> dev(Boolean.parseBoolean(value));
                case SAFETY_NET_PROP_NAME -> safetyNet(Boolean.parseBoolean(value));
                case UDP_SEGMENTS_PROP_NAME -> udpSegments(parseInt(key, value));
                case UDP_RECEIVE_BATCH_PROP_NAME -> udpReceiveBatch(parseInt(key, value));
                case DEV_DIR_PROP_NAME -> devDir(Path.of(value));
                case CLIENT_STREAMS_PROP_NAME -> clientStreams(parseInt(key, value));
                case REQUEST_TIMEOUT_MS_PROP_NAME -> requestTimeoutMs(parseLong(key, value));
                case CLIENT_SEND_QUEUE_BYTES_PROP_NAME -> clientSendQueueBytes(parseInt(key, value));
                case RECONNECT_MIN_MS_PROP_NAME -> reconnectMinMs(parseLong(key, value));
                case RECONNECT_MAX_MS_PROP_NAME -> reconnectMaxMs(parseLong(key, value));
                default ->
                {
                    if (key.startsWith("vshard.transport."))
                    {
                        throw new IllegalArgumentException("unknown setting: " + key + "=" + value);
                    }
                }
            }
        }
        return this;
    }

    /**
     * Validate the settings and resolve the node certificate: the one given, else the PEM files, else in
     * development mode one issued by the development CA (with a loud warning). Idempotent.
     *
     * @return this for a fluent API.
     * @throws IllegalArgumentException for an invalid setting, {@link IllegalStateException} when no TLS material
     *                                  is configured.
     */
    public TransportContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        requirePositive(IO_THREADS_PROP_NAME, ioThreads);
        requirePositive(SOCKET_RCVBUF_PROP_NAME, socketReceiveBufferBytes);
        requirePositive(SOCKET_SNDBUF_PROP_NAME, socketSendBufferBytes);
        requirePositive(MAX_STREAMS_PROP_NAME, maxStreamsPerConnection);
        requirePositive(MAX_CONNECTIONS_PROP_NAME, maxConnections);
        requirePositive(IDLE_TIMEOUT_MS_PROP_NAME, idleTimeoutMs);
        requirePositive(HANDSHAKE_TIMEOUT_MS_PROP_NAME, handshakeTimeoutMs);
        requirePositive(PARTIAL_FRAME_TIMEOUT_MS_PROP_NAME, partialFrameTimeoutMs);
        requirePositive(STREAM_WINDOW_PROP_NAME, streamWindowBytes);
        requirePositive(CONNECTION_WINDOW_PROP_NAME, connectionWindowBytes);
        requirePositive(WRITE_BATCH_BYTES_PROP_NAME, writeBatchBytes);
        if (udpSegments < 0 || udpSegments > 64)
        {
            throw new IllegalArgumentException(UDP_SEGMENTS_PROP_NAME + " must be 0 to 64: " + udpSegments);
        }
        if (udpReceiveBatch < 0 || udpReceiveBatch > 1024)
        {
            throw new IllegalArgumentException(
                UDP_RECEIVE_BATCH_PROP_NAME + " must be 0 to 1024: " + udpReceiveBatch);
        }
        requirePositive(SHUTDOWN_TIMEOUT_MS_PROP_NAME, shutdownTimeoutMs);
        requirePositive(CLIENT_STREAMS_PROP_NAME, clientStreams);
        requirePositive(REQUEST_TIMEOUT_MS_PROP_NAME, requestTimeoutMs);
        requirePositive(RECONNECT_MIN_MS_PROP_NAME, reconnectMinMs);
        if (reconnectMaxMs < reconnectMinMs)
        {
            throw new IllegalArgumentException("reconnect max below min: " + RECONNECT_MAX_MS_PROP_NAME + "=" +
                reconnectMaxMs);
        }
        if (maxFrameLength < 0 || (0 != maxFrameLength && maxFrameLength < FrameDescriptor.MIN_FRAME_LENGTH))
        {
            throw new IllegalArgumentException("invalid " + MAX_FRAME_LENGTH_PROP_NAME + "=" + maxFrameLength);
        }
        requirePowerOfTwo(OUTBOUND_QUEUE_BYTES_PROP_NAME, outboundQueueBytes);
        requirePowerOfTwo(CLIENT_SEND_QUEUE_BYTES_PROP_NAME, clientSendQueueBytes);
        bindAddress();
        if (null == errorHandler)
        {
            errorHandler = TransportContext::printError;
        }
        if (null == nodeCertificate)
        {
            nodeCertificate = resolveCertificate();
        }
        if (nodeCertificate.identity().nodeId() != nodeId || !nodeCertificate.identity().cluster().equals(cluster))
        {
            throw new IllegalStateException("certificate identity " + nodeCertificate.identity().uri() +
                " differs from configured " + CLUSTER_PROP_NAME + "=" + cluster + " " + NODE_ID_PROP_NAME + "=" +
                Long.toUnsignedString(nodeId));
        }
        concluded = true;
        return this;
    }

    private NodeCertificate resolveCertificate()
    {
        if (null != tlsCertFile || null != tlsKeyFile || null != tlsCaFile)
        {
            if (null == tlsCertFile || null == tlsKeyFile || null == tlsCaFile)
            {
                throw new IllegalStateException("set all of " + TLS_CERT_FILE_PROP_NAME + ", " +
                    TLS_KEY_FILE_PROP_NAME + " and " + TLS_CA_FILE_PROP_NAME);
            }
            return NodeCertificate.load(tlsCertFile, tlsKeyFile, tlsCaFile);
        }
        if (!dev)
        {
            throw new IllegalStateException("no TLS material: set " + TLS_CERT_FILE_PROP_NAME + ", " +
                TLS_KEY_FILE_PROP_NAME + " and " + TLS_CA_FILE_PROP_NAME + ", or " + DEV_PROP_NAME + "=true");
        }
        final System.Logger log = System.getLogger("io.vshard.transport");
        log.log(System.Logger.Level.WARNING,
            "\n*****************************************************************************\n" +
            "*** DEVELOPMENT MODE: TLS uses a throwaway CA in " + devDir + "\n" +
            "*** generated on this machine. Certificates are still verified, but anyone\n" +
            "*** with access to that directory can join cluster '" + cluster + "'. Loopback use only.\n" +
            "*****************************************************************************");
        return CertificateAuthority.loadOrCreate(devDir.resolve(cluster), cluster).issue(nodeId);
    }

    /**
     * Set the bind address.
     *
     * @param bind {@code host:port}; port 0 picks a free port.
     * @return this for a fluent API.
     */
    public TransportContext bind(final String bind)
    {
        this.bind = bind;
        return this;
    }

    /**
     * The bind address, parsed.
     *
     * @return the socket address.
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
    public TransportContext ioThreads(final int ioThreads)
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
     * Set the requested UDP receive buffer.
     *
     * @param bytes requested SO_RCVBUF.
     * @return this for a fluent API.
     */
    public TransportContext socketReceiveBufferBytes(final int bytes)
    {
        this.socketReceiveBufferBytes = bytes;
        return this;
    }

    /**
     * The requested UDP receive buffer.
     *
     * @return bytes.
     */
    public int socketReceiveBufferBytes()
    {
        return socketReceiveBufferBytes;
    }

    /**
     * Set the requested UDP send buffer.
     *
     * @param bytes requested SO_SNDBUF.
     * @return this for a fluent API.
     */
    public TransportContext socketSendBufferBytes(final int bytes)
    {
        this.socketSendBufferBytes = bytes;
        return this;
    }

    /**
     * The requested UDP send buffer.
     *
     * @return bytes.
     */
    public int socketSendBufferBytes()
    {
        return socketSendBufferBytes;
    }

    /**
     * Set the largest accepted {@code frame_length}.
     *
     * @param maxFrameLength 0 to derive it from the maximum payload.
     * @return this for a fluent API.
     */
    public TransportContext maxFrameLength(final int maxFrameLength)
    {
        this.maxFrameLength = maxFrameLength;
        return this;
    }

    /**
     * The largest accepted {@code frame_length} for a maximum payload.
     *
     * @param maxPayloadLength the pipeline's maximum payload, used when no explicit maximum is set.
     * @return the maximum {@code frame_length} field value.
     */
    public int maxFrameLengthField(final int maxPayloadLength)
    {
        return 0 != maxFrameLength ? maxFrameLength : FrameDescriptor.maxFrameLengthField(maxPayloadLength);
    }

    /**
     * Set the streams a peer may open per connection.
     *
     * @param maxStreams at least 1.
     * @return this for a fluent API.
     */
    public TransportContext maxStreamsPerConnection(final int maxStreams)
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
    public TransportContext maxConnections(final int maxConnections)
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
     * Set the idle timeout.
     *
     * @param idleTimeoutMs milliseconds.
     * @return this for a fluent API.
     */
    public TransportContext idleTimeoutMs(final long idleTimeoutMs)
    {
        this.idleTimeoutMs = idleTimeoutMs;
        return this;
    }

    /**
     * The idle timeout.
     *
     * @return milliseconds.
     */
    public long idleTimeoutMs()
    {
        return idleTimeoutMs;
    }

    /**
     * Set the handshake timeout.
     *
     * @param handshakeTimeoutMs milliseconds.
     * @return this for a fluent API.
     */
    public TransportContext handshakeTimeoutMs(final long handshakeTimeoutMs)
    {
        this.handshakeTimeoutMs = handshakeTimeoutMs;
        return this;
    }

    /**
     * The handshake timeout.
     *
     * @return milliseconds.
     */
    public long handshakeTimeoutMs()
    {
        return handshakeTimeoutMs;
    }

    /**
     * Set the partial-frame timeout of server streams.
     *
     * @param partialFrameTimeoutMs milliseconds.
     * @return this for a fluent API.
     */
    public TransportContext partialFrameTimeoutMs(final long partialFrameTimeoutMs)
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
     * Set the per-stream flow-control window.
     *
     * @param bytes window.
     * @return this for a fluent API.
     */
    public TransportContext streamWindowBytes(final int bytes)
    {
        this.streamWindowBytes = bytes;
        return this;
    }

    /**
     * The per-stream flow-control window.
     *
     * @return bytes.
     */
    public int streamWindowBytes()
    {
        return streamWindowBytes;
    }

    /**
     * Set the per-connection flow-control window.
     *
     * @param bytes window.
     * @return this for a fluent API.
     */
    public TransportContext connectionWindowBytes(final int bytes)
    {
        this.connectionWindowBytes = bytes;
        return this;
    }

    /**
     * The per-connection flow-control window.
     *
     * @return bytes.
     */
    public int connectionWindowBytes()
    {
        return connectionWindowBytes;
    }

    /**
     * Set the reply queue capacity per I/O thread.
     *
     * @param bytes a power of two, at least 1024.
     * @return this for a fluent API.
     */
    public TransportContext outboundQueueBytes(final int bytes)
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
     * Set the most bytes per written buffer.
     *
     * @param bytes batch size.
     * @return this for a fluent API.
     */
    public TransportContext writeBatchBytes(final int bytes)
    {
        this.writeBatchBytes = bytes;
        return this;
    }

    /**
     * The most bytes per written buffer.
     *
     * @return bytes.
     */
    public int writeBatchBytes()
    {
        return writeBatchBytes;
    }

    /**
     * Set the time a graceful close may spend flushing.
     *
     * @param shutdownTimeoutMs milliseconds.
     * @return this for a fluent API.
     */
    public TransportContext shutdownTimeoutMs(final long shutdownTimeoutMs)
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
     * Set the cluster name.
     *
     * @param cluster name.
     * @return this for a fluent API.
     */
    public TransportContext cluster(final String cluster)
    {
        this.cluster = cluster;
        return this;
    }

    /**
     * The cluster name.
     *
     * @return the name.
     */
    public String cluster()
    {
        return cluster;
    }

    /**
     * Set this node's id.
     *
     * @param nodeId unsigned id.
     * @return this for a fluent API.
     */
    public TransportContext nodeId(final long nodeId)
    {
        this.nodeId = nodeId;
        return this;
    }

    /**
     * This node's id.
     *
     * @return the id.
     */
    public long nodeId()
    {
        return nodeId;
    }

    /**
     * Set the node certificate file.
     *
     * @param file PEM.
     * @return this for a fluent API.
     */
    public TransportContext tlsCertFile(final Path file)
    {
        this.tlsCertFile = file;
        return this;
    }

    /**
     * Set the node key file.
     *
     * @param file PKCS#8 PEM.
     * @return this for a fluent API.
     */
    public TransportContext tlsKeyFile(final Path file)
    {
        this.tlsKeyFile = file;
        return this;
    }

    /**
     * Set the cluster CA file.
     *
     * @param file PEM.
     * @return this for a fluent API.
     */
    public TransportContext tlsCaFile(final Path file)
    {
        this.tlsCaFile = file;
        return this;
    }

    /**
     * Use a node certificate held in memory (embedding, tests); it takes precedence over files and dev mode.
     * Also sets the cluster and node id from it.
     *
     * @param nodeCertificate the certificate, key and CA.
     * @return this for a fluent API.
     */
    public TransportContext nodeCertificate(final NodeCertificate nodeCertificate)
    {
        this.nodeCertificate = nodeCertificate;
        this.cluster = nodeCertificate.identity().cluster();
        this.nodeId = nodeCertificate.identity().nodeId();
        return this;
    }

    /**
     * The node certificate, resolved by {@link #conclude()}.
     *
     * @return the certificate or {@code null} before conclude.
     */
    public NodeCertificate nodeCertificate()
    {
        return nodeCertificate;
    }

    /**
     * Set development mode.
     *
     * @param dev true to generate throwaway certificates.
     * @return this for a fluent API.
     */
    public TransportContext dev(final boolean dev)
    {
        this.dev = dev;
        return this;
    }

    /**
     * Set the most QUIC packets per UDP segmentation-offload write (see {@link #UDP_SEGMENTS_PROP_NAME}).
     *
     * @param udpSegments 0 (off) to 64.
     * @return this for a fluent API.
     */
    public TransportContext udpSegments(final int udpSegments)
    {
        this.udpSegments = udpSegments;
        return this;
    }

    /**
     * The most QUIC packets per UDP segmentation-offload write.
     *
     * @return 0 when off.
     */
    public int udpSegments()
    {
        return udpSegments;
    }

    /**
     * Set the most UDP datagrams read per system call (see {@link #UDP_RECEIVE_BATCH_PROP_NAME}).
     *
     * @param udpReceiveBatch 0 or 1 (one per call) to 1024.
     * @return this for a fluent API.
     */
    public TransportContext udpReceiveBatch(final int udpReceiveBatch)
    {
        this.udpReceiveBatch = udpReceiveBatch;
        return this;
    }

    /**
     * The most UDP datagrams read per system call.
     *
     * @return 0 or 1 when each read takes one.
     */
    public int udpReceiveBatch()
    {
        return udpReceiveBatch;
    }

    /**
     * Turn the periodic safety-net re-checks on or off (see {@link #SAFETY_NET_PROP_NAME}); on by default.
     *
     * @param safetyNet false to rely on events alone (tests and diagnostics).
     * @return this for a fluent API.
     */
    public TransportContext safetyNet(final boolean safetyNet)
    {
        this.safetyNet = safetyNet;
        return this;
    }

    /**
     * Whether the periodic safety-net re-checks run.
     *
     * @return true unless turned off.
     */
    public boolean safetyNet()
    {
        return safetyNet;
    }

    /**
     * Whether development mode is on.
     *
     * @return true in development mode.
     */
    public boolean dev()
    {
        return dev;
    }

    /**
     * Set the development CA directory.
     *
     * @param devDir the directory; the CA lives in a sub-directory named after the cluster.
     * @return this for a fluent API.
     */
    public TransportContext devDir(final Path devDir)
    {
        this.devDir = devDir;
        return this;
    }

    /**
     * Set the client's streams per connection.
     *
     * @param clientStreams at least 1.
     * @return this for a fluent API.
     */
    public TransportContext clientStreams(final int clientStreams)
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
    public TransportContext requestTimeoutMs(final long requestTimeoutMs)
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
     * @param bytes a power of two.
     * @return this for a fluent API.
     */
    public TransportContext clientSendQueueBytes(final int bytes)
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
    public TransportContext reconnectMinMs(final long ms)
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
     * @param ms milliseconds.
     * @return this for a fluent API.
     */
    public TransportContext reconnectMaxMs(final long ms)
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
     * Set the handler of errors caught at I/O loop boundaries.
     *
     * @param errorHandler the handler; the server defaults to its pipeline's.
     * @return this for a fluent API.
     */
    public TransportContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    /**
     * The error handler.
     *
     * @return the handler, or {@code null} before {@link #conclude()} when none was set.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    private static void printError(final Throwable ex)
    {
        System.getLogger("io.vshard.transport").log(System.Logger.Level.ERROR, "transport error", ex);
    }

    private static void requirePositive(final String name, final long value)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException("must be positive: " + name + "=" + value);
        }
    }

    private static void requirePowerOfTwo(final String name, final int value)
    {
        if (value < 1024 || !BitUtil.isPowerOfTwo(value))
        {
            throw new IllegalArgumentException("must be a power of two >= 1024: " + name + "=" + value);
        }
    }

    private static int intProperty(final String name, final int defaultValue)
    {
        final String value = System.getProperty(name);
        return null == value ? defaultValue : parseInt(name, value);
    }

    private static long longProperty(final String name, final long defaultValue)
    {
        final String value = System.getProperty(name);
        return null == value ? defaultValue : parseLong(name, value);
    }

    private static Path pathProperty(final String name)
    {
        final String value = System.getProperty(name);
        return null == value ? null : Path.of(value);
    }

    private static int parseInt(final String name, final String value)
    {
        try
        {
            return Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not an integer: " + name + "=" + value, ex);
        }
    }

    private static long parseLong(final String name, final String value)
    {
        try
        {
            return Long.parseLong(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not an integer: " + name + "=" + value, ex);
        }
    }
}
