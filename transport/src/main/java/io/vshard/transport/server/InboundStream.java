package io.vshard.transport.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.vshard.core.pipeline.Pipeline;
import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.FrameFlyweight;
import io.vshard.transport.ChannelErrors;
import io.vshard.transport.FrameBatch;
import io.vshard.transport.FrameConsumer;
import io.vshard.transport.FrameReader;
import io.vshard.transport.QuicErrorCodes;
import org.agrona.DirectBuffer;

/**
 * One peer stream on the server: frames read from it are offered straight from the read buffer into the pipeline;
 * its answers, from the lanes or from this I/O thread, are batched and written back to it. When a lane is full the
 * stream keeps the refused frame and what follows, turns {@code autoRead} off and waits for the lane's room signal;
 * QUIC flow control then holds the sender. Only the stream's I/O thread touches it.
 */
final class InboundStream extends ChannelInboundHandlerAdapter implements FrameConsumer, ResumeQueue.Resumable
{
    private static final System.Logger LOG = System.getLogger("io.vshard.transport");
    private static final int PAUSED_BY_LANE = 1;
    private static final int PAUSED_BY_WRITE = 2;
    private static final int ENVELOPE_FRAME_MIN_LENGTH =
        FrameDescriptor.HEADER_LENGTH + EnvelopeDescriptor.HEADER_LENGTH;
    private static final String OUT_OF_MEMORY_MESSAGE = "node out of direct memory";

    final FrameBatch batch;
    boolean dirty;
    private final ServerIoLoop loop;
    private final ServerConnection connection;
    private final QuicStreamChannel channel;
    private final Pipeline pipeline;
    private final FrameReader reader;
    private final FrameFlyweight frame = new FrameFlyweight();
    private long address = -1;
    private int inFlight;
    private int pauseReasons;
    private boolean inputShutdown;
    private boolean resumeAfterWritesScheduled;
    private boolean partialFrameSeen;
    private long partialFrameSinceNs;
    private long partialFrameMark;
    private long accountedReplyBytes;
    private boolean heldByBudget;
    private boolean released;
    private final Runnable resumeAfterWrites = this::resumeAfterWrites;

    InboundStream(final ServerIoLoop loop, final ServerConnection connection, final QuicStreamChannel channel)
    {
        this.loop = loop;
        this.connection = connection;
        this.channel = channel;
        this.pipeline = loop.pipeline;
        this.reader = new FrameReader(loop.maxFrameLengthField, channel.alloc());
        this.batch = new FrameBatch(channel, loop.ctx.writeBatchBytes(), loop.ctx.writeBatchBytes(),
            this::onAnswersTaken, this::accountReplyBytes);
    }

    /**
     * {@inheritDoc}
     */
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        address = loop.streams.add(this);
        loop.counters.streamsOpened.increment();
        connection.streamOpened(loop);
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf in = (ByteBuf)msg;
        try
        {
            loop.counters.bytesIn.getAndAdd(in.readableBytes());
            onReaderResult(reader.onData(in, this));
        }
        finally
        {
            loop.publisher.endRun();
            in.release();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        loop.counters.framesIn.getAndAdd(reader.takeFrameCount());
        if (batch.isPending())
        {
            loop.markDirty(this);
        }
        // Still inside the connection's read cycle: the codec sends what streams write here in one go when the cycle
        // ends, so answers the lanes have ready go out with it instead of each stream's write sending on its own.
        loop.drain();
    }

    /**
     * {@inheritDoc}
     */
    public boolean onFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        // Held, not offered, while this stream's answers back up or its connection (or the node) holds half its
        // reply budget: what a lane accepts now it answers later, and those answers must have somewhere to go.
        if (0 != (pauseReasons & PAUSED_BY_WRITE) || !connection.acceptsRequests())
        {
            heldByBudget = true;
            return false;
        }
        heldByBudget = false;
        final long correlationId = FrameDescriptor.correlationId(buffer, offset);
        if (FrameDescriptor.KIND_ENVELOPE == FrameDescriptor.kind(buffer, offset) &&
            length >= ENVELOPE_FRAME_MIN_LENGTH)
        {
            final int envelopeOffset = offset + FrameDescriptor.BODY_OFFSET;
            if (EnvelopeDescriptor.sourceNode(buffer, envelopeOffset) != connection.peerNodeId())
            {
                loop.counters.identityMismatches.increment();
                pipeline.errorCounter(ErrorCode.IDENTITY_MISMATCH).increment();
                answerError(correlationId, ErrorCode.IDENTITY_MISMATCH.value());
                return true;
            }
            final long targetNode = EnvelopeDescriptor.targetNode(buffer, envelopeOffset);
            if (EnvelopeDescriptor.TARGET_NODE_ANY != targetNode && loop.nodeId != targetNode)
            {
                pipeline.errorCounter(ErrorCode.WRONG_TARGET).increment();
                answerError(correlationId, ErrorCode.WRONG_TARGET.value());
                return true;
            }
        }

