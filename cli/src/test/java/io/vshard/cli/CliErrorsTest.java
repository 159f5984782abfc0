package io.vshard.cli;

import io.vshard.node.NodeContext;
import io.vshard.node.VShardNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every failing command prints one line with the reason and exits 1; the stack trace only with --verbose.
 */
class CliErrorsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldPrintTheMessageWithoutAStackTrace()
    {
        final Cli.Result result = Cli.run("node", "--dir", dir.toString());

        assertThat(result.exitCode()).isEqualTo(VShardCli.EXIT_FAILED);
        assertThat(result.err())
            .startsWith("node: no TLS identity: give --cert, --key and --ca")
            .contains("(exit 1; --verbose for the stack trace)")
            .doesNotContain("Exception", "\tat ");
        assertThat(result.err().lines()).hasSize(1);
    }

    @Test
    void shouldPrintTheStackTraceWithVerbose()
    {
        final Cli.Result result = Cli.run("node", "--verbose", "--dir", dir.toString());

        assertThat(result.exitCode()).isEqualTo(VShardCli.EXIT_FAILED);
        assertThat(result.err())
            .startsWith("node: no TLS identity")
            .contains("java.lang.IllegalArgumentException: no TLS identity", "\tat io.vshard.cli.");
    }

    @Test
    @Timeout(60)
    void shouldSayWhyItCannotConnectWhenNothingAnswers() throws Exception
    {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final Cli.Result result = Cli.run("load", "--dev", "--dev-ca-dir", dir.resolve("ca").toString(),
                "--connect", "127.0.0.1:" + silent.getLocalPort(), "--count", "1");

            assertThat(result.exitCode()).isEqualTo(VShardCli.EXIT_FAILED);
            assertThat(result.err())
                .startsWith("load: cannot connect to /127.0.0.1:" + silent.getLocalPort() +
                    ": no handshake within the timeout: nothing listening there")
                .doesNotContain("null", "Exception", "\tat ");
        }
    }

    @Test
    @Timeout(60)
    void shouldSayWhyItCannotConnectWithACertificateOfAnotherCa()
    {
        final NodeContext ctx = new NodeContext().dir(dir.resolve("node").toFile());
        ctx.transport().bind("127.0.0.1:0").dev(true);
        try (VShardNode node = VShardNode.launch(ctx))
        {
            final Cli.Result result = Cli.run("load", "--dev", "--dev-ca-dir", dir.resolve("other").toString(),
                "--connect", "127.0.0.1:" + node.localAddress().getPort(), "--count", "1");

            assertThat(result.exitCode()).isEqualTo(VShardCli.EXIT_FAILED);
            assertThat(result.err())
                .startsWith("load: cannot connect to /127.0.0.1:" + node.localAddress().getPort() +
                    ": TLS handshake failed, bad certificate (CERTIFICATE_VERIFY_FAILED)")
                .doesNotContain("Exception", "\tat ");
            assertThat(result.err().lines()).hasSize(1);
        }
    }

    @Test
    @Timeout(60)
    void shouldNameTheAddressItCannotBind() throws Exception
    {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final Cli.Result result = Cli.run("node", "--dev", "--dir", dir.toString(),
                "--bind", "127.0.0.1:" + taken.getLocalPort());

            assertThat(result.exitCode()).isEqualTo(VShardCli.EXIT_FAILED);
            assertThat(result.err())
                .startsWith("node: cannot bind /127.0.0.1:" + taken.getLocalPort() + ": ")
                .contains("Address already in use")
                .doesNotContain("\tat ");
        }
    }

    @Test
    void shouldDescribeACauseWithoutMessage()
    {
        final String line = Failures.describe(new IllegalStateException("cannot connect to /127.0.0.1:1: null",
            new java.util.concurrent.ExecutionException(new java.util.concurrent.TimeoutException())));

        assertThat(line).isEqualTo("cannot connect to /127.0.0.1:1: no handshake within the timeout: nothing " +
            "listening there, UDP to it dropped, or the node refused this certificate");
    }
}
