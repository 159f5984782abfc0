package io.vshard.core.dispatch;

import io.vshard.core.pipeline.WaitStrategyKind;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One lane of a {@link LaneLayout}: the targets it hosts, the CPU its thread is pinned to, how it waits.
 *
 * @param targets      hosted by the lane; not empty.
 * @param cpu          to pin the lane thread to, or {@link #NO_CPU}.
 * @param waitStrategy for this lane, or {@code null} for the context's default.
 */
public record LaneSpec(Set<DispatchTarget> targets, int cpu, WaitStrategyKind waitStrategy)
{
    /** The CPU value meaning "not pinned". */
    public static final int NO_CPU = -1;

    /**
     * Validating constructor; copies the targets.
     *
     * @param targets      hosted by the lane; not empty.
     * @param cpu          to pin the lane thread to, or {@link #NO_CPU}.
     * @param waitStrategy for this lane, or {@code null}.
     */
    public LaneSpec
    {
        if (targets.isEmpty())
        {
            throw new IllegalArgumentException("a lane must host at least one target");
        }
        if (cpu < NO_CPU)
        {
            throw new IllegalArgumentException("cpu must be >= 0 or unset: cpu=" + cpu);
        }
        targets = Set.copyOf(EnumSet.copyOf(targets));
    }

    /**
     * A readable description, for example {@code TimeseriesScan,TimeseriesRetention@2/sleeping}.
     *
     * @return the description in layout syntax.
     */
    public String describe()
    {
        final StringBuilder sb = new StringBuilder(EnumSet.copyOf(targets).stream()
            .map(DispatchTarget::name)
            .collect(Collectors.joining(",")));
        if (NO_CPU != cpu)
        {
            sb.append('@').append(cpu);
        }
        if (null != waitStrategy)
        {
            sb.append('/').append(waitStrategy.label());
        }
        return sb.toString();
    }
}
