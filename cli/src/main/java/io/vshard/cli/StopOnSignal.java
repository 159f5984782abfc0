package io.vshard.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT) or SIGTERM during a run: a shutdown hook asks the run to stop, then holds the JVM's exit until the
 * command has reported what it has and cleaned up ({@link #close()}), at most {@link #GRACE_MS}; if the command does
 * not finish in time, the hook runs the last-resort clean-up itself.
 * <p>
 * Use: create before the run, {@link #close()} on every exit path after the report and clean-up.
 */
final class StopOnSignal implements AutoCloseable
{
    /** How long the exit waits for the command to report and clean up. */
    static final long GRACE_MS = 20_000;

    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean signalled;

    /**
     * Install the hook.
     *
     * @param stop       asks the run to stop (called on the hook's thread).
     * @param lastResort clean-up the hook runs itself when the command has not finished within the grace period.
     */
    StopOnSignal(final Runnable stop, final Runnable lastResort)
    {
        hook = new Thread(() ->
        {
            signalled = true;
            stop.run();
            try
            {
                if (!finished.await(GRACE_MS, TimeUnit.MILLISECONDS))
                {
                    lastResort.run();
                }
            }
            catch (final InterruptedException ex)
            {
                lastResort.run();
            }
        }, "vshard-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Whether a signal asked the run to stop.
     *
     * @return true after SIGINT or SIGTERM.
     */
    boolean signalled()
    {
        return signalled;
    }

    /**
     * The command has reported and cleaned up: let the exit go on, or remove the hook when no signal came.
     */
    public void close()
    {
        finished.countDown();
        if (!signalled)
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ex)
            {
                // The JVM is already shutting down (System.exit elsewhere): the hook runs and finds us finished.
            }
        }
    }
}
