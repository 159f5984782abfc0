package io.vshard.transport;

import io.vshard.core.status.DistinctErrorLog;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.transport.tls.DevelopmentCa;
import io.vshard.transport.tls.NodeCertificate;
import org.agrona.BitUtil;
import org.agrona.ErrorHandler;

import java.nio.file.Path;
import java.util.Properties;

/**
 * What the QUIC server and client share, Aeron style (as {@code CommonContext} under {@code MediaDriver.Context} and
 * {@code Aeron.Context}): QUIC windows and timeouts, UDP sockets and batching, the node's identity and TLS material,
 * the error handler. Each setting has a {@code vshard.transport.*} property name constant, a {@code _DEFAULT}, a
 * fluent setter without a {@code set} prefix and a getter; it starts from its default, then its system property, and
 * {@link #apply(Properties)} reads a properties file through the same code. {@link #conclude()} validates once
 * ({@link IllegalArgumentException} with {@code name=value}) and resolves the TLS material.
 * <p>
 * {@link ServerContext} adds the server's settings, {@link ClientContext} the client's; a node derives the context
 * of each client it opens from its own with {@link ClientContext#from(CommonContext)}. Control plane only: build on
 * one thread, then hand it to a server or client, which concludes it.
 *
 * @param <T> the concrete context, returned by the fluent setters.
 */
public abstract class CommonContext<T extends CommonContext<T>>
{
    /** Prefix of every transport setting; an unknown name under it is refused by {@link #apply(Properties)}. */
    public static final String PROP_PREFIX = "vshard.transport.";

    /** Requested SO_RCVBUF of the UDP sockets; the kernel may cap it at {@code net.core.rmem_max}. */
    public static final String SOCKET_RCVBUF_PROP_NAME = "vshard.transport.socket.rcvbuf";

    /** Requested SO_SNDBUF of the UDP sockets; the kernel may cap it at {@code net.core.wmem_max}. */
    public static final String SOCKET_SNDBUF_PROP_NAME = "vshard.transport.socket.sndbuf";

    /** Default socket buffers: 4 MiB (the OS default of ~208 KiB drops packets on a busy loopback). */
    public static final int SOCKET_BUFFER_DEFAULT = 4 * 1024 * 1024;

    /** Largest accepted {@code frame_length}; 0 derives it from the maximum payload. */
    public static final String MAX_FRAME_LENGTH_PROP_NAME = "vshard.transport.max.frame.length";

    /** Default maximum frame length: derived from the maximum payload. */
    public static final int MAX_FRAME_LENGTH_DEFAULT = 0;

    /** Idle timeout of a connection in milliseconds (QUIC max_idle_timeout). */
    public static final String IDLE_TIMEOUT_MS_PROP_NAME = "vshard.transport.idle.timeout.ms";

    /** Default idle timeout: 30 s. */
    public static final long IDLE_TIMEOUT_MS_DEFAULT = 30_000;

    /** Time a connection has to complete its TLS handshake (server), and to connect (client), in milliseconds. */
    public static final String HANDSHAKE_TIMEOUT_MS_PROP_NAME = "vshard.transport.handshake.timeout.ms";

    /** Default handshake timeout: 5 s. */
    public static final long HANDSHAKE_TIMEOUT_MS_DEFAULT = 5_000;

    /** Flow-control window per stream in bytes (QUIC initial_max_stream_data). */
    public static final String STREAM_WINDOW_PROP_NAME = "vshard.transport.stream.window.bytes";

    /** Default stream window: 4 MiB. */
    public static final int STREAM_WINDOW_DEFAULT = 4 * 1024 * 1024;

    /** Flow-control window per connection in bytes (QUIC initial_max_data). */
    public static final String CONNECTION_WINDOW_PROP_NAME = "vshard.transport.connection.window.bytes";

    /** Default connection window: 16 MiB. */
    public static final int CONNECTION_WINDOW_DEFAULT = 16 * 1024 * 1024;

    /** Most bytes encoded into one pooled buffer before it is written to a stream. */
    public static final String WRITE_BATCH_BYTES_PROP_NAME = "vshard.transport.write.batch.bytes";

