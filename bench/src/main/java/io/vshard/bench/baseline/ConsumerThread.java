package io.vshard.bench.baseline;

/**
 * A baseline's consumer: one daemon thread running a poll step until stopped, spinning while the step finds nothing,
 * as a busy-spin lane does. The step returns how many messages it handled.
 * <p>
 * Threading: {@link #start()} and {@link #stop()} from the benchmark's set-up and tear-down thread.
 */
final class ConsumerThread
{
    /**
     * One poll of a baseline's consumer.
     */
    @FunctionalInterface
    interface PollStep
    {
        /**
         * Take and handle what is available.
         *
         * @return messages handled, 0 when none was available.
         */
        int poll();
    }

    private final Thread thread;
    private volatile boolean running = true;

    ConsumerThread(final String name, final PollStep step)
    {
        thread = new Thread(() ->
        {
            while (running)
            {
                if (0 == step.poll())
                {
                    Thread.onSpinWait();
                }
            }
        }, name);
        thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    void stop() throws InterruptedException
    {
        running = false;
        thread.join();
    }
}
