package io.vshard.core.dispatch;

import io.vshard.core.pipeline.WaitStrategyKind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which lane hosts which {@link DispatchTarget}: every target in exactly one lane.
 * <p>
 * Text syntax, lanes separated by {@code ;}: {@code targets[@cpu][/wait]}, where targets is a comma-separated list of
 * target names or {@code *} for every target no other lane names. Example:
 * {@code TimeseriesScan,TimeseriesRetention@2;VectorSearch@3/busy-spin;*}.
 */
public final class LaneLayout
{
    private final List<LaneSpec> lanes;
    private final int[] laneByTarget = new int[DispatchTarget.COUNT];

    /**
     * A layout from lane specifications. Every target must be hosted by exactly one lane.
     *
     * @param lanes the lanes, in lane-id order.
     * @throws IllegalArgumentException if a target is missing or hosted twice.
     */
    public LaneLayout(final List<LaneSpec> lanes)
    {
        if (lanes.isEmpty())
        {
            throw new IllegalArgumentException("a layout needs at least one lane");
        }
        this.lanes = List.copyOf(lanes);
        Arrays.fill(laneByTarget, -1);
        for (int laneId = 0; laneId < lanes.size(); laneId++)
        {
            for (final DispatchTarget target : lanes.get(laneId).targets())
            {
                if (-1 != laneByTarget[target.ordinal()])
                {
                    throw new IllegalArgumentException("target in two lanes: target=" + target +
                        " lanes=" + laneByTarget[target.ordinal()] + "," + laneId);
                }
                laneByTarget[target.ordinal()] = laneId;
            }
        }
        for (final DispatchTarget target : DispatchTarget.values())
        {
            if (-1 == laneByTarget[target.ordinal()])
            {
                throw new IllegalArgumentException("target in no lane: target=" + target +
                    " (add it to a lane or end the layout with '*')");
            }
        }
    }

    /**
     * Parse the text syntax described on this class.
     *
     * @param text such as {@code TimeseriesScan@2;*}.
     * @return the layout.
     * @throws IllegalArgumentException with the offending part when the text is not a valid layout.
     */
    public static LaneLayout parse(final String text)
    {
        final String[] parts = text.trim().split(";");
        final List<String> targetLists = new ArrayList<>();
        final List<Integer> cpus = new ArrayList<>();
        final List<WaitStrategyKind> waits = new ArrayList<>();
        int wildcardLane = -1;
        final EnumSet<DispatchTarget> named = EnumSet.noneOf(DispatchTarget.class);
        for (final String rawPart : parts)
        {
            String part = rawPart.trim();
            if (part.isEmpty())
            {
                throw new IllegalArgumentException("empty lane in layout: layout=" + text);
            }
            WaitStrategyKind wait = null;
            final int slash = part.indexOf('/');
            if (slash >= 0)
            {
                wait = WaitStrategyKind.parse(part.substring(slash + 1));
                part = part.substring(0, slash);
            }
            int cpu = LaneSpec.NO_CPU;
            final int at = part.indexOf('@');
            if (at >= 0)
            {
                try
                {
                    cpu = Integer.parseInt(part.substring(at + 1).trim());
                }
                catch (final NumberFormatException ex)
                {
                    throw new IllegalArgumentException("bad cpu in lane: lane=" + rawPart.trim(), ex);
                }
                part = part.substring(0, at);
            }
            final String targets = part.trim();
            if ("*".equals(targets))
            {
                if (-1 != wildcardLane)
                {
                    throw new IllegalArgumentException("'*' used twice in layout: layout=" + text);
                }
                wildcardLane = targetLists.size();
            }
            else
            {
                for (final String name : targets.split(","))
                {
                    if (!named.add(DispatchTarget.byName(name)))
                    {
                        throw new IllegalArgumentException("target in two lanes: target=" + name.trim());
                    }
                }
            }
            targetLists.add(targets);
            cpus.add(cpu);
            waits.add(wait);
        }

        final List<LaneSpec> lanes = new ArrayList<>();
        for (int i = 0; i < targetLists.size(); i++)
        {
            final Set<DispatchTarget> targets;
            if (i == wildcardLane)
            {
                targets = EnumSet.complementOf(named);
                if (targets.isEmpty())
                {
                    throw new IllegalArgumentException("'*' lane has no targets left: layout=" + text);
                }
            }
            else
            {
                targets = EnumSet.noneOf(DispatchTarget.class);
                for (final String name : targetLists.get(i).split(","))
                {
                    targets.add(DispatchTarget.byName(name));
                }
            }
            lanes.add(new LaneSpec(targets, cpus.get(i), waits.get(i)));
        }
        return new LaneLayout(lanes);
    }

    /**
     * The lanes in lane-id order.
     *
     * @return an immutable list.
     */
    public List<LaneSpec> lanes()
    {
        return lanes;
    }

    /**
     * Number of lanes.
     *
     * @return the lane count.
     */
    public int laneCount()
    {
        return lanes.size();
    }

    /**
     * The lane hosting a target.
     *
     * @param target to look up.
     * @return the lane id.
     */
    public int laneOf(final DispatchTarget target)
    {
        return laneByTarget[target.ordinal()];
    }

    /**
     * The layout in its text syntax.
     *
     * @return text that {@link #parse(String)} reads back to an equal layout.
     */
    public String describe()
    {
        final StringBuilder sb = new StringBuilder();
        for (final LaneSpec lane : lanes)
        {
            if (sb.length() > 0)
            {
                sb.append(';');
            }
            sb.append(lane.describe());
        }
        return sb.toString();
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return describe();
    }
}
