package io.vshard.transport;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition that only a counter or a poll can show (no event to latch on), parking between checks.
 */
final class Await
{
    private Await()
    {
    }

    /**
     * Wait until the condition holds.
     *
     * @param what      for the failure message.
     * @param timeoutMs longest wait.
     * @param condition checked every millisecond or so.
     * @throws AssertionError when the time runs out.
     */
    static void until(final String what, final long timeoutMs, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
