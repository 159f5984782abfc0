package io.vshard.transport.server;

import io.netty.channel.EventLoop;
import io.vshard.core.pipeline.ExclusivePublisher;
import io.vshard.core.pipeline.Pipeline;
import io.vshard.core.reply.OutboundQueue;
import io.vshard.core.reply.ReplyFrameHandler;
import io.vshard.transport.ServerContext;
import io.vshard.transport.TransportCounters;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What one server I/O thread owns: its streams, the {@link OutboundQueue} that lane threads write their answers
 * into, the streams waiting for lane room, and the tasks that drain answers and resume streams. Lane threads call
 * only {@link #onRepliesPending()} and {@link #scheduleResume()}; everything else runs on the event loop.
 */
final class ServerIoLoop implements ReplyFrameHandler
{
    private static final int DRAIN_LIMIT = 4096;
    private static final long RESUME_CHECK_INTERVAL_MS = 50;
    // Answers a stream may hold that quiche has not taken yet before the stream stops reading requests.
    private static final int ANSWER_BACKLOG_BATCHES = 4;
    // The partial-frame and unread-answers timeouts are checked this many times per timeout (and at least once a
    // second): a stream is reset, a connection closed, between the timeout and a quarter more.
    private static final int PARTIAL_FRAME_CHECKS_PER_TIMEOUT = 4;
    private static final long PARTIAL_FRAME_CHECK_MAX_INTERVAL_MS = 1_000;

    final EventLoop eventLoop;
    final OutboundQueue replies;
    final StreamTable streams = new StreamTable();
    final ResumeQueue paused = new ResumeQueue();
    final Pipeline pipeline;
    /** This event loop's own way into the lanes: only this loop's thread offers through it. */
    final ExclusivePublisher publisher;
    final ServerContext ctx;
    final TransportCounters counters;
    final ErrorHandler errorHandler;
    final int maxFrameLengthField;
    final long answerBacklogBytes;
    final long nodeId;
    private final Runnable drainTask = this::drain;
    private final Runnable resumeTask = this::resume;
    private final long partialFrameTimeoutNs;
    private final long replyUnreadTimeoutNs;
    private final AtomicBoolean resumeScheduled = new AtomicBoolean();
    private InboundStream[] dirty = new InboundStream[16];
    private int dirtyCount;

    ServerIoLoop(
        final EventLoop eventLoop,
        final Pipeline pipeline,
        final ServerContext ctx,
        final TransportCounters counters,
        final ErrorHandler errorHandler)
    {
        this.eventLoop = eventLoop;
        this.pipeline = pipeline;
        this.publisher = pipeline.newExclusivePublisher();
        this.ctx = ctx;
        this.counters = counters;
        this.errorHandler = errorHandler;
        this.maxFrameLengthField = ctx.serverMaxFrameLengthField(pipeline.maxPayloadLength());
        this.answerBacklogBytes = ANSWER_BACKLOG_BATCHES * (long)ctx.writeBatchBytes();
        this.replies = new OutboundQueue(ctx.outboundQueueBytes(), pipeline.bufferPool(), this::onRepliesPending);
        this.nodeId = ctx.nodeId();
        this.partialFrameTimeoutNs = TimeUnit.MILLISECONDS.toNanos(ctx.partialFrameTimeoutMs());
        this.replyUnreadTimeoutNs = TimeUnit.MILLISECONDS.toNanos(ctx.replyUnreadTimeoutMs());
        final long checkIntervalMs = Math.max(1, Math.min(PARTIAL_FRAME_CHECK_MAX_INTERVAL_MS,
            Math.min(ctx.partialFrameTimeoutMs(), ctx.replyUnreadTimeoutMs()) / PARTIAL_FRAME_CHECKS_PER_TIMEOUT));
        eventLoop.scheduleWithFixedDelay(this::checkPartialFrames, checkIntervalMs, checkIntervalMs,
            TimeUnit.MILLISECONDS);
        if (ctx.safetyNet())
        {
            // A safety net only: room signals resume streams; this catches a missed signal instead of stalling.
            eventLoop.scheduleWithFixedDelay(
                this::resumeIfPaused, RESUME_CHECK_INTERVAL_MS, RESUME_CHECK_INTERVAL_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Lane thread: answers became pending; schedule a drain on the event loop.
     */
    void onRepliesPending()
    {
        eventLoop.execute(drainTask);
    }

    /**
     * Lane thread (room listener): a lane or the spill pool has room; retry paused streams on the event loop.
     */
    void scheduleResume()
    {
        if (resumeScheduled.compareAndSet(false, true))
        {
            eventLoop.execute(resumeTask);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onReplyFrame(final long replyAddress, final DirectBuffer buffer, final int offset, final int length)
    {
        final InboundStream stream = streams.get(replyAddress);
        if (null == stream)
        {
            counters.repliesDropped.increment();
            return;
        }
        stream.appendReply(buffer, offset, length);
        markDirty(stream);
    }

    void markDirty(final InboundStream stream)
    {
        if (!stream.dirty)
        {
            stream.dirty = true;
            if (dirtyCount == dirty.length)
            {
                dirty = Arrays.copyOf(dirty, dirtyCount * 2);
            }
            dirty[dirtyCount++] = stream;
        }
    }

    /**
     * Event loop: deliver every pending answer to its stream and write the batches.
     */
    void drain()
    {
        try
        {
            while (replies.drain(this, DRAIN_LIMIT) == DRAIN_LIMIT)
            {
                flushDirty();
            }
            flushDirty();
            if (replies.hasPending())
            {
                eventLoop.execute(drainTask);
            }
        }
        catch (final Throwable ex)
        {
            errorHandler.onError(ex);
        }
    }

    void flushDirty()
    {
        long bytes = 0;
        long frames = 0;
        for (int i = 0; i < dirtyCount; i++)
        {
            final InboundStream stream = dirty[i];
            dirty[i] = null;
            stream.dirty = false;
            stream.flushWrites();
            bytes += stream.batch.takeBytesWritten();
            frames += stream.batch.takeFramesWritten();
        }
        dirtyCount = 0;
        if (0 != bytes)
        {
            counters.bytesOut.getAndAdd(bytes);
            counters.framesOut.getAndAdd(frames);
        }
    }

    /**
     * Reset every stream of a connection that is being closed for its answers. Event loop.
     *
     * @param connection the connection.
     * @param code       the application error code of its close.
     */
    void resetStreamsOf(final ServerConnection connection, final int code)
    {
        for (int i = 0, capacity = streams.capacity(); i < capacity; i++)
        {
            final InboundStream stream = streams.at(i);
            if (null != stream)
            {
                stream.resetFor(connection, code);
            }
        }
    }

    private void checkPartialFrames()
    {
        try
        {
            final long nowNs = System.nanoTime();
            for (int i = 0, capacity = streams.capacity(); i < capacity; i++)
            {
                final InboundStream stream = streams.at(i);
                if (null != stream)
                {
                    stream.checkPartialFrame(nowNs, partialFrameTimeoutNs);
                    stream.checkUnread(nowNs, replyUnreadTimeoutNs);
                }
            }
        }
        catch (final Throwable ex)
        {
            errorHandler.onError(ex);
        }
    }

    private void resumeIfPaused()
    {
        if (paused.size() > 0)
        {
            resume();
        }
    }

    private void resume()
    {
        resumeScheduled.set(false);
        try
        {
            paused.retryAll();
            publisher.endRun();
            flushDirty();
        }
        catch (final Throwable ex)
        {
            errorHandler.onError(ex);
        }
    }

    /**
     * Event loop, during a graceful close after the pipeline closed: answer what paused streams hold (SHUTTING_DOWN),
     * deliver every queued answer, then end every stream's output after its answers.
     */
    void finishStreams()
    {
        resume();
        drain();
        for (int i = 0; i < streams.capacity(); i++)
        {
            final InboundStream stream = streams.at(i);
            if (null != stream)
            {
                stream.endOutput();
            }
        }
    }
}
