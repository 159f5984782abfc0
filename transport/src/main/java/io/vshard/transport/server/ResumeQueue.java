package io.vshard.transport.server;

import java.util.Arrays;

/**
 * Streams of one I/O thread that wait for lane room, retried in a fair order: a stream that took room on a pass goes
 * to the back, behind those that got none, so under sustained overload every paused stream gets its turn instead of
 * the first ones taking all the room a lane frees and the later ones starving (which left a whole connection silent
 * until QUIC's idle timeout closed it). Only the I/O thread.
 */
final class ResumeQueue
{
    /**
     * A stream that can be retried.
     */
    interface Resumable
    {
        /** Retry result: still waiting, and nothing was taken this time. */
        int STILL_PAUSED = 0;

        /** Retry result: still waiting, after some frames were taken. */
        int PAUSED_AFTER_PROGRESS = 1;

        /** Retry result: no longer waiting for lane room (resumed, closed or reset). */
        int DONE = 2;

        /**
         * Retry the frames held since a lane refused one.
         *
         * @return {@link #STILL_PAUSED}, {@link #PAUSED_AFTER_PROGRESS} or {@link #DONE}.
         */
        int retry();
    }

    private Resumable[] queue = new Resumable[16];
    private Resumable[] pass = new Resumable[16];
    private Resumable[] progressed = new Resumable[16];
    private int size;

    /**
     * Add a stream at the back.
     *
     * @param stream that a lane refused.
     */
    void add(final Resumable stream)
    {
        if (size == queue.length)
        {
            queue = Arrays.copyOf(queue, size * 2);
        }
        queue[size++] = stream;
    }

    /**
     * Forget a stream (closed), keeping the order of the others.
     *
     * @param stream to remove.
     */
    void remove(final Resumable stream)
    {
        for (int i = 0; i < size; i++)
        {
            if (queue[i] == stream)
            {
                System.arraycopy(queue, i + 1, queue, i, size - i - 1);
                queue[--size] = null;
                return;
            }
        }
    }

    /**
     * Streams waiting.
     *
     * @return the count.
     */
    int size()
    {
        return size;
    }

    /**
     * Retry every waiting stream once, front to back. Those that took nothing keep their place in front, in order,
     * then come streams added during the pass (a resumed stream that read on and was refused again), then those that
     * took room. A stream may add or remove streams from inside {@link Resumable#retry()}.
     */
    void retryAll()
    {
        final int count = size;
        if (pass.length < count)
        {
            pass = new Resumable[queue.length];
            progressed = new Resumable[queue.length];
        }
        System.arraycopy(queue, 0, pass, 0, count);
        Arrays.fill(queue, 0, count, null);
        size = 0;
        int stalled = 0;
        int progressedCount = 0;
        for (int i = 0; i < count; i++)
        {
            final Resumable stream = pass[i];
            pass[i] = null;
            final int result = stream.retry();
            if (Resumable.STILL_PAUSED == result)
            {
                pass[stalled++] = stream;
            }
            else if (Resumable.PAUSED_AFTER_PROGRESS == result)
            {
                progressed[progressedCount++] = stream;
            }
        }
        final int added = size;
        final int total = stalled + added + progressedCount;
        if (queue.length < total)
        {
            queue = Arrays.copyOf(queue, Math.max(total, queue.length * 2));
        }
        System.arraycopy(queue, 0, queue, stalled, added);
        System.arraycopy(pass, 0, queue, 0, stalled);
        System.arraycopy(progressed, 0, queue, stalled + added, progressedCount);
        Arrays.fill(pass, 0, stalled, null);
        Arrays.fill(progressed, 0, progressedCount, null);
        size = total;
    }
}
