package io.vshard.transport;

import io.vshard.transport.tls.CertificateAuthority;
import io.vshard.transport.tls.NodeCertificate;
import org.agrona.ErrorHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContextTest
{
    private static final CertificateAuthority CA = CertificateAuthority.create("ctx", Duration.ofDays(1));

    @TempDir
    Path dir;

    @Test
    void shouldStartFromDefaults()
    {
        final ServerContext server = new ServerContext();
        assertThat(server.bind()).isEqualTo(ServerContext.BIND_DEFAULT).isEqualTo("0.0.0.0:7420");
        assertThat(server.ioThreads()).isEqualTo(1);
        assertThat(server.maxStreamsPerConnection()).isEqualTo(64);
        assertThat(server.maxConnections()).isEqualTo(1024);
        assertThat(server.partialFrameTimeoutMs()).isEqualTo(10_000);
        assertThat(server.outboundQueueBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(server.shutdownTimeoutMs()).isEqualTo(5_000);
        assertThat(server.socketReceiveBufferBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(server.socketSendBufferBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(server.maxFrameLength()).isZero();
        assertThat(server.idleTimeoutMs()).isEqualTo(30_000);
        assertThat(server.handshakeTimeoutMs()).isEqualTo(5_000);
        assertThat(server.streamWindowBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(server.connectionWindowBytes()).isEqualTo(16 * 1024 * 1024);
        assertThat(server.writeBatchBytes()).isEqualTo(65536);
        assertThat(server.udpSegments()).isEqualTo(16);
        assertThat(server.udpReceiveBatch()).isEqualTo(32);
        assertThat(server.udpPayloadBytes()).isZero();
        assertThat(server.ioBusyPoll()).isFalse();
        assertThat(server.safetyNet()).isTrue();
        assertThat(server.cluster()).isEqualTo("vshard");
        assertThat(server.nodeId()).isEqualTo(1);
        assertThat(server.tlsCertFile()).isNull();
        assertThat(server.dev()).isFalse();
        assertThat(server.devCaDir()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"),
            "vshard-dev-ca-" + System.getProperty("user.name")));

        final ClientContext client = new ClientContext();
        assertThat(client.clientStreams()).isEqualTo(1);
        assertThat(client.requestTimeoutMs()).isEqualTo(5_000);
        assertThat(client.clientSendQueueBytes()).isEqualTo(1024 * 1024);
        assertThat(client.reconnectMinMs()).isEqualTo(10);
        assertThat(client.reconnectMaxMs()).isEqualTo(2_000);
        assertThat(client.idleTimeoutMs()).isEqualTo(server.idleTimeoutMs());
    }

    @Test
    void shouldReadPropertiesOfItsSideAndSkipTheOtherSide()
    {
        final Properties properties = new Properties();
        properties.setProperty(ServerContext.BIND_PROP_NAME, "127.0.0.1:9000");
        properties.setProperty(ServerContext.MAX_CONNECTIONS_PROP_NAME, " 12 ");
        properties.setProperty(CommonContext.IDLE_TIMEOUT_MS_PROP_NAME, "1234");
        properties.setProperty(CommonContext.SAFETY_NET_PROP_NAME, "false");
        properties.setProperty(CommonContext.NODE_ID_PROP_NAME, "18446744073709551615");
        properties.setProperty(CommonContext.DEV_CA_DIR_PROP_NAME, dir.toString());
        properties.setProperty(ClientContext.CLIENT_STREAMS_PROP_NAME, "3");
        properties.setProperty(ClientContext.RECONNECT_MAX_MS_PROP_NAME, "999");
        properties.setProperty("vshard.lanes", "*");

        final ServerContext server = new ServerContext().apply(properties);
        assertThat(server.bind()).isEqualTo("127.0.0.1:9000");
        assertThat(server.maxConnections()).isEqualTo(12);
        assertThat(server.idleTimeoutMs()).isEqualTo(1234);
        assertThat(server.safetyNet()).isFalse();
        assertThat(server.nodeId()).isEqualTo(-1L);
        assertThat(server.devCaDir()).isEqualTo(dir);

        final ClientContext client = new ClientContext().apply(properties);
        assertThat(client.clientStreams()).isEqualTo(3);
        assertThat(client.reconnectMaxMs()).isEqualTo(999);
        assertThat(client.idleTimeoutMs()).isEqualTo(1234);
    }

    @Test
    void shouldRefuseUnknownAndUnparsableSettings()
    {
        assertThatThrownBy(() -> new ServerContext().apply(props("vshard.transport.dev.dir", "/tmp/x")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("unknown setting: vshard.transport.dev.dir=/tmp/x");
        assertThatThrownBy(() -> new ClientContext().apply(props(ServerContext.IO_THREADS_PROP_NAME + "x", "1")))
            .hasMessage("unknown setting: vshard.transport.io.threadsx=1");
        assertThatThrownBy(() -> new ServerContext().apply(props(ServerContext.IO_THREADS_PROP_NAME, "two")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("not an integer: vshard.transport.io.threads=two");
        assertThatThrownBy(() -> new ClientContext().apply(props(CommonContext.SAFETY_NET_PROP_NAME, "yes")))
            .hasMessage("not true or false: vshard.transport.safety.net=yes");
        assertThatThrownBy(() -> new ClientContext().apply(props(CommonContext.NODE_ID_PROP_NAME, "-1")))
            .hasMessage("not an unsigned integer: vshard.transport.node.id=-1");
    }

    @Test
    void shouldReadSystemProperties()
    {
        System.setProperty(ClientContext.REQUEST_TIMEOUT_MS_PROP_NAME, "4321");
        System.setProperty(CommonContext.UDP_SEGMENTS_PROP_NAME, "4");
        System.setProperty("vshard.transport.not.a.setting", "1");
        try
        {
            final ClientContext client = new ClientContext();
            assertThat(client.requestTimeoutMs()).isEqualTo(4321);
            assertThat(client.udpSegments()).isEqualTo(4);
            assertThat(new ServerContext().udpSegments()).isEqualTo(4);
        }
        finally
        {
            System.clearProperty(ClientContext.REQUEST_TIMEOUT_MS_PROP_NAME);
            System.clearProperty(CommonContext.UDP_SEGMENTS_PROP_NAME);
            System.clearProperty("vshard.transport.not.a.setting");
        }
    }

    @Test
    void shouldValidateOnConcludeWithNameAndValue()
    {
        assertServerInvalid((c) -> c.ioThreads(0), "must be positive: vshard.transport.io.threads=0");
        assertServerInvalid((c) -> c.bind("nohost"), "expected host:port: vshard.transport.bind=nohost");
        assertServerInvalid((c) -> c.maxConnections(-1), "must be positive: vshard.transport.max.connections=-1");
        assertServerInvalid((c) -> c.outboundQueueBytes(3000),
            "must be a power of two >= 1024: vshard.transport.outbound.queue.bytes=3000");
        assertServerInvalid((c) -> c.partialFrameTimeoutMs(0),
            "must be positive: vshard.transport.partial.frame.timeout.ms=0");
        assertServerInvalid((c) -> c.shutdownTimeoutMs(0), "must be positive: vshard.transport.shutdown.timeout.ms=0");
        assertServerInvalid((c) -> c.maxStreamsPerConnection(0),
            "must be positive: vshard.transport.max.streams.per.connection=0");
        assertServerInvalid((c) -> c.udpSegments(65), "must be 0 to 64: vshard.transport.udp.segments=65");
        assertServerInvalid((c) -> c.udpReceiveBatch(-1), "must be 0 to 1024: vshard.transport.udp.receive.batch=-1");
        assertServerInvalid((c) -> c.udpPayloadBytes(1199),
            "must be 0 or 1200 to 65527: vshard.transport.udp.payload.bytes=1199");
        assertClientInvalid((c) -> c.udpPayloadBytes(65_528),
            "must be 0 or 1200 to 65527: vshard.transport.udp.payload.bytes=65528");
        assertServerInvalid((c) -> c.socketReceiveBufferBytes(0), "must be positive: vshard.transport.socket.rcvbuf=0");
        assertServerInvalid((c) -> c.socketSendBufferBytes(0), "must be positive: vshard.transport.socket.sndbuf=0");
        assertServerInvalid((c) -> c.idleTimeoutMs(0), "must be positive: vshard.transport.idle.timeout.ms=0");
        assertServerInvalid((c) -> c.handshakeTimeoutMs(0), "must be positive: vshard.transport.handshake.timeout.ms=0");
        assertServerInvalid((c) -> c.streamWindowBytes(0), "must be positive: vshard.transport.stream.window.bytes=0");
        assertServerInvalid((c) -> c.connectionWindowBytes(0),
            "must be positive: vshard.transport.connection.window.bytes=0");
        assertServerInvalid((c) -> c.writeBatchBytes(0), "must be positive: vshard.transport.write.batch.bytes=0");
        assertServerInvalid((c) -> c.maxFrameLength(3), "vshard.transport.max.frame.length=3");

        assertClientInvalid((c) -> c.clientStreams(0), "must be positive: vshard.transport.client.streams=0");
        assertClientInvalid((c) -> c.requestTimeoutMs(0),
            "must be positive: vshard.transport.client.request.timeout.ms=0");
        assertClientInvalid((c) -> c.clientSendQueueBytes(1000),
            "must be a power of two >= 1024: vshard.transport.client.send.queue.bytes=1000");
        assertClientInvalid((c) -> c.reconnectMinMs(0), "must be positive: vshard.transport.client.reconnect.min.ms=0");
        assertClientInvalid((c) -> c.reconnectMinMs(100).reconnectMaxMs(50),
            "vshard.transport.client.reconnect.max.ms=50");
    }

    @Test
    void shouldRequireTlsMaterialAndMatchingIdentity()
    {
        assertThatThrownBy(() -> new ServerContext().conclude())
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("no TLS material");
        assertThatThrownBy(() -> new ServerContext().tlsCertFile(dir.resolve("a.pem")).conclude())
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("set all of vshard.transport.tls.cert.file");
        assertThatThrownBy(() -> new ServerContext().nodeCertificate(CA.issue(3)).nodeId(4).conclude())
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("spiffe://ctx/node/3 differs from configured");
    }

    @Test
    void shouldLoadTlsMaterialFromFiles()
    {
        final NodeCertificate issued = CA.issue(5);
        final Path certFile = issued.write(dir);
        final ClientContext client = new ClientContext().cluster("ctx").nodeId(5).tlsCertFile(certFile)
            .tlsKeyFile(dir.resolve("node-5.key")).tlsCaFile(dir.resolve("ca.pem")).conclude();
        assertThat(client.nodeCertificate().certificate()).isEqualTo(issued.certificate());
        assertThat(client.nodeCertificate().key()).isEqualTo(issued.key());
        assertThat(client.nodeCertificate().ca()).isEqualTo(CA.certificate());
        assertThat(client.errorHandler()).isNotNull();
    }

    @Test
    void shouldDeriveClientFromEveryCommonSettingOfAServer()
    {
        final ErrorHandler handler = (ex) -> { };
        final ServerContext server = new ServerContext().nodeCertificate(CA.issue(9)).errorHandler(handler)
            .idleTimeoutMs(111).handshakeTimeoutMs(222).streamWindowBytes(333).connectionWindowBytes(444)
            .socketReceiveBufferBytes(555).socketSendBufferBytes(666).maxFrameLength(7777).writeBatchBytes(888)
            .udpSegments(2).udpReceiveBatch(3).udpPayloadBytes(9000).safetyNet(false).ioBusyPoll(true).dev(true).devCaDir(dir)
            .tlsCertFile(dir.resolve("c")).tlsKeyFile(dir.resolve("k")).tlsCaFile(dir.resolve("a"))
            .ioThreads(3).maxConnections(5);
        final ClientContext template = new ClientContext().clientStreams(4).requestTimeoutMs(1_000)
            .clientSendQueueBytes(4096).reconnectMinMs(1).reconnectMaxMs(2).idleTimeoutMs(99_999);

        final ClientContext client = ClientContext.from(server).clientSettings(template);

        assertThat(Getters.differences(CommonContext.class, server, client)).isEmpty();
        assertThat(Getters.differences(ClientContext.class, template, client)).isEmpty();
        assertThat(client.idleTimeoutMs()).isEqualTo(111);
        assertThat(client.nodeCertificate()).isSameAs(server.nodeCertificate());
        assertThat(client.errorHandler()).isSameAs(handler);
        assertThat(Getters.differences(CommonContext.class, new ClientContext(), client))
            .hasSize(Getters.names(CommonContext.class).size());
    }

    private static Properties props(final String name, final String value)
    {
        final Properties properties = new Properties();
        properties.setProperty(name, value);
        return properties;
    }

    private void assertServerInvalid(final java.util.function.Consumer<ServerContext> change, final String message)
    {
        final ServerContext ctx = new ServerContext().nodeCertificate(CA.issue(1));
        change.accept(ctx);
        assertThatThrownBy(ctx::conclude).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    private void assertClientInvalid(final java.util.function.Consumer<ClientContext> change, final String message)
    {
        final ClientContext ctx = new ClientContext().nodeCertificate(CA.issue(1));
        change.accept(ctx);
        assertThatThrownBy(ctx::conclude).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }
}
