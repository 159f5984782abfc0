package io.vshard.node;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.pipeline.WaitStrategyKind;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.transport.ClientContext;
import io.vshard.transport.CommonContext;
import io.vshard.transport.Getters;
import io.vshard.transport.ServerContext;
import io.vshard.transport.client.Answer;
import io.vshard.transport.client.QuicClient;
import io.vshard.transport.tls.CertificateAuthority;
import org.agrona.ErrorHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class VShardNodeTest
{
    @TempDir
    Path dir;

    @Test
    void shouldGiveEverySettingOfTheNodeToTheClientsItOpens() throws Exception
    {
        final CertificateAuthority ca = CertificateAuthority.create("derive", Duration.ofDays(1));
        final Path certFile = ca.issue(7).write(dir.resolve("certs"));
        final Properties properties = new Properties();
        properties.setProperty(CommonContext.SOCKET_RCVBUF_PROP_NAME, "2097152");
        properties.setProperty(CommonContext.SOCKET_SNDBUF_PROP_NAME, "1048576");
        properties.setProperty(CommonContext.MAX_FRAME_LENGTH_PROP_NAME, "2000000");
        properties.setProperty(CommonContext.IDLE_TIMEOUT_MS_PROP_NAME, "20000");
        properties.setProperty(CommonContext.HANDSHAKE_TIMEOUT_MS_PROP_NAME, "4000");
        properties.setProperty(CommonContext.STREAM_WINDOW_PROP_NAME, "2097152");
        properties.setProperty(CommonContext.CONNECTION_WINDOW_PROP_NAME, "8388608");
        properties.setProperty(CommonContext.WRITE_BATCH_BYTES_PROP_NAME, "32768");
        properties.setProperty(CommonContext.UDP_SEGMENTS_PROP_NAME, "8");
        properties.setProperty(CommonContext.UDP_RECEIVE_BATCH_PROP_NAME, "16");
        properties.setProperty(CommonContext.UDP_PAYLOAD_BYTES_PROP_NAME, "1350");
        properties.setProperty(CommonContext.SAFETY_NET_PROP_NAME, "false");
        properties.setProperty(CommonContext.IO_BUSY_POLL_PROP_NAME, "true");
        properties.setProperty(CommonContext.CLUSTER_PROP_NAME, "derive");
        properties.setProperty(CommonContext.NODE_ID_PROP_NAME, "7");
        properties.setProperty(CommonContext.TLS_CERT_FILE_PROP_NAME, certFile.toString());
        properties.setProperty(CommonContext.TLS_KEY_FILE_PROP_NAME, dir.resolve("certs/node-7.key").toString());
        properties.setProperty(CommonContext.TLS_CA_FILE_PROP_NAME, dir.resolve("certs/ca.pem").toString());
        properties.setProperty(CommonContext.DEV_PROP_NAME, "true");
        properties.setProperty(CommonContext.DEV_CA_DIR_PROP_NAME, dir.resolve("dev-ca").toString());
        properties.setProperty(ServerContext.BIND_PROP_NAME, "127.0.0.1:0");
        properties.setProperty(ServerContext.IO_THREADS_PROP_NAME, "2");
        properties.setProperty(ServerContext.MAX_STREAMS_PROP_NAME, "32");
        properties.setProperty(ServerContext.MAX_CONNECTIONS_PROP_NAME, "16");
        properties.setProperty(ServerContext.PARTIAL_FRAME_TIMEOUT_MS_PROP_NAME, "9000");
        properties.setProperty(ServerContext.OUTBOUND_QUEUE_BYTES_PROP_NAME, "8388608");
        properties.setProperty(ServerContext.SHUTDOWN_TIMEOUT_MS_PROP_NAME, "2000");
        properties.setProperty(ServerContext.REPLY_CONNECTION_BUDGET_BYTES_PROP_NAME, "33554432");
        properties.setProperty(ServerContext.REPLY_NODE_BUDGET_BYTES_PROP_NAME, "268435456");
        properties.setProperty(ServerContext.REPLY_UNREAD_TIMEOUT_MS_PROP_NAME, "5000");
        properties.setProperty(ServerContext.MAX_HANDSHAKES_PROP_NAME, "64");
        properties.setProperty(ServerContext.MAX_HANDSHAKES_PER_ADDRESS_PROP_NAME, "8");
        properties.setProperty(ServerContext.ADDRESS_VALIDATION_PROP_NAME, "false");
        properties.setProperty(ClientContext.CLIENT_STREAMS_PROP_NAME, "2");
        properties.setProperty(ClientContext.REQUEST_TIMEOUT_MS_PROP_NAME, "4000");
        properties.setProperty(ClientContext.CLIENT_SEND_QUEUE_BYTES_PROP_NAME, "2097152");
        properties.setProperty(ClientContext.RECONNECT_MIN_MS_PROP_NAME, "20");
        properties.setProperty(ClientContext.RECONNECT_MAX_MS_PROP_NAME, "3000");
        properties.setProperty(ClientContext.SERVER_NODE_ID_PROP_NAME, "7");
        assertThat(properties.stringPropertyNames()).as("a value for every setting of the family")
            .containsExactlyInAnyOrderElementsOf(settingNames());

        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final ErrorHandler errorHandler = errors::add;
        final NodeContext ctx = nodeContext(dir.resolve("node")).apply(properties);
        ctx.transport().errorHandler(errorHandler);

        try (VShardNode node = VShardNode.launch(ctx))
        {
            final QuicClient client = node.connect(node.localAddress(), null);
            assertThat(client.isConnected()).isTrue();
            final ClientContext clientCtx = client.context();

            assertThat(Getters.differences(CommonContext.class, ctx.transport(), clientCtx)).isEmpty();
            assertThat(Getters.differences(ClientContext.class, ctx.client(), clientCtx)).isEmpty();
            assertThat(clientCtx.errorHandler()).isSameAs(errorHandler);
            assertThat(clientCtx.nodeCertificate()).isSameAs(ctx.transport().nodeCertificate());

            // Not vacuous: every value the client got differs from what a client starts with.
            final ClientContext fresh = new ClientContext();
            assertThat(Getters.differences(CommonContext.class, fresh, clientCtx))
                .hasSize(Getters.names(CommonContext.class).size());
            assertThat(Getters.differences(ClientContext.class, fresh, clientCtx))
                .hasSize(Getters.names(ClientContext.class).size());
            assertThat(Getters.differences(ServerContext.class, new ServerContext(), ctx.transport()))
                .hasSize(Getters.names(ServerContext.class).size());
            assertThat(client.streamCount()).isEqualTo(2);

            final Answer answer = client.request(1, VShardEnvelope.of(MessageType.GhostVerifyRequest, 7, 7, 1,
                new byte[]{ 1, 2, 3 })).get(10, TimeUnit.SECONDS);
            assertThat(answer.kind()).isEqualTo(FrameDescriptor.KIND_RESPONSE);
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void shouldLetTwoDevNodesWithTheirOwnDirectoriesTalkThroughTheSharedDevelopmentCa() throws Exception
    {
        final String cluster = "devtest-" + UUID.randomUUID().toString().substring(0, 8);
        final Path sharedCa = Path.of(CommonContext.DEV_CA_DIR_DEFAULT);
        final NodeContext first = nodeContext(dir.resolve("first"));
        final NodeContext second = nodeContext(dir.resolve("second"));
        first.transport().dev(true).cluster(cluster).nodeId(1).bind("127.0.0.1:0");
        second.transport().dev(true).cluster(cluster).nodeId(2).bind("127.0.0.1:0");
        assertThat(first.transport().devCaDir()).isEqualTo(sharedCa);
        assertThat(second.transport().devCaDir()).isEqualTo(sharedCa);
        try (VShardNode one = VShardNode.launch(first); VShardNode two = VShardNode.launch(second))
        {
            final QuicClient client = one.connect(two.localAddress(), null);
            final Answer answer = client.request(0, VShardEnvelope.of(MessageType.GhostVerifyRequest, 1, 2, 1,
                new byte[]{ 9 })).get(10, TimeUnit.SECONDS);
            assertThat(answer.kind()).isEqualTo(FrameDescriptor.KIND_RESPONSE);
            assertThat(answer.envelope().sourceNode()).isEqualTo(2);
            assertThat(one.server().localAddress()).isNotEqualTo(two.server().localAddress());
        }
        finally
        {
            deleteTree(sharedCa.resolve(cluster));
        }
    }

    @Test
    void shouldRefuseToStartOnACountersDirectoryOthersMayWrite() throws Exception
    {
        final Path nodeDir = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(nodeDir, PosixFilePermissions.fromString("rwxrwx---"));
        final NodeContext ctx = nodeContext(nodeDir);
        ctx.transport().nodeCertificate(CertificateAuthority.create("dirs", Duration.ofDays(1)).issue(1))
            .bind("127.0.0.1:0");

        assertThatThrownBy(() -> VShardNode.launch(ctx).close())
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("refusing counters directory " + nodeDir + ": writable by others (rwxrwx---)")
            .hasMessageContaining("chmod go-w");
        assertThat(nodeDir.resolve("counters.dat")).doesNotExist();
    }

    @Test
    void shouldCreateItsCountersDirectoryOwnerOnly() throws Exception
    {
        final Path nodeDir = dir.resolve("fresh").resolve("node-1");
        final NodeContext ctx = nodeContext(nodeDir);
        ctx.transport().nodeCertificate(CertificateAuthority.create("dirs", Duration.ofDays(1)).issue(1))
            .bind("127.0.0.1:0");

        try (VShardNode node = VShardNode.launch(ctx))
        {
            assertThat(node.localAddress().getPort()).isPositive();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nodeDir))).isEqualTo("rwx------");
            assertThat(nodeDir.resolve("counters.dat")).isRegularFile();
        }
    }

    private static NodeContext nodeContext(final Path nodeDir)
    {
        final NodeContext ctx = new NodeContext().dir(nodeDir.toFile()).name(nodeDir.getFileName().toString());
        ctx.pipeline().waitStrategy(WaitStrategyKind.BLOCKING);
        for (final DispatchTarget target : DispatchTarget.values())
        {
            ctx.handler(target, (envelope, reply) -> reply.respond(envelope.messageType(), envelope.payloadBuffer(),
                envelope.payloadOffset(), envelope.payloadLength()));
        }
        return ctx;
    }

    private static List<String> settingNames() throws IllegalAccessException
    {
        final List<String> names = new ArrayList<>();
        for (final Class<?> type : List.of(CommonContext.class, ServerContext.class, ClientContext.class))
        {
            for (final Field field : type.getDeclaredFields())
            {
                if (Modifier.isPublic(field.getModifiers()) && field.getName().endsWith("_PROP_NAME"))
                {
                    names.add((String)field.get(null));
                }
            }
        }
        assertThat(names).hasSizeGreaterThanOrEqualTo(30);
        return names;
    }

    private static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }
}
