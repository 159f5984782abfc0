package io.vshard.bench.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class ReportTest
{
    private static final String PARAMS = "{\"busyPoll\":\"false\",\"payload\":\"64\",\"streams\":\"1\"}";

    @TempDir
    Path dir;

    @Test
    void shouldPairTheCallbackPingPongWithTheBarePingPongNotWithTheEchoRate() throws IOException
    {
        Files.writeString(dir.resolve("quic.json"), "[" + String.join(",",
            thrpt("nodeRequestReply", "answered", 600_000),
            thrpt("bareQuicBaselineEcho", "roundTrips", 1_500_000),
            thrpt("nodePingPong", "answered", 20_000),
            sample("bareQuicBaselinePingPong", 40.0),
            sample("nodeRequestReplyLatency", 100.0)) + "]", StandardCharsets.UTF_8);

        Report.main(new String[] {dir.toString(), "test"});

        final String summary = Files.readString(dir.resolve("SUMMARY.md"), StandardCharsets.UTF_8);
        final List<String> rates = rows(summary, "## QUIC: the node against bare Netty QUIC");
        final List<String> oneInFlight = rows(summary, "## QUIC: one request in flight");
        assertThat(rates).singleElement().asString()
            .contains("nodeRequestReply |").contains("| 0.40× ").contains("≥ 1 M/s");
        // 20,000 round trips/s one at a time: a 50 µs mean against the bare ping-pong's 40 µs.
        assertThat(oneInFlight).hasSize(2);
        assertThat(oneInFlight.get(0)).contains("nodePingPong").contains("| 50.0 | 40.0 | 1.25× | **met**");
        assertThat(oneInFlight.get(1)).contains("nodeRequestReplyLatency").contains("| 100.0 | 40.0 | 2.50× |")
            .contains("**not met**");
    }

    /** The node's rows of the table under a heading. */
    private static List<String> rows(final String summary, final String heading)
    {
        assertThat(summary).contains(heading);
        final String section = summary.substring(summary.indexOf(heading) + heading.length());
        final int end = section.indexOf("\n## ");
        return Arrays.stream((end < 0 ? section : section.substring(0, end)).split("\n"))
            .filter((line) -> line.startsWith("| QuicEndToEnd.node")).collect(Collectors.toList());
    }

    private static String thrpt(final String method, final String counter, final double perSecond)
    {
        return "{\"benchmark\":\"io.vshard.bench.quic.QuicEndToEnd." + method + "\",\"mode\":\"thrpt\"," +
            "\"threads\":1,\"params\":" + PARAMS + ",\"primaryMetric\":" + metric(1000, "ops/s") +
            ",\"secondaryMetrics\":{\"" + counter + "\":" + metric(perSecond, "ops/s") + "}}";
    }

    private static String sample(final String method, final double meanUs)
    {
        return "{\"benchmark\":\"io.vshard.bench.quic.QuicEndToEnd." + method + "\",\"mode\":\"sample\"," +
            "\"threads\":1,\"params\":" + PARAMS + ",\"primaryMetric\":" + metric(meanUs, "us/op") +
            ",\"secondaryMetrics\":{}}";
    }

    private static String metric(final double score, final String unit)
    {
        return "{\"score\":" + score + ",\"scoreError\":0.0,\"scoreUnit\":\"" + unit + "\",\"rawData\":[[" + score +
            "," + score + "]]}";
    }
}