    /** Default write batch: 64 KiB. */
    public static final int WRITE_BATCH_BYTES_DEFAULT = 64 * 1024;

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
     * The largest UDP payload (QUIC packet) each end sends and receives; 0, the default, derives it from the
     * addresses: 16,383 bytes when both ends are on loopback ({@link QuicRuntime#LOOPBACK_UDP_PAYLOAD_BYTES}), else
     * 1,200 sent (quiche's default, safe on any path) and 1,500 received. Set it where the MTU is known, as the QUIC
     * codec's CPU cost is per datagram, not per byte: 1,472 for a 1,500-byte MTU over IPv4 (1,452 over IPv6), 8,972
     * for jumbo frames (a 9,000-byte MTU over IPv4).
     */
    public static final String UDP_PAYLOAD_BYTES_PROP_NAME = "vshard.transport.udp.payload.bytes";

    /** Smallest UDP payload a QUIC end may use (RFC 9000 section 14). */
    public static final int UDP_PAYLOAD_BYTES_MIN = 1200;

    /** Largest UDP payload QUIC can advertise ({@code max_udp_payload_size}, RFC 9000 section 18.2). */
    public static final int UDP_PAYLOAD_BYTES_MAX = 65_527;

    /**
     * Most UDP datagrams read in one system call ({@code recvmmsg}) with the epoll transport; 0 or 1 reads one per
     * call. Each gets the largest datagram's room ({@link QuicRuntime#receiveUdpPayloadBytes}) in one pooled read
     * buffer.
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

    /** Default: the safety net runs. */
    public static final boolean SAFETY_NET_DEFAULT = true;

    /**
     * Low-latency mode: the I/O threads poll their sockets without ever sleeping in {@code epoll_wait} (Netty's
     * {@code SelectStrategy.BUSY_WAIT}), so a datagram or a task handed to an I/O thread is picked up without a
     * wake-up. Each I/O thread then keeps a core busy all the time: for hosts with a core per I/O thread (see
     * {@code scripts/TUNING.md}), as the {@code busy-spin} lane wait strategy is for lanes. Epoll transport only.
     */
    public static final String IO_BUSY_POLL_PROP_NAME = "vshard.transport.io.busy.poll";

    /** Default: I/O threads sleep in {@code epoll_wait} when idle. */
    public static final boolean IO_BUSY_POLL_DEFAULT = false;

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

    /** Development mode: a throwaway CA in the development CA directory issues this node's certificate. */
    public static final String DEV_PROP_NAME = "vshard.transport.dev";

    /** Default: no development mode. */
    public static final boolean DEV_DEFAULT = false;

    /**
     * Directory of the development CA (a sub-directory per cluster), shared by every dev-mode node and client of the
     * user on this machine whatever their own directories; it must belong to the user and be writable by no one
     * else.
     */
    public static final String DEV_CA_DIR_PROP_NAME = "vshard.transport.dev.ca.dir";

    /** Default development CA directory: {@code $TMPDIR/vshard-dev-ca-$USER}, one per user. */
    public static final String DEV_CA_DIR_DEFAULT = DevelopmentCa.DIR_DEFAULT;

    private int socketReceiveBufferBytes = SOCKET_BUFFER_DEFAULT;
    private int socketSendBufferBytes = SOCKET_BUFFER_DEFAULT;
    private int maxFrameLength = MAX_FRAME_LENGTH_DEFAULT;
    private long idleTimeoutMs = IDLE_TIMEOUT_MS_DEFAULT;
    private long handshakeTimeoutMs = HANDSHAKE_TIMEOUT_MS_DEFAULT;
    private int streamWindowBytes = STREAM_WINDOW_DEFAULT;
    private int connectionWindowBytes = CONNECTION_WINDOW_DEFAULT;
    private int writeBatchBytes = WRITE_BATCH_BYTES_DEFAULT;
    private int udpSegments = UDP_SEGMENTS_DEFAULT;
    private int udpReceiveBatch = UDP_RECEIVE_BATCH_DEFAULT;
    private int udpPayloadBytes;
    private boolean safetyNet = SAFETY_NET_DEFAULT;
    private boolean ioBusyPoll = IO_BUSY_POLL_DEFAULT;
    private String cluster = CLUSTER_DEFAULT;
    private long nodeId = NODE_ID_DEFAULT;
    private Path tlsCertFile;
    private Path tlsKeyFile;
    private Path tlsCaFile;
    private boolean dev = DEV_DEFAULT;
    private Path devCaDir = Path.of(DEV_CA_DIR_DEFAULT);
    private NodeCertificate nodeCertificate;
    private ErrorHandler errorHandler;
    private boolean concluded;

    /**
     * Only the server and client contexts extend it; each reads the system properties once its own fields exist.
     */
    CommonContext()
    {
    }

    /**
     * Apply {@code vshard.transport.*} settings from properties, for example a properties file. A name of the other
     * side (a client setting given to a server context, say) is skipped, so one file can configure a node; a name
     * unknown to both is refused.
     *
     * @param properties to read.
     * @return this for a fluent API.
     * @throws IllegalArgumentException for an unknown name or a value that does not parse, with {@code name=value}.
     */
    public T apply(final Properties properties)
    {
        apply(properties, true);
        return self();
    }

    /**
     * Validate the settings and resolve the node certificate: the one given, else the PEM files, else in
     * development mode one issued by the development CA (with a loud warning). Idempotent.
     *
     * @return this for a fluent API.
     * @throws IllegalArgumentException for an invalid setting, {@link IllegalStateException} when no TLS material
     *                                  is configured or it does not match the configured identity.
     */
    public T conclude()
    {
        if (concluded)
        {
            return self();
        }
        concludeSide();
        requirePositive(SOCKET_RCVBUF_PROP_NAME, socketReceiveBufferBytes);
        requirePositive(SOCKET_SNDBUF_PROP_NAME, socketSendBufferBytes);
        requirePositive(IDLE_TIMEOUT_MS_PROP_NAME, idleTimeoutMs);
        requirePositive(HANDSHAKE_TIMEOUT_MS_PROP_NAME, handshakeTimeoutMs);
        requirePositive(STREAM_WINDOW_PROP_NAME, streamWindowBytes);
        requirePositive(CONNECTION_WINDOW_PROP_NAME, connectionWindowBytes);
        requirePositive(WRITE_BATCH_BYTES_PROP_NAME, writeBatchBytes);
        requireRange(UDP_SEGMENTS_PROP_NAME, udpSegments, 0, 64);
        requireRange(UDP_RECEIVE_BATCH_PROP_NAME, udpReceiveBatch, 0, 1024);
        if (0 != udpPayloadBytes &&
            (udpPayloadBytes < UDP_PAYLOAD_BYTES_MIN || udpPayloadBytes > UDP_PAYLOAD_BYTES_MAX))
        {
            throw new IllegalArgumentException("must be 0 or " + UDP_PAYLOAD_BYTES_MIN + " to " +
                UDP_PAYLOAD_BYTES_MAX + ": " + UDP_PAYLOAD_BYTES_PROP_NAME + "=" + udpPayloadBytes);
        }
        if (maxFrameLength < 0 || (0 != maxFrameLength && maxFrameLength < FrameDescriptor.MIN_FRAME_LENGTH))
        {
            throw new IllegalArgumentException("must be 0 or at least " + FrameDescriptor.MIN_FRAME_LENGTH + ": " +
                MAX_FRAME_LENGTH_PROP_NAME + "=" + maxFrameLength);
        }
        if (null == errorHandler)
        {
            errorHandler = TRANSPORT_ERRORS;
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
        return self();
    }

    /**
     * Set the requested UDP receive buffer.
     *
     * @param bytes requested SO_RCVBUF.
     * @return this for a fluent API.
     */
    public T socketReceiveBufferBytes(final int bytes)
    {
        this.socketReceiveBufferBytes = bytes;
        return self();
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
    public T socketSendBufferBytes(final int bytes)
    {
        this.socketSendBufferBytes = bytes;
        return self();
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
    public T maxFrameLength(final int maxFrameLength)
    {
        this.maxFrameLength = maxFrameLength;
        return self();
    }

    /**
     * The largest accepted {@code frame_length} as set.
     *
     * @return 0 when derived from the maximum payload.
     */
    public int maxFrameLength()
    {
        return maxFrameLength;
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
     * Set the idle timeout.
     *
     * @param idleTimeoutMs milliseconds.
     * @return this for a fluent API.
     */
    public T idleTimeoutMs(final long idleTimeoutMs)
    {
        this.idleTimeoutMs = idleTimeoutMs;
        return self();
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
    public T handshakeTimeoutMs(final long handshakeTimeoutMs)
    {
        this.handshakeTimeoutMs = handshakeTimeoutMs;
        return self();
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
     * Set the per-stream flow-control window.
     *
     * @param bytes window.
     * @return this for a fluent API.
     */
    public T streamWindowBytes(final int bytes)
    {
        this.streamWindowBytes = bytes;
        return self();
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
    public T connectionWindowBytes(final int bytes)
    {
        this.connectionWindowBytes = bytes;
        return self();
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
     * Set the most bytes per written buffer.
     *
     * @param bytes batch size.
     * @return this for a fluent API.
     */
    public T writeBatchBytes(final int bytes)
    {
        this.writeBatchBytes = bytes;
        return self();
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
     * Set the most QUIC packets per UDP segmentation-offload write (see {@link #UDP_SEGMENTS_PROP_NAME}).
     *
     * @param udpSegments 0 (off) to 64.
     * @return this for a fluent API.
     */
    public T udpSegments(final int udpSegments)
    {
        this.udpSegments = udpSegments;
        return self();
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
     * Set the largest UDP payload sent and received (see {@link #UDP_PAYLOAD_BYTES_PROP_NAME}).
     *
     * @param udpPayloadBytes 0 (derived from the addresses) or {@link #UDP_PAYLOAD_BYTES_MIN} to
     *                        {@link #UDP_PAYLOAD_BYTES_MAX}.
     * @return this for a fluent API.
     */
    public T udpPayloadBytes(final int udpPayloadBytes)
    {
        this.udpPayloadBytes = udpPayloadBytes;
        return self();
    }

    /**
     * The largest UDP payload sent and received.
     *
     * @return bytes, 0 when derived from the addresses.
     */
    public int udpPayloadBytes()
    {
        return udpPayloadBytes;
    }

    /**
     * Set the most UDP datagrams read per system call (see {@link #UDP_RECEIVE_BATCH_PROP_NAME}).
     *
     * @param udpReceiveBatch 0 or 1 (one per call) to 1024.
     * @return this for a fluent API.
     */
    public T udpReceiveBatch(final int udpReceiveBatch)
    {
        this.udpReceiveBatch = udpReceiveBatch;
        return self();
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
    public T safetyNet(final boolean safetyNet)
    {
        this.safetyNet = safetyNet;
        return self();
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
     * Turn the I/O threads' busy polling on or off (see {@link #IO_BUSY_POLL_PROP_NAME}); off by default.
     *
     * @param ioBusyPoll true to keep the I/O threads polling instead of sleeping in {@code epoll_wait}.
     * @return this for a fluent API.
     */
    public T ioBusyPoll(final boolean ioBusyPoll)
    {
        this.ioBusyPoll = ioBusyPoll;
        return self();
    }

    /**
     * Whether the I/O threads busy-poll.
     *
     * @return true in low-latency mode.
     */
    public boolean ioBusyPoll()
    {
        return ioBusyPoll;
    }

    /**
     * Set the cluster name.
     *
     * @param cluster name.
     * @return this for a fluent API.
     */
    public T cluster(final String cluster)
    {
        this.cluster = cluster;
        return self();
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
    public T nodeId(final long nodeId)
    {
        this.nodeId = nodeId;
        return self();
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
    public T tlsCertFile(final Path file)
    {
        this.tlsCertFile = file;
        return self();
    }

    /**
     * The node certificate file.
     *
     * @return the file or {@code null} when unset.
     */
    public Path tlsCertFile()
    {
        return tlsCertFile;
    }

    /**
     * Set the node key file.
     *
     * @param file PKCS#8 PEM.
     * @return this for a fluent API.
     */
    public T tlsKeyFile(final Path file)
    {
        this.tlsKeyFile = file;
        return self();
    }

    /**
     * The node key file.
     *
     * @return the file or {@code null} when unset.
     */
    public Path tlsKeyFile()
    {
        return tlsKeyFile;
    }

    /**
     * Set the cluster CA file.
     *
     * @param file PEM.
     * @return this for a fluent API.
     */
    public T tlsCaFile(final Path file)
    {
        this.tlsCaFile = file;
        return self();
    }

    /**
     * The cluster CA file.
     *
     * @return the file or {@code null} when unset.
     */
    public Path tlsCaFile()
    {
        return tlsCaFile;
    }

    /**
     * Set development mode.
     *
     * @param dev true to have the development CA issue this node's certificate.
     * @return this for a fluent API.
     */
    public T dev(final boolean dev)
    {
        this.dev = dev;
        return self();
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
     * Set the development CA directory (see {@link #DEV_CA_DIR_PROP_NAME}).
     *
     * @param devCaDir the directory; the CA lives in a sub-directory named after the cluster.
     * @return this for a fluent API.
     */
    public T devCaDir(final Path devCaDir)
    {
        this.devCaDir = devCaDir;
        return self();
    }

    /**
     * The development CA directory.
     *
     * @return the directory.
     */
    public Path devCaDir()
    {
        return devCaDir;
    }

    /**
     * Use a node certificate held in memory (embedding, tests); it takes precedence over files and dev mode.
     * Also sets the cluster and node id from it.
     *
     * @param nodeCertificate the certificate, key and CA.
     * @return this for a fluent API.
     */
    public T nodeCertificate(final NodeCertificate nodeCertificate)
    {
        this.nodeCertificate = nodeCertificate;
        this.cluster = nodeCertificate.identity().cluster();
        this.nodeId = nodeCertificate.identity().nodeId();
        return self();
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
     * Set the handler of errors caught at I/O loop boundaries.
     *
     * @param errorHandler the handler; without one, errors are logged.
     * @return this for a fluent API.
     */
    public T errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return self();
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

    /**
     * Copy every shared setting of another context, the resolved node certificate and error handler included.
     *
     * @param from the context to copy.
     */
    final void copyCommon(final CommonContext<?> from)
    {
        socketReceiveBufferBytes = from.socketReceiveBufferBytes;
        socketSendBufferBytes = from.socketSendBufferBytes;
        maxFrameLength = from.maxFrameLength;
        idleTimeoutMs = from.idleTimeoutMs;
        handshakeTimeoutMs = from.handshakeTimeoutMs;
        streamWindowBytes = from.streamWindowBytes;
        connectionWindowBytes = from.connectionWindowBytes;
        writeBatchBytes = from.writeBatchBytes;
        udpSegments = from.udpSegments;
        udpReceiveBatch = from.udpReceiveBatch;
        udpPayloadBytes = from.udpPayloadBytes;
        safetyNet = from.safetyNet;
        ioBusyPoll = from.ioBusyPoll;
        cluster = from.cluster;
        nodeId = from.nodeId;
        tlsCertFile = from.tlsCertFile;
        tlsKeyFile = from.tlsKeyFile;
        tlsCaFile = from.tlsCaFile;
        dev = from.dev;
        devCaDir = from.devCaDir;
        nodeCertificate = from.nodeCertificate;
        errorHandler = from.errorHandler;
    }

    /**
     * Read the {@code vshard.transport.*} system properties; each concrete context calls it last in its constructor,
     * once its own fields have their defaults. Names of unknown settings are left alone.
     */
    final void applySystemProperties()
    {
        apply(System.getProperties(), false);
    }

    /**
     * Apply one setting of the concrete context's own side.
     *
     * @param name  the property name.
     * @param value its value, trimmed.
     * @return true when the name is one of this side's settings.
     */
    abstract boolean applySide(String name, String value);

    /**
     * Validate the concrete context's own settings, first thing in {@link #conclude()}.
     */
    abstract void concludeSide();

    @SuppressWarnings("unchecked")
    final T self()
    {
        return (T)this;
    }

    private void apply(final Properties properties, final boolean refuseUnknown)
    {
        for (final String name : properties.stringPropertyNames())
        {
            if (!name.startsWith(PROP_PREFIX))
            {
                continue;
            }
            final String value = properties.getProperty(name).trim();
            if (!applyCommon(name, value) && !applySide(name, value) && refuseUnknown && !isSideSetting(name))
            {
                throw new IllegalArgumentException("unknown setting: " + name + "=" + value);
            }
        }
    }

    // Whether a name is a setting of either side: one of the other side (a client setting for a server context) is
    // skipped by apply(Properties), not refused.
    private static boolean isSideSetting(final String name)
    {
        return ServerContext.SETTINGS.contains(name) || ClientContext.SETTINGS.contains(name);
    }

    private boolean applyCommon(final String name, final String value)
    {
        switch (name)
        {
            case SOCKET_RCVBUF_PROP_NAME -> socketReceiveBufferBytes(parseInt(name, value));
            case SOCKET_SNDBUF_PROP_NAME -> socketSendBufferBytes(parseInt(name, value));
            case MAX_FRAME_LENGTH_PROP_NAME -> maxFrameLength(parseInt(name, value));
            case IDLE_TIMEOUT_MS_PROP_NAME -> idleTimeoutMs(parseLong(name, value));
            case HANDSHAKE_TIMEOUT_MS_PROP_NAME -> handshakeTimeoutMs(parseLong(name, value));
            case STREAM_WINDOW_PROP_NAME -> streamWindowBytes(parseInt(name, value));
            case CONNECTION_WINDOW_PROP_NAME -> connectionWindowBytes(parseInt(name, value));
            case WRITE_BATCH_BYTES_PROP_NAME -> writeBatchBytes(parseInt(name, value));
            case UDP_SEGMENTS_PROP_NAME -> udpSegments(parseInt(name, value));
            case UDP_RECEIVE_BATCH_PROP_NAME -> udpReceiveBatch(parseInt(name, value));
            case UDP_PAYLOAD_BYTES_PROP_NAME -> udpPayloadBytes(parseInt(name, value));
            case SAFETY_NET_PROP_NAME -> safetyNet(parseBoolean(name, value));
            case IO_BUSY_POLL_PROP_NAME -> ioBusyPoll(parseBoolean(name, value));
            case CLUSTER_PROP_NAME -> cluster(value);
            case NODE_ID_PROP_NAME -> nodeId(parseUnsignedLong(name, value));
            case TLS_CERT_FILE_PROP_NAME -> tlsCertFile(Path.of(value));
            case TLS_KEY_FILE_PROP_NAME -> tlsKeyFile(Path.of(value));
            case TLS_CA_FILE_PROP_NAME -> tlsCaFile(Path.of(value));
            case DEV_PROP_NAME -> dev(parseBoolean(name, value));
            case DEV_CA_DIR_PROP_NAME -> devCaDir(Path.of(value));
            default ->
            {
                return false;
            }
        }
        return true;
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
        System.getLogger("io.vshard.transport").log(System.Logger.Level.WARNING,
            "\n*****************************************************************************\n" +
            "*** DEVELOPMENT MODE: TLS uses a throwaway CA in " + devCaDir + "\n" +
            "*** generated on this machine. Certificates are still verified, but anyone\n" +
            "*** with access to that directory can join cluster '" + cluster + "'. Loopback use only.\n" +
            "*****************************************************************************");
        return DevelopmentCa.issue(devCaDir, cluster, nodeId);
    }

    private static final DistinctErrorLog TRANSPORT_ERRORS = new DistinctErrorLog("vshard transport");

    static void requirePositive(final String name, final long value)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException("must be positive: " + name + "=" + value);
        }
    }

    static void requireRange(final String name, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException("must be " + min + " to " + max + ": " + name + "=" + value);
        }
    }

    static void requirePowerOfTwo(final String name, final int value)
    {
        if (value < 1024 || !BitUtil.isPowerOfTwo(value))
        {
            throw new IllegalArgumentException("must be a power of two >= 1024: " + name + "=" + value);
        }
    }

    static int parseInt(final String name, final String value)
    {
        final long parsed = parseLong(name, value);
        if (parsed < Integer.MIN_VALUE || parsed > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("not an integer: " + name + "=" + value);
        }
        return (int)parsed;
    }

    static long parseLong(final String name, final String value)
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

    static long parseUnsignedLong(final String name, final String value)
    {
        try
        {
            return Long.parseUnsignedLong(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not an unsigned integer: " + name + "=" + value, ex);
        }
    }

    static boolean parseBoolean(final String name, final String value)
    {
        if ("true".equalsIgnoreCase(value))
        {
            return true;
        }
        if ("false".equalsIgnoreCase(value))
        {
            return false;
        }
        throw new IllegalArgumentException("not true or false: " + name + "=" + value);
    }
}
