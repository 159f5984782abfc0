package io.vshard.cli;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.status.CounterRow;
import io.vshard.core.status.CountersFile;
import io.vshard.core.status.LatencySnapshot;
import io.vshard.core.status.Liveness;

import java.io.File;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a reader takes from a node's counters file at one instant: who owns it and whether it runs, the
 * counters, and the latest latency interval per target. The file is mapped for the read only, so a restarted node's
 * new file is picked up on the next read.
 *
 * @param liveness    whether the owner runs.
 * @param pid         the owner's process id.
 * @param startMs     when the owner started, epoch ms.
 * @param heartbeatMs the owner's last heartbeat, epoch ms.
 * @param readMs      when this was read, epoch ms.
 * @param counters    every counter.
 * @param latency     the latest interval of each target a lane hosts.
 */
record NodeStatus(
    Liveness liveness,
    long pid,
    long startMs,
    long heartbeatMs,
    long readMs,
    List<CounterRow> counters,
    List<LatencySnapshot> latency)
{
    /**
     * Read a node's directory.
     *
     * @param dir the node's {@code --dir}.
     * @return the status.
     * @throws IllegalStateException when there is no counters file (yet).
     */
    static NodeStatus read(final File dir)
    {
        try (CountersFile file = CountersFile.open(dir))
        {
            final long nowMs = System.currentTimeMillis();
            final List<LatencySnapshot> latency = new ArrayList<>();
            if (file.latencySection().capacity() > 0)
            {
                for (int target = 0; target < DispatchTarget.COUNT; target++)
                {
                    final LatencySnapshot snapshot = LatencySnapshot.read(file.latencySection(), target);
                    if (null != snapshot && snapshot.laneId() >= 0)
                    {
                        latency.add(snapshot);
                    }
                }
            }
            return new NodeStatus(file.liveness(nowMs), file.pid(), file.startTimeMs(), file.heartbeatMs(), nowMs,
                CounterRow.readAll(file.reader()), latency);
        }
    }

    boolean isRunning()
    {
        return Liveness.RUNNING == liveness;
    }

    /**
     * The one line said of a node that does not run.
     *
     * @return such as {@code not running (last seen 2024-..., 12.3 s ago; pid 42 is gone)}.
     */
    String notRunningLine()
    {
        final String why = switch (liveness)
        {
            case CLOSED -> "stopped cleanly";
            case PROCESS_GONE -> "pid " + pid + " is gone";
            case STALE -> "pid " + pid + " no longer updates its heartbeat";
            case RUNNING -> "running";
        };
        return String.format("not running (last seen %s, %.1f s ago; %s)",
            Instant.ofEpochMilli(heartbeatMs), (readMs - heartbeatMs) / 1000.0, why);
    }

    long counter(final String scope, final String metric)
    {
        for (final CounterRow row : counters)
        {
            if (row.scope().equals(scope) && row.metric().equals(metric))
            {
                return row.value();
            }
        }
        return 0;
    }
}
