package io.vshard.core.pipeline;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;

/**
 * How a lane thread waits for work. Busy-spin is for lanes pinned to isolated cores; the others share a machine.
 */
public enum WaitStrategyKind
{
    /** Spin on the sequence: lowest latency, burns its core. Only for isolated, pinned CPUs. */
    BUSY_SPIN("busy-spin"),
    /** Spin, then {@link Thread#yield()}: low latency, burns a core unless other threads want it. */
    YIELDING("yielding"),
    /**
     * Spin, yield, then park for 100 ns at a time (~50 us on Linux): no cost to publishers, but an idle lane wakes
     * ~20,000 times a second.
     */
    SLEEPING("sleeping"),
    /**
     * Spin, yield, then park until a publisher wakes it ({@link ParkingWaitStrategy}): no CPU when idle, publishers
     * pay a fenced read per publication and an unpark only when the lane sleeps. The default.
     */
    PARKING("parking"),
    /** Lock and condition: no CPU when idle; publishers pay a signal per publication. */
    BLOCKING("blocking");

    private final String label;

    WaitStrategyKind(final String label)
    {
        this.label = label;
    }

    /**
     * The name used in configuration, for example {@code busy-spin}.
     *
     * @return the label.
     */
    public String label()
    {
        return label;
    }

    /**
     * A new Disruptor wait strategy of this kind.
     *
     * @return the strategy.
     */
    public WaitStrategy newWaitStrategy()
    {
        switch (this)
        {
            case BUSY_SPIN:
                return new BusySpinWaitStrategy();
            case YIELDING:
                return new YieldingWaitStrategy();
            case SLEEPING:
                return new SleepingWaitStrategy();
            case PARKING:
                return new ParkingWaitStrategy();
            case BLOCKING:
                return new BlockingWaitStrategy();
            default:
                throw new IllegalStateException("unknown wait strategy: " + this);
        }
    }

    /**
     * Parse a configuration label ({@code busy-spin}, {@code yielding}, {@code sleeping}, {@code parking},
     * {@code blocking}); the enum names are accepted too.
     *
     * @param text to parse.
     * @return the kind.
     * @throws IllegalArgumentException for anything else.
     */
    public static WaitStrategyKind parse(final String text)
    {
        final String value = text.trim();
        for (final WaitStrategyKind kind : values())
        {
            if (kind.label.equalsIgnoreCase(value) || kind.name().equalsIgnoreCase(value))
            {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown wait strategy: value=" + text +
            " (expected busy-spin, yielding, sleeping, parking or blocking)");
    }
}
