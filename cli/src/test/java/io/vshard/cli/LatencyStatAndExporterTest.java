package io.vshard.cli;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.examples.EchoEngine;
import io.vshard.node.NodeContext;
import io.vshard.node.VShardNode;
import io.vshard.transport.client.QuicClient;
import io.vshard.transport.tls.CertificateAuthority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code vshard stat} and {@code vshard exporter} against a running node whose GraphBsp handler takes a known time
 * per call: the counts, slow calls and percentiles match what was sent, the exporter's text is OpenMetrics and is
 * served over HTTP, a second node is refused the directory, and a stopped node is reported as not running.
 */
class LatencyStatAndExporterTest
{
    private static final int SENT = 20;
    private static final long HANDLER_MS = 3;
    private static final Pattern TABLE_ROW = Pattern.compile(
        "(?m)^(\\S+)\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)" +
        "\\s+(\\S+)\\s+(\\S+)$");

    @TempDir
    Path tmp;

    @Test
    @Timeout(90)
    void shouldShowCountsAndLatencyInStatAndExporterAndReportAStoppedNode() throws Exception
    {
        final File dir = tmp.resolve("node").toFile();
        final CertificateAuthority ca = CertificateAuthority.create("obs", CertificateAuthority.CA_VALIDITY_DEFAULT);
        final NodeContext ctx = new NodeContext().dir(dir);
        ctx.transport().bind("127.0.0.1:0").cluster("obs").nodeId(1).nodeCertificate(ca.issue(1));
        new EchoEngine().registerForAllTargets(ctx.pipeline());
        final EchoEngine echo = new EchoEngine();
        ctx.pipeline()
            .lanes("GraphBsp;*")
            .latencyIntervalMs(3000)
            .slowHandlerThresholdNs(TimeUnit.MILLISECONDS.toNanos(HANDLER_MS) / 2)
            .handler(DispatchTarget.GraphBsp, (envelope, reply) ->
            {
                sleepAtLeast(HANDLER_MS);
                echo.onEnvelope(envelope, reply);
            });

        final ExporterCommand exporter = new ExporterCommand();
        exporter.dir = dir;
        exporter.listen = "127.0.0.1:0";
        final Thread exporterThread = new Thread(() ->
        {
            try
            {
                exporter.call();
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        }, "exporter-under-test");
        final HttpClient http = HttpClient.newHttpClient();
        try (VShardNode node = VShardNode.launch(ctx))
        {
            exporterThread.start();
            final URI metrics = URI.create("http://127.0.0.1:" + exporter.awaitPort() + "/metrics");

            final QuicClient client = node.connect(node.localAddress(), (id, kind, code, envelope) -> { });
            for (int i = 0; i < SENT; i++)
            {
                client.request(0, VShardEnvelope.of(MessageType.GraphAlgoSuperstep, 1, 1, i, new byte[8]))
                    .get(10, TimeUnit.SECONDS);
                client.request(0, VShardEnvelope.of(MessageType.VectorScatterRequest, 1, 1, i, new byte[8]))
                    .get(10, TimeUnit.SECONDS);
            }
            // The figures below are those of the interval that holds the traffic: read within its 3 s.
            awaitPublished(dir);

            final Cli.Result stat = Cli.run("stat", "--dir", dir.toString());
            assertThat(stat.exitCode()).isZero();
            assertThat(stat.out()).containsPattern("target GraphBsp\\s+received=" + SENT + " handled=" + SENT);
            final Map<String, String[]> rows = tableRows(stat.out());
            assertThat(rows).containsKeys("GraphBsp", "VectorSearch");
            final String[] graph = rows.get("GraphBsp");
            final String[] vector = rows.get("VectorSearch");
            assertThat(Long.parseLong(graph[2])).as("slow GraphBsp calls").isEqualTo(SENT);
            assertThat(Long.parseLong(vector[2])).as("slow VectorSearch calls").isLessThan(SENT / 4);
            assertThat(nanos(graph[8])).as("GraphBsp service p50").isGreaterThanOrEqualTo(
                TimeUnit.MILLISECONDS.toNanos(HANDLER_MS));
            assertThat(nanos(vector[8])).as("VectorSearch service p50").isLessThan(
                TimeUnit.MILLISECONDS.toNanos(HANDLER_MS));
            assertThat(stat.out().lines()).allMatch((line) -> line.length() <= 100 || line.contains("="),
                "table lines fit 100 columns");

            final HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).GET().build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                .hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
            final Map<String, Double> samples = OpenMetricsChecker.check(response.body());
            assertThat(samples).containsEntry("vshard_up", 1.0)
                .containsEntry("vshard_target_received_total{target=\"GraphBsp\"}", (double)SENT)
                .containsEntry("vshard_target_handled_total{target=\"VectorSearch\"}", (double)SENT)
                .containsEntry("vshard_target_slow_total{target=\"GraphBsp\"}", (double)SENT)
                .containsEntry("vshard_service_time_seconds_count{lane=\"0\",target=\"GraphBsp\"}", (double)SENT)
                .containsEntry("vshard_queue_wait_seconds_count{lane=\"1\",target=\"VectorSearch\"}", (double)SENT)
                .containsKey("vshard_lane_errors_by_code_total{lane=\"0\",code=\"NO_HANDLER\"}")
                .containsKey("vshard_transport_connections_active");
            assertThat(samples.get("vshard_service_time_seconds{lane=\"0\",target=\"GraphBsp\",quantile=\"0.5\"}"))
                .isGreaterThanOrEqualTo(HANDLER_MS / 1000.0);
            assertThat(samples.get("vshard_service_time_seconds_sum{lane=\"0\",target=\"GraphBsp\"}"))
                .isGreaterThanOrEqualTo(SENT * HANDLER_MS / 1000.0);

            final NodeContext second = new NodeContext().dir(dir);
            second.transport().bind("127.0.0.1:0").cluster("obs").nodeId(2).nodeCertificate(ca.issue(2));
            assertThatThrownBy(() -> VShardNode.launch(second))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a running node owns " + new File(dir, "counters.dat"));
            assertThat(Cli.run("stat", "--dir", dir.toString()).exitCode()).as("still running").isZero();
        }

        final Cli.Result stopped = Cli.run("stat", "--dir", dir.toString());
        assertThat(stopped.exitCode()).isEqualTo(1);
        assertThat(stopped.out()).contains("not running (last seen ").contains("stopped cleanly");
        final HttpResponse<String> down = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + exporter.awaitPort() + "/metrics")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        final Map<String, Double> downSamples = OpenMetricsChecker.check(down.body());
        assertThat(downSamples).containsEntry("vshard_up", 0.0).doesNotContainKey(
            "vshard_target_received_total{target=\"GraphBsp\"}");
        exporterThread.interrupt();
        exporterThread.join(10_000);
        assertThat(exporterThread.isAlive()).isFalse();
    }

    @Test
    void shouldServeUpZeroWhereNoNodeEverRan()
    {
        assertThat(OpenMetricsChecker.check(OpenMetricsFormat.format(null))).containsEntry("vshard_up", 0.0)
            .hasSize(1);
    }

    private static void awaitPublished(final File dir) throws InterruptedException
    {
        final AtomicInteger tries = new AtomicInteger();
        while (true)
        {
            final NodeStatus status = NodeStatus.read(dir);
            final boolean all = status.latency().stream()
                .filter((s) -> s.targetOrdinal() == DispatchTarget.GraphBsp.ordinal() ||
                    s.targetOrdinal() == DispatchTarget.VectorSearch.ordinal())
                .allMatch((s) -> s.serviceTime().totalCount() == SENT && s.serviceTime().count() > 0);
            if (all)
            {
                return;
            }
            assertThat(tries.incrementAndGet()).as("latency published: %s", status.latency()).isLessThan(200);
            Thread.sleep(50);
        }
    }

    private static Map<String, String[]> tableRows(final String out)
    {
        final Map<String, String[]> rows = new HashMap<>();
        final Matcher matcher = TABLE_ROW.matcher(out);
        while (matcher.find())
        {
            final String[] columns = new String[13];
            for (int i = 0; i < 13; i++)
            {
                columns[i] = matcher.group(i + 1);
            }
            rows.put(columns[0], columns);
        }
        return rows;
    }

    private static long nanos(final String duration)
    {
        final Matcher m = Pattern.compile("([0-9.]+)(ns|us|ms|s)").matcher(duration);
        assertThat(m.matches()).as(duration).isTrue();
        final double value = Double.parseDouble(m.group(1));
        return switch (m.group(2))
        {
            case "ns" -> (long)value;
            case "us" -> (long)(value * 1e3);
            case "ms" -> (long)(value * 1e6);
            default -> (long)(value * 1e9);
        };
    }

    private static void sleepAtLeast(final long ms)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (System.nanoTime() < deadlineNs)
        {
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
