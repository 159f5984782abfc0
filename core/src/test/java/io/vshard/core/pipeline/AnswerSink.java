package io.vshard.core.pipeline;

import io.vshard.core.reply.CallbackReplyDestination;
import io.vshard.core.reply.OutboundQueue;
import io.vshard.core.reply.ReplyCallback;
import io.vshard.core.reply.ReplyDestination;
import io.vshard.core.reply.ReplyFrameHandler;
import org.agrona.DirectBuffer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Collects the answers a pipeline sends, through either kind of {@link ReplyDestination}: a
 * {@link CallbackReplyDestination} (answers arrive on lane threads) or an {@link OutboundQueue} (drained by the
 * thread that awaits). Allocates; tests only.
 */
abstract class AnswerSink implements ReplyCallback, ReplyFrameHandler
{
    private final List<Answer> answers = new ArrayList<>();

    /**
     * The kinds of destination, for parameterized tests.
     */
    enum Kind
    {
        CALLBACK(Callback::new),
        OUTBOUND_QUEUE(Queue::new);

        private final Function<BufferPool, AnswerSink> factory;

        Kind(final Function<BufferPool, AnswerSink> factory)
        {
            this.factory = factory;
        }

        AnswerSink create(final BufferPool pool)
        {
            return factory.apply(pool);
        }
    }

    abstract ReplyDestination destination();

    /**
     * Called while awaiting, on the awaiting thread: deliver what is pending.
     */
    void poll()
    {
    }

    public void onReply(final long replyAddress, final DirectBuffer buffer, final int offset, final int length)
    {
        add(Answer.decode(replyAddress, buffer, offset, length));
    }

    public void onReplyFrame(final long replyAddress, final DirectBuffer buffer, final int offset, final int length)
    {
        add(Answer.decode(replyAddress, buffer, offset, length));
    }

    synchronized void add(final Answer answer)
    {
        answers.add(answer);
    }

    synchronized List<Answer> answers()
    {
        return List.copyOf(answers);
    }

    synchronized int size()
    {
        return answers.size();
    }

    /**
     * Wait until at least {@code count} answers arrived.
     *
     * @return all answers so far, in arrival order.
     * @throws AssertionError naming what arrived when the time runs out.
     */
    List<Answer> await(final int count, final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            poll();
            if (size() >= count)
            {
                return answers();
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("expected " + count + " answers within " + timeout + ", got " + answers());
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
    }

    Answer awaitOne(final long correlationId, final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            poll();
            for (final Answer answer : answers())
            {
                if (answer.correlationId() == correlationId)
                {
                    return answer;
                }
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("no answer to correlationId=" + correlationId + " within " + timeout +
                    ", got " + answers());
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
    }

    List<Answer> answersTo(final long correlationId)
    {
        poll();
        return answers().stream().filter((a) -> a.correlationId() == correlationId).toList();
    }

    static final class Callback extends AnswerSink
    {
        private final CallbackReplyDestination destination = new CallbackReplyDestination(this);

        Callback(final BufferPool ignored)
        {
        }

        ReplyDestination destination()
        {
            return destination;
        }

        public String toString()
        {
            return "callback";
        }
    }

    static final class Queue extends AnswerSink
    {
        private final OutboundQueue queue;

        Queue(final BufferPool pool)
        {
            // Small on purpose: records are at most 8 KiB, so larger replies take the pooled path.
            queue = new OutboundQueue(64 * 1024, pool, null);
        }

        ReplyDestination destination()
        {
            return queue;
        }

        OutboundQueue queue()
        {
            return queue;
        }

        void poll()
        {
            while (queue.drain(this, 64) > 0)
            {
                Thread.onSpinWait();
            }
        }

        public String toString()
        {
            return "outbound queue";
        }
    }
}
