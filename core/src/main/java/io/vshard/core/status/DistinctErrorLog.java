package io.vshard.core.status;

import org.agrona.ErrorHandler;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * An {@link ErrorHandler} that logs each distinct error once per interval and counts its repeats, modelled on Aeron's
 * {@code DistinctErrorLog}: two errors are the same when they have the same class, message and top stack frames. The
 * first occurrence is printed with its stack trace; repeats within the interval are only counted, and the first
 * repeat after the interval prints one line with the count since the last line. A flood of one failure (a direct
 * memory shortage, a handler throwing on every envelope) thus costs a counter increment each, not a stack trace.
 * <p>
 * Any thread; the error path is the control plane (it allocates the key). Occurrences are counted under a lock.
 */
public final class DistinctErrorLog implements ErrorHandler
{
    /** Default interval between two lines for the same error. */
    public static final long INTERVAL_MS_DEFAULT = 10_000;

    /** Stack frames that, with the class and message, tell errors apart. */
    static final int KEY_FRAMES = 3;

    private final PrintStream out;
    private final String prefix;
    private final long intervalNs;
    private final LongSupplier nanoClock;
    private final Map<String, Entry> entries = new HashMap<>();
    private long total;

    /**
     * A log to {@code System.err} with the default interval.
     *
     * @param prefix at the start of every line, naming the component.
     */
    public DistinctErrorLog(final String prefix)
    {
        this(System.err, prefix, INTERVAL_MS_DEFAULT, System::nanoTime);
    }

    /**
     * A log with its own stream, interval and clock (tests).
     *
     * @param out        where lines go.
     * @param prefix     at the start of every line.
     * @param intervalMs between two lines for the same error.
     * @param nanoClock  the time in nanoseconds.
     */
    public DistinctErrorLog(
        final PrintStream out, final String prefix, final long intervalMs, final LongSupplier nanoClock)
    {
        this.out = out;
        this.prefix = prefix;
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        this.nanoClock = nanoClock;
    }

    /**
     * {@inheritDoc}
     */
    public void onError(final Throwable throwable)
    {
        final String key = key(throwable);
        final long nowNs = nanoClock.getAsLong();
        final long repeats;
        final boolean first;
        synchronized (this)
        {
            total++;
            Entry entry = entries.get(key);
            first = null == entry;
            if (first)
            {
                entry = new Entry(nowNs);
                entries.put(key, entry);
            }
            else
            {
                entry.unlogged++;
                if (nowNs - entry.lastLoggedNs < intervalNs)
                {
                    return;
                }
                entry.lastLoggedNs = nowNs;
            }
            entry.count++;
            repeats = entry.unlogged;
            entry.unlogged = 0;
        }
        if (first)
        {
            out.println(System.currentTimeMillis() + " " + prefix + " error: " + throwable);
            throwable.printStackTrace(out);
        }
        else
        {
            out.println(System.currentTimeMillis() + " " + prefix + " error repeated " + repeats + " time(s) since " +
                "last logged: " + throwable);
        }
    }

    /**
     * Errors seen in all, logged or not.
     *
     * @return the count.
     */
    public synchronized long totalCount()
    {
        return total;
    }

    /**
     * Distinct errors seen.
     *
     * @return the count.
     */
    public synchronized int distinctCount()
    {
        return entries.size();
    }

    static String key(final Throwable throwable)
    {
        final StringBuilder key = new StringBuilder(128)
            .append(throwable.getClass().getName()).append(": ").append(throwable.getMessage());
        final StackTraceElement[] frames = throwable.getStackTrace();
        for (int i = 0; i < Math.min(KEY_FRAMES, frames.length); i++)
        {
            key.append('\n').append(frames[i]);
        }
        return key.toString();
    }

    private static final class Entry
    {
        long lastLoggedNs;
        long count;
        long unlogged;

        Entry(final long nowNs)
        {
            lastLoggedNs = nowNs;
        }
    }
}
