package io.vshard.cli;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.pipeline.Configuration;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.node.NodeContext;
import io.vshard.node.VShardNode;
import io.vshard.transport.ServerContext;
import io.vshard.transport.client.Answer;
import io.vshard.transport.client.QuicClient;
import io.vshard.transport.tls.CertificateAuthority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How {@code vshard node}'s options combine with a config file, {@code --dev} and {@code --examples}.
 */
class NodeOptionsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldLeaveTheConfigFilesValuesWhenOptionsAreNotGiven() throws IOException
    {
        final Path certs = certs(7);
        final File config = config(
            ServerContext.BIND_PROP_NAME, "127.0.0.1:7999",
            ServerContext.CLUSTER_PROP_NAME, "prod",
            ServerContext.NODE_ID_PROP_NAME, "7",
            ServerContext.IO_THREADS_PROP_NAME, "3",
            Configuration.DIR_PROP_NAME, dir.resolve("from-config").toString(),
            ServerContext.TLS_CERT_FILE_PROP_NAME, certs.resolve("node-7.pem").toString(),
            ServerContext.TLS_KEY_FILE_PROP_NAME, certs.resolve("node-7.key").toString(),
            ServerContext.TLS_CA_FILE_PROP_NAME, certs.resolve("ca.pem").toString());

        final NodeContext ctx = node("--config", config.toString()).context();

        assertThat(ctx.transport().bindAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 7999));
        assertThat(ctx.transport().cluster()).isEqualTo("prod");
        assertThat(ctx.transport().nodeId()).isEqualTo(7);
        assertThat(ctx.transport().ioThreads()).isEqualTo(3);
        assertThat(ctx.pipeline().dir()).isEqualTo(dir.resolve("from-config").toFile());
        ctx.transport().conclude();
        assertThat(ctx.transport().nodeCertificate().identity().uri().toString()).isEqualTo("spiffe://prod/node/7");
    }

    @Test
    void shouldOverrideTheConfigFileWithTheOptionsGiven() throws IOException
    {
        final Path certs = certs(7);
        final File config = config(
            ServerContext.BIND_PROP_NAME, "127.0.0.1:7999",
            ServerContext.IO_THREADS_PROP_NAME, "3",
            ServerContext.TLS_CERT_FILE_PROP_NAME, certs.resolve("node-7.pem").toString(),
            ServerContext.TLS_KEY_FILE_PROP_NAME, certs.resolve("node-7.key").toString(),
            ServerContext.TLS_CA_FILE_PROP_NAME, certs.resolve("ca.pem").toString());

        final NodeContext ctx = node("--config", config.toString(), "--bind", "127.0.0.1:0", "--io-threads", "2",
            "--dir", dir.resolve("given").toString()).context();

        assertThat(ctx.transport().bindAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 0));
        assertThat(ctx.transport().ioThreads()).isEqualTo(2);
        assertThat(ctx.pipeline().dir()).isEqualTo(dir.resolve("given").toFile());
    }

    @Test
    void shouldBindLoopbackInDevModeUnlessAnAddressIsGiven() throws IOException
    {
        final InetSocketAddress dev = node("--dev", "--dir", dir.toString()).context().transport().bindAddress();
        assertThat(dev).isEqualTo(new InetSocketAddress("127.0.0.1", 7420));
        assertThat(dev.getAddress().isLoopbackAddress()).isTrue();

        assertThat(node("--dev", "--dir", dir.toString(), "--bind", "0.0.0.0:7421").context().transport()
            .bindAddress()).isEqualTo(new InetSocketAddress("0.0.0.0", 7421));
        final File config = config(ServerContext.BIND_PROP_NAME, "127.0.0.2:7422");
        assertThat(node("--dev", "--dir", dir.toString(), "--config", config.toString()).context().transport()
            .bindAddress()).isEqualTo(new InetSocketAddress("127.0.0.2", 7422));
    }

    @Test
    void shouldKeepTheLibraryDefaultAddressOutsideDevMode() throws IOException
    {
        final Path certs = certs(1);
        final NodeContext ctx = node("--cert", certs.resolve("node-1.pem").toString(),
            "--key", certs.resolve("node-1.key").toString(), "--ca", certs.resolve("ca.pem").toString(),
            "--cluster", "prod").context();

        assertThat(ctx.transport().bindAddress()).isEqualTo(new InetSocketAddress("0.0.0.0", 7420));
    }

    @Test
    void shouldServeTheExamplesOnlyWhenAsked() throws IOException
    {
        assertThat(node("--dev", "--dir", dir.toString()).context().pipeline()
            .handler(DispatchTarget.VectorSearch)).isNotNull();
        assertThat(node("--dev", "--no-examples", "--dir", dir.toString()).context().pipeline()
            .handler(DispatchTarget.VectorSearch)).isNull();
        final Path certs = certs(1);
        final String[] tls = {"--cluster", "prod", "--cert", certs.resolve("node-1.pem").toString(),
            "--key", certs.resolve("node-1.key").toString(), "--ca", certs.resolve("ca.pem").toString()};
        assertThat(node(tls).context().pipeline().handler(DispatchTarget.VectorSearch)).isNull();
        final String[] withExamples = java.util.Arrays.copyOf(tls, tls.length + 1);
        withExamples[tls.length] = "--examples";
        assertThat(node(withExamples).context().pipeline().handler(DispatchTarget.TimeseriesScan)).isNotNull();
    }

    @Test
    @Timeout(60)
    void shouldAnswerNoHandlerWithoutExamples() throws Exception
    {
        final NodeContext ctx = node("--dev", "--no-examples", "--dir", dir.toString(), "--bind", "127.0.0.1:0")
            .context();
        try (VShardNode node = VShardNode.launch(ctx))
        {
            final QuicClient client = node.connect(node.localAddress(), (id, kind, code, envelope) -> { });
            final Answer answer = client.request(0,
                VShardEnvelope.of(MessageType.VectorScatterRequest, 1, 1, 0, new byte[]{1, 2, 3}))
                .get(10, TimeUnit.SECONDS);

            assertThat(answer.kind()).isEqualTo(FrameDescriptor.KIND_ERROR);
            assertThat(answer.errorCode()).isEqualTo(ErrorCode.NO_HANDLER.value());
        }
    }

    private static NodeCommand node(final String... args)
    {
        final CommandLine.ParseResult parsed = VShardCli.commandLine().parseArgs(
            java.util.stream.Stream.concat(java.util.stream.Stream.of("node"), java.util.Arrays.stream(args))
                .toArray(String[]::new));
        return (NodeCommand)parsed.subcommand().commandSpec().userObject();
    }

    private Path certs(final long nodeId)
    {
        final Path out = dir.resolve("certs");
        CertificateAuthority.loadOrCreate(out, "prod").issue(nodeId).write(out);
        return out;
    }

    private File config(final String... keyValues) throws IOException
    {
        final Properties properties = new Properties();
        for (int i = 0; i < keyValues.length; i += 2)
        {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        final File file = Files.createTempFile(dir, "node", ".properties").toFile();
        try (Writer out = Files.newBufferedWriter(file.toPath()))
        {
            properties.store(out, null);
        }
        return file;
    }
}
