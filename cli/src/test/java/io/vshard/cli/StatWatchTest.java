package io.vshard.cli;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.status.CounterRow;
import io.vshard.core.status.CountersFileDescriptor;
import io.vshard.core.status.LatencySnapshot;
import io.vshard.core.status.Liveness;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code --watch} screen: rates per second from two reads, the latency columns, 100 columns wide.
 */
class StatWatchTest
{
    private static final long START_MS = 1_700_000_000_000L;

    @Test
    void shouldShowRatesPerSecondAndLatencyColumnsWithin100Columns()
    {
        final NodeStatus before = status(Liveness.RUNNING, 1_000, 1_000, 0);
        final NodeStatus after = status(Liveness.RUNNING, 3_000, 501_000, 2);

        final String screen = new StatCommand().render(after, before);

        assertThat(screen.lines()).allSatisfy((line) -> assertThat(line.length()).as(line).isLessThanOrEqualTo(100));
        assertThat(screen).containsPattern("lane 0\\s+received/s=250000 handled/s=250000 bytes/s=16.00M")
            .containsPattern("transport\\s+connections=3 frames_in/s=250000")
            .containsPattern("target\\s+hdl/s\\s+slow\\s+p50")
            .containsPattern("(?m)^GraphBsp\\s+250000\\s+2\\s+1.50us\\s+2.00us\\s+3.00us\\s+40.0us\\s+1.20ms" +
                "\\s+850ns\\s+900ns\\s+12.0us\\s+120us\\s+3.40ms$");
    }

    @Test
    void shouldSayWhenTheNodeStopped()
    {
        final NodeStatus stopped = status(Liveness.PROCESS_GONE, 1_000, 1_000, 0);

        final String screen = new StatCommand().render(stopped, null);

        assertThat(screen).contains("not running (last seen ").contains("pid 42 is gone")
            .contains("(rates from the next refresh");
        assertThat(screen.lines()).allSatisfy((line) -> assertThat(line.length()).as(line).isLessThanOrEqualTo(100));
    }

    private static NodeStatus status(final Liveness liveness, final long atMs, final long handled, final long slow)
    {
        final int lane = CountersFileDescriptor.LANE_TYPE_ID;
        final int target = CountersFileDescriptor.TARGET_TYPE_ID;
        final int transport = CountersFileDescriptor.TRANSPORT_TYPE_ID;
        final List<CounterRow> rows = List.of(
            new CounterRow(lane, "lane 0", "received", handled),
            new CounterRow(lane, "lane 0", "handled", handled),
            new CounterRow(lane, "lane 0", "bytes", handled * 64),
            new CounterRow(lane, "lane 0", "errors", 0),
            new CounterRow(target, "target GraphBsp", "received", handled),
            new CounterRow(target, "target GraphBsp", "handled", handled),
            new CounterRow(target, "target GraphBsp", "slow", slow),
            new CounterRow(transport, "transport", "connections active", 3),
            new CounterRow(transport, "transport", "frames in", handled));
        final LatencySnapshot graph = new LatencySnapshot(DispatchTarget.GraphBsp.ordinal(), 0, START_MS, atMs,
            new LatencySnapshot.Metric(10, 1_500, 2_000, 3_000, 40_000, 1_200_000, 10, 1_000_000),
            new LatencySnapshot.Metric(10, 850, 900, 12_000, 120_000, 3_400_000, 10, 5_000_000));
        return new NodeStatus(liveness, 42, START_MS, START_MS + atMs, START_MS + atMs, rows, List.of(graph));
    }
}
