package io.vshard.transport.client;

/**
 * A clock the client's I/O thread keeps, so that senders stamp deadlines without a clock read of their own. The I/O
 * thread advances it at least every {@link #maxLagNs()} (its expiry tick) and on its drains, writing only when the
 * time moved by {@link #RESOLUTION_NS} or more, so senders on other cores read a line that rarely changes. The time
 * read lags the true time by at most {@link #maxLagNs()} (plus scheduling delays of the I/O thread).
 */
final class CoarseClock
{
    /** The clock moves in steps of at least this. */
    static final long RESOLUTION_NS = 1_000_000;

    private final long maxLagNs;
    private volatile long nowNs;

    /**
     * A clock set to the time now.
     *
     * @param maxLagNs how often the owner advances it at least.
     */
    CoarseClock(final long maxLagNs)
    {
        this.maxLagNs = maxLagNs;
        this.nowNs = System.nanoTime();
    }

    /**
     * Any thread: the time, in {@link System#nanoTime()} terms, at most {@link #maxLagNs()} behind.
     *
     * @return the coarse time.
     */
    long nowNs()
    {
        return nowNs;
    }

    /**
     * How far behind the true time {@link #nowNs()} may be.
     *
     * @return the lag bound.
     */
    long maxLagNs()
    {
        return maxLagNs;
    }

    /**
     * The owning I/O thread: a time it has just read.
     *
     * @param timeNs from {@link System#nanoTime()}.
     */
    void advance(final long timeNs)
    {
        if (timeNs - nowNs >= RESOLUTION_NS)
        {
            nowNs = timeNs;
        }
    }
}