        final int result = loop.publisher.offerFrame(buffer, offset, length, loop.replies, address);
        if (Pipeline.ACCEPTED == result)
        {
            if (FrameDescriptor.FIRE_AND_FORGET != correlationId)
            {
                inFlight++;
                connection.requestAccepted();
            }
            return true;
        }
        if (Pipeline.BACK_PRESSURED == result)
        {
            return false;
        }
        answerError(correlationId, Pipeline.CLOSED == result ? ErrorCode.SHUTTING_DOWN.value() : result);
        return true;
    }

    /**
     * {@inheritDoc}
     */
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object event)
    {
        if (event instanceof ChannelInputShutdownEvent)
        {
            inputShutdown = true;
            finishIfDone();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        loop.streams.remove(address);
        loop.paused.remove(this);
        reader.release();
        batch.release();
        released = true;
        accountReplyBytes();
        connection.requestsForgotten(inFlight);
        inFlight = 0;
        connection.streamClosed();
    }

    /**
     * {@inheritDoc}
     */
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        // A reset by the peer or a failed write: the stream is gone, the connection and other streams go on.
        loop.counters.channelErrors.increment();
        if (ChannelErrors.isPeerEnd(cause))
        {
            LOG.log(System.Logger.Level.DEBUG, "stream " + channel + " ended by the peer", cause);
        }
        else
        {
            loop.errorHandler.onError(new IllegalStateException("stream " + channel + " failed; closing it", cause));
        }
        channel.close();
    }

    /**
     * A lane's answer for this stream, from the reply queue drain.
     */
    void appendReply(final DirectBuffer buffer, final int offset, final int length)
    {
        inFlight--;
        if (!connection.admitsAnswer(length))
        {
            loop.counters.repliesDropped.increment();
            return;
        }
        try
        {
            batch.append(buffer, offset, length);
        }
        catch (final OutOfMemoryError ex)
        {
            onOutOfDirectMemory(ex, FrameDescriptor.correlationId(buffer, offset));
        }
        accountReplyBytes();
    }

    /**
     * Periodic check from the I/O thread: the connection's unread-answers deadline.
     *
     * @param nowNs     the time now.
     * @param timeoutNs the unread-answers timeout.
     */
    void checkUnread(final long nowNs, final long timeoutNs)
    {
        connection.checkUnread(nowNs, timeoutNs);
    }

    /**
     * Write what is batched; stop reading while more answers wait in the stream than the peer's window and our
     * congestion window let out (a backlog, not the momentary zero capacity every full congestion window gives).
     */
    void flushWrites()
    {
        batch.flush();
        accountReplyBytes();
        if (batch.queuedBytes() > loop.answerBacklogBytes && 0 == (pauseReasons & PAUSED_BY_WRITE))
        {
            pause(PAUSED_BY_WRITE);
        }
        finishIfDone();
    }

    /**
     * Retry the frames kept since a lane refused one, and resume reading once all are taken.
     *
     * @return {@link #STILL_PAUSED}, {@link #PAUSED_AFTER_PROGRESS} or {@link #DONE}.
     */
    public int retry()
    {
        if (!channel.isActive() || 0 == (pauseReasons & PAUSED_BY_LANE))
        {
            return DONE;
        }
        final int heldBytes = reader.pendingBytes();
        final int result = reader.resume(this);
        if (batch.isPending())
        {
            loop.markDirty(this);
        }
        if (FrameReader.OK == result)
        {
            unpause(PAUSED_BY_LANE);
            finishIfDone();
            return DONE;
        }
        onReaderResult(result);
        if (FrameReader.STOPPED != result)
        {
            return DONE;
        }
        return reader.pendingBytes() < heldBytes ? PAUSED_AFTER_PROGRESS : STILL_PAUSED;
    }

    /**
     * Periodic check from the I/O thread: reset the stream when the peer has held the same partial frame for the
     * timeout (the first check that sees it starts the clock). A stream we hold back ourselves is exempt.
     *
     * @param nowNs     the time now.
     * @param timeoutNs the partial-frame timeout.
     */
    void checkPartialFrame(final long nowNs, final long timeoutNs)
    {
        if (0 != pauseReasons || 0 == reader.pendingBytes() || reader.isStopped() || !channel.isActive())
        {
            partialFrameSeen = false;
            return;
        }
        final long mark = reader.framesTaken();
        if (!partialFrameSeen || mark != partialFrameMark)
        {
            partialFrameSeen = true;
            partialFrameMark = mark;
            partialFrameSinceNs = nowNs;
        }
        else if (nowNs - partialFrameSinceNs >= timeoutNs)
        {
            partialFrameSeen = false;
            loop.counters.partialFrameTimeouts.increment();
            reset(QuicErrorCodes.PARTIAL_FRAME_TIMEOUT);
        }
    }

    /**
     * Reset this stream, both ways, with a connection's close code when it belongs to that connection (closing for its
     * unread answers or its reply budget): quiche drops what it had not sent or not seen acknowledged, and the
     * stream's held answers are freed at once. Its I/O thread.
     *
     * @param closing the connection being closed.
     * @param code    the application error code of the close.
     */
    void resetFor(final ServerConnection closing, final int code)
    {
        if (closing == connection && !released && channel.isActive())
        {
            reset(code);
        }
    }

    /**
     * Graceful close: after the last answers, end our side of the stream so the peer knows no more will come.
     */
    void endOutput()
    {
        batch.flush();
        if (channel.isActive() && !channel.isOutputShutdown())
        {
            channel.shutdownOutput();
        }
    }

    private void onReaderResult(final int result)
    {
        if (FrameReader.STOPPED == result)
        {
            if (0 == (pauseReasons & PAUSED_BY_LANE))
            {
                if (!heldByBudget)
                {
                    loop.counters.backPressurePauses.increment();
                }
                loop.paused.add(this);
                pause(PAUSED_BY_LANE);
            }
        }
        else if (FrameReader.BAD_FRAMING == result)
        {
            loop.counters.streamsReset.increment();
            reset(QuicErrorCodes.BAD_FRAMING);
        }
    }

    private void onAnswersTaken()
    {
        // Called from inside the stream's write completion: resuming reads there would re-enter the codec.
        if (0 != (pauseReasons & PAUSED_BY_WRITE) && !resumeAfterWritesScheduled)
        {
            resumeAfterWritesScheduled = true;
            channel.eventLoop().execute(resumeAfterWrites);
        }
    }

    private void resumeAfterWrites()
    {
        resumeAfterWritesScheduled = false;
        if (batch.queuedBytes() <= loop.ctx.writeBatchBytes())
        {
            unpause(PAUSED_BY_WRITE);
            if (0 != (pauseReasons & PAUSED_BY_LANE))
            {
                // Frames held while the answers backed up wait in the resume queue.
                loop.scheduleResume();
            }
        }
    }

    private void answerError(final long correlationId, final int code)
    {
        if (FrameDescriptor.FIRE_AND_FORGET == correlationId)
        {
            return;
        }
        writeError(correlationId, code, ErrorCode.messageOf(code));
    }

    private void writeError(final long correlationId, final int code, final String message)
    {
        final int length = FrameFlyweight.errorFrameLength(message);
        try
        {
            final int at = batch.claim(length);
            frame.wrap(batch.buffer(), at).writeError(correlationId, code, message);
            batch.commit(length);
        }
        catch (final OutOfMemoryError ex)
        {
            loop.counters.directMemoryFailures.increment();
            loop.counters.repliesDropped.increment();
            loop.errorHandler.onError(ex);
        }
        accountReplyBytes();
    }

    private void onOutOfDirectMemory(final OutOfMemoryError ex, final long correlationId)
    {
        // Direct memory ran out despite the budgets (another part of the process took it): this answer is lost, so
        // tell the peer with a small error frame if even that fits, and go on serving the others.
        loop.counters.directMemoryFailures.increment();
        loop.errorHandler.onError(ex);
        writeError(correlationId, ErrorCode.HANDLER_FAILED.value(), OUT_OF_MEMORY_MESSAGE);
    }

    private void accountReplyBytes()
    {
        final long held = released ? 0 : batch.pendingBytes() + batch.queuedBytes();
        final long delta = held - accountedReplyBytes;
        if (0 != delta)
        {
            accountedReplyBytes = held;
            connection.addReplyBytes(delta);
        }
    }

    private void pause(final int reason)
    {
        if (0 == pauseReasons)
        {
            channel.config().setAutoRead(false);
        }
        pauseReasons |= reason;
    }

    private void unpause(final int reason)
    {
        if (0 != (pauseReasons & reason))
        {
            pauseReasons &= ~reason;
            if (0 == pauseReasons && !inputShutdown)
            {
                channel.config().setAutoRead(true);
            }
        }
    }

    private void finishIfDone()
    {
        if (inputShutdown && 0 == inFlight && !reader.isStopped() && channel.isActive())
        {
            batch.flush();
            if (!channel.isOutputShutdown())
            {
                channel.shutdownOutput();
            }
        }
    }

    private void reset(final int code)
    {
        reader.release();
        batch.release();
        released = true;
        accountReplyBytes();
        channel.shutdown(code);
        channel.close();
    }
}
