package io.vshard.transport.hardening;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.pipeline.WaitStrategyKind;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.node.NodeContext;
import io.vshard.node.VShardNode;
import io.vshard.transport.ClientContext;
import io.vshard.transport.TestNode;
import io.vshard.transport.client.QuicClient;
import io.vshard.transport.tls.CertificateAuthority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node in a child JVM whose GraphBsp handler never returns: SIGTERM must end the process within the shutdown
 * timeout plus a margin, and the log must name the stuck lane.
 */
@Timeout(90)
class StuckHandlerShutdownTest
{
    private static final long SHUTDOWN_TIMEOUT_MS = 2_000;
    private static final long MARGIN_MS = 5_000;
    private static final String PORT_PREFIX = "PORT ";
    private static final String STUCK_LINE = "STUCK";

    @TempDir
    Path dir;

    @Test
    void shouldEndOnSigtermWithinTheShutdownTimeoutNamingTheStuckLane() throws Exception
    {
        final CertificateAuthority ca = CertificateAuthority.create(TestNode.CLUSTER, Duration.ofDays(1));
        final Path caDir = dir.resolve("ca");
        ca.write(caDir);
        final File log = dir.resolve("child.log").toFile();
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx256m");
        command.add("--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
        command.add("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(StuckNodeMain.class.getName());
        command.add(dir.resolve("node").toString());
        command.add(caDir.toString());
        final Process process = new ProcessBuilder(command).redirectError(log).start();
        try
        {
            final BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            final int port = Integer.parseInt(readLineStartingWith(out, PORT_PREFIX).substring(PORT_PREFIX.length()));
            final ClientContext clientCtx = new ClientContext().nodeCertificate(ca.issue(TestNode.CLIENT_ID))
                .requestTimeoutMs(60_000).handshakeTimeoutMs(5_000);
            try (QuicClient client = new QuicClient(clientCtx, new InetSocketAddress("127.0.0.1", port), null)
                .connect())
            {
                client.request(0, VShardEnvelope.of(MessageType.GraphAlgoSuperstep, TestNode.CLIENT_ID,
                    TestNode.SERVER_ID, 1, new byte[8]));
                readLineStartingWith(out, STUCK_LINE);

                final long startNs = System.nanoTime();
                process.destroy();
                final boolean exited = process.waitFor(SHUTDOWN_TIMEOUT_MS + MARGIN_MS + 5_000, TimeUnit.MILLISECONDS);
                final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                final String errors = Files.readString(log.toPath());
                System.out.printf("stuck handler: SIGTERM to exit %d ms (shutdown timeout %d ms), exit status %s%n%s%n",
                    tookMs, SHUTDOWN_TIMEOUT_MS, exited ? process.exitValue() : "none", errors.lines()
                    .filter((l) -> l.contains("still in a handler")).findFirst().orElse("(no stuck-lane line)"));

                assertThat(exited).as("the process ended").isTrue();
                assertThat(tookMs).isLessThan(SHUTDOWN_TIMEOUT_MS + MARGIN_MS);
                assertThat(errors).contains("still in a handler").contains("GraphBsp").contains("-lane-");
            }
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    private static String readLineStartingWith(final BufferedReader out, final String prefix) throws Exception
    {
        String line;
        while (null != (line = out.readLine()))
        {
            if (line.startsWith(prefix))
            {
                return line;
            }
        }
        throw new AssertionError("the child ended before printing " + prefix);
    }

    /**
     * The child: a node whose GraphBsp handler blocks for ever, closed by a shutdown hook as {@code vshard node} does.
     */
    public static final class StuckNodeMain
    {
        private StuckNodeMain()
        {
        }

        /**
         * Run the node until SIGTERM.
         *
         * @param args node directory, CA directory.
         * @throws Exception on a start failure.
         */
        public static void main(final String[] args) throws Exception
        {
            final NodeContext ctx = new NodeContext().dir(new File(args[0])).name("stuck");
            ctx.pipeline().waitStrategy(WaitStrategyKind.BLOCKING);
            ctx.transport().bind("127.0.0.1:0").shutdownTimeoutMs(SHUTDOWN_TIMEOUT_MS)
                .nodeCertificate(CertificateAuthority.load(Path.of(args[1]), TestNode.CLUSTER).issue(TestNode.SERVER_ID));
            final CountDownLatch never = new CountDownLatch(1);
            for (final DispatchTarget target : DispatchTarget.values())
            {
                ctx.handler(target, DispatchTarget.GraphBsp == target ? (envelope, reply) ->
                {
                    System.out.println(STUCK_LINE);
                    System.out.flush();
                    never.await();
                } : Handlers.echo());
            }
            final VShardNode node = VShardNode.launch(ctx);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> node.closeOrHalt(MARGIN_MS), "shutdown"));
            System.out.println(PORT_PREFIX + node.localAddress().getPort());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
