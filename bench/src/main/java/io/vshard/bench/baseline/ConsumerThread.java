package io.vshard.bench.baseline;

/**
 * A baseline's consumer: one daemon thread running a poll step until stopped, waiting as a lane with the same wait
 * strategy does while the step finds nothing: {@code busy-spin} spins; {@code yielding} spins 100 times then yields,
 * as Disruptor's {@code YieldingWaitStrategy}. The step returns how many messages it handled.
 * <p>
 * Threading: {@link #start()} and {@link #stop()} from the benchmark's set-up and tear-down thread.
 */
public final class ConsumerThread
{
    /**
     * One poll of a baseline's consumer.
     */
    @FunctionalInterface
    public interface PollStep
    {
        /**
         * Take and handle what is available.
         *
         * @return messages handled, 0 when none was available.
         */
        int poll();
    }

    private static final int SPINS_BEFORE_YIELD = 100;

    private final Thread thread;
    private volatile boolean running = true;

    /**
     * A consumer thread, not started.
     *
     * @param name         of the thread.
     * @param waitStrategy {@code busy-spin} or {@code yielding}.
     * @param step         the poll step.
     * @throws IllegalArgumentException for another wait strategy.
     */
    public ConsumerThread(final String name, final String waitStrategy, final PollStep step)
    {
        final int spinsBeforeYield;
        switch (waitStrategy)
        {
            case "busy-spin":
                spinsBeforeYield = Integer.MAX_VALUE;
                break;
            case "yielding":
                spinsBeforeYield = SPINS_BEFORE_YIELD;
                break;
            default:
                throw new IllegalArgumentException(
                    "baselines wait with busy-spin or yielding: waitStrategy=" + waitStrategy);
        }
        thread = new Thread(() ->
        {
            int idle = 0;
            while (running)
            {
                if (0 != step.poll())
                {
                    idle = 0;
                }
                else if (++idle < spinsBeforeYield)
                {
                    Thread.onSpinWait();
                }
                else
                {
                    Thread.yield();
                }
            }
        }, name);
        thread.setDaemon(true);
    }

    /**
     * Start the thread.
     */
    public void start()
    {
        thread.start();
    }

    /**
     * Stop the thread and join it.
     *
     * @throws InterruptedException if interrupted while joining.
     */
    public void stop() throws InterruptedException
    {
        running = false;
        thread.join();
    }
}
