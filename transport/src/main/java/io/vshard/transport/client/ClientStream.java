package io.vshard.transport.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.vshard.core.flow.FlowResult;
import io.vshard.core.pipeline.Configuration;
import io.vshard.core.wire.EnvelopeFlyweight;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.transport.ClientContext;
import io.vshard.transport.FrameBatch;
import io.vshard.transport.FrameConsumer;
import io.vshard.transport.FrameReader;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * One client stream: its {@link SendQueue} (filled by application threads), drained on the I/O thread into a
 * {@link FrameBatch} of the current stream channel while the channel takes bytes, and the {@link RequestTable} of the
 * requests written on it. When the channel takes no more the queue is left to fill and senders see back-pressure. The
 * queue survives reopens and reconnects; the channel, its reader and its batch do not. Everything but the offers runs
 * on the I/O thread; {@link ClientStreamHandler} brings the channel's events here.
 */
final class ClientStream implements FrameConsumer, MessageHandler
{
    private static final int DRAIN_LIMIT = 1024;
    private static final int SEND_BACKLOG_BATCHES = 2;

    private final QuicClient client;
    private final int index;
    private final EventLoop eventLoop;
    private final ClientContext ctx;
    private final Runnable drainTask = this::drain;
    private final SendQueue queue;
    private final RequestTable requests = new RequestTable();
    private final ClientStreamHandler handler = new ClientStreamHandler(this);
    private final RequestTable.Failures failures = this::onRequestFailed;
    private final ControlledMessageHandler expireQueued = this::expireQueued;
    private final Runnable onFramesTaken = this::onFramesTaken;
    private final UnsafeBuffer answerView = new UnsafeBuffer(0, 0);
    private final EnvelopeFlyweight envelope = new EnvelopeFlyweight();
    private QuicStreamChannel channel;
    private final CoarseClock clock;
    private boolean draining;
    private boolean drainPending;
    private boolean reopening;
    private boolean endedByServer;
    private FrameReader reader;
    private FrameBatch batch;
    private long nowNs;

    ClientStream(
        final QuicClient client,
        final int index,
        final EventLoop eventLoop,
        final ClientContext ctx,
        final CoarseClock clock)
    {
        this.clock = clock;
        this.client = client;
        this.index = index;
        this.eventLoop = eventLoop;
        this.ctx = ctx;
        this.queue = new SendQueue(
            ctx.clientSendQueueBytes(), TimeUnit.MILLISECONDS.toNanos(ctx.requestTimeoutMs()), clock, eventLoop,
            drainTask);
    }

    /**
     * The send queue application threads offer to.
     *
     * @return the queue.
     */
    SendQueue queue()
    {
        return queue;
    }

    /**
     * The handler to install on each stream channel this stream joins.
     *
     * @return the handler.
     */
    ClientStreamHandler handler()
    {
        return handler;
    }

    /**
     * I/O thread: a new stream channel, of a new connection or replacing a closed one.
     */
    void attach(final QuicStreamChannel channel)
    {
        this.channel = channel;
        this.reopening = false;
        this.endedByServer = false;
        this.reader = new FrameReader(
            ctx.maxFrameLengthField(Configuration.MAX_PAYLOAD_LENGTH_DEFAULT), channel.alloc());
        this.batch = new FrameBatch(channel, ctx.writeBatchBytes(), ctx.writeBatchBytes(), onFramesTaken);
        scheduleDrain();
    }

    /**
     * I/O thread: the connection is gone; fail what waits and forget the channel.
     */
    void detach()
    {
        forgetChannel();
        reopening = false;
        requests.failAll(failures);
        drain();
    }

    /**
     * I/O thread: this stream closed while the connection stays up, and a new stream is being opened for it. The
     * requests written to the old one fail ({@link FlowResult#CONNECTION_CLOSED}); those still queued wait for the
     * new one.
     */
    void detachForReopen()
    {
        forgetChannel();
        reopening = true;
        requests.failAll(failures);
    }

    private void forgetChannel()
    {
        if (null != reader)
        {
            reader.release();
            batch.release();
        }
        channel = null;
        reader = null;
        batch = null;
    }

    void onData(final Channel from, final ByteBuf in)
    {
        if (null != reader && from == channel && FrameReader.BAD_FRAMING == reader.onData(in, this))
        {
            client.errorHandler().onError(new IllegalStateException("bad framing from server on stream " +
                index + ": closing the connection"));
            channel.parent().close();
        }
    }

    void onReadComplete()
    {
        expire(System.nanoTime());
    }

    void onWritabilityChanged(final Channel from)
    {
        // Not needed for progress (write completions drive the drain); a cheap extra nudge when it does come.
        if (from == channel && channel.isWritable() && !queue.isEmpty())
        {
            scheduleDrain();
        }
    }

    void onInputShutdown(final Channel from)
    {
        // The server ended its side (graceful shutdown): no answer will come on this stream, nor on a new one.
        requests.failAll(failures);
        if (from == channel)
        {
            endedByServer = true;
        }
        from.close();
    }

    void onInactive(final Channel from)
    {
        if (from == channel)
        {
            client.onStreamClosed(this, endedByServer);
        }
    }

    void onException(final Channel from, final Throwable cause)
    {
        client.onChannelError(index, cause);
        from.close();
    }

    /**
     * {@inheritDoc}
     */
    public boolean onFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        final long correlationId = FrameDescriptor.correlationId(buffer, offset);
        if (!requests.complete(correlationId))
        {
            client.countUnmatched();
            return true;
        }
        final int kind = FrameDescriptor.kind(buffer, offset);
        if (FrameDescriptor.KIND_RESPONSE == kind)
        {
            // A RESPONSE must carry exactly one valid envelope (WIRE.md section 2): one from a broken or malicious
            // server that does not is never handed on, so nothing reads past it or sizes a copy by its fields.
            final int invalid = length < FrameDescriptor.HEADER_LENGTH ? ErrorCode.MALFORMED.value() :
                EnvelopeFlyweight.validate(buffer, offset + FrameDescriptor.BODY_OFFSET,
                length - FrameDescriptor.BODY_OFFSET, Integer.MAX_VALUE);
            if (ErrorCode.NONE != invalid)
            {
                client.deliverMalformed(correlationId, invalid);
                return true;
            }
            answerView.wrap(buffer, offset, length);
            client.deliver(correlationId, kind, 0, envelope.wrap(answerView, FrameDescriptor.BODY_OFFSET));
        }
        else if (FrameDescriptor.KIND_ERROR == kind && length >= FrameDescriptor.ERROR_MESSAGE_OFFSET)
        {
            client.deliver(correlationId, kind, FrameDescriptor.errorCode(buffer, offset), null);
        }
        else
        {
            client.deliver(correlationId, kind, 0, null);
        }
        return true;
    }

    /**
     * {@inheritDoc}
     */
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final long correlationId = FrameDescriptor.correlationId(buffer, index);
        if (null == batch)
        {
            if (FrameDescriptor.FIRE_AND_FORGET != correlationId)
            {
                client.deliver(correlationId, FlowResult.CONNECTION_CLOSED, 0, null);
            }
            return;
        }
        if (FrameDescriptor.FIRE_AND_FORGET != correlationId)
        {
            // Registered before the write: a write that finds the stream closed can detach it from inside append,
            // and the detach then fails this request with the others.
            requests.register(correlationId, SendQueue.deadlineNs(buffer, index, length));
        }
        batch.append(buffer, index, SendQueue.frameLength(length));
    }

    /**
     * I/O thread: time out requests whose deadline passed, written or still queued.
     */
    void expire(final long nowNs)
    {
        if (ctx.safetyNet() && null != channel && !drainPending && !queue.isEmpty())
        {
            // A safety net only: write completions and senders' wake-ups start every drain; this catches a missed one.
            drain();
        }
        requests.expire(nowNs, failures);
        if (null != channel && !draining && !queue.isEmpty())
        {
            // Frames the stream has not taken yet (flow control, a stuck peer) time out at their deadline too.
            this.nowNs = nowNs;
            queue.controlledRead(expireQueued, DRAIN_LIMIT);
        }
    }

    /**
     * A frame the stream could not take yet: fail it when its deadline passed, else stop (deadlines are in queue
     * order, give or take the races of concurrent senders).
     */
    private ControlledMessageHandler.Action expireQueued(
        final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (SendQueue.deadlineNs(buffer, index, length) - nowNs > 0)
        {
            return ControlledMessageHandler.Action.ABORT;
        }
        final long correlationId = FrameDescriptor.correlationId(buffer, index);
        if (FrameDescriptor.FIRE_AND_FORGET != correlationId)
        {
            client.deliver(correlationId, FlowResult.TIMED_OUT, 0, null);
        }
        return ControlledMessageHandler.Action.CONTINUE;
    }

    private void drain()
    {
        drainPending = false;
        if (draining)
        {
            // Re-entered from a write inside the drain (a closed stream detaching): the outer drain sees the detach
            // and finishes the queue; the ring must not be read from inside its own read.
            return;
        }
        draining = true;
        // Awake now: this drain ends by arming again (queue empty), by a write completion to come (backlog full) or
        // by scheduling itself (drain limit).
        queue.disarm();
        try
        {
            nowNs = System.nanoTime();
            clock.advance(nowNs);
            if (null == channel && reopening)
            {
                // Queued frames wait for the stream that replaces this one.
                return;
            }
            // Gated on the bytes the stream has not taken yet, not on isWritable(): the stream's capacity reads 0
            // whenever a congestion window is used up, and the event that should follow when it opens again does
            // not always come. What we write beyond the capacity waits in the stream and goes out on the ACKs.
            final long limitBytes = SEND_BACKLOG_BATCHES * (long)ctx.writeBatchBytes();
            int frames = 0;
            // batch is read afresh each round: a write that finds the stream closed detaches it from inside the loop.
            while (null != batch && batch.queuedBytes() < limitBytes && frames < DRAIN_LIMIT * 16)
            {
                final int read = queue.readOrArm(this, DRAIN_LIMIT);
                if (0 == read)
                {
                    break;
                }
                frames += read;
            }
            if (null == batch)
            {
                failQueuedUnlessReopening();
                return;
            }
            batch.flush();
            if (null == batch)
            {
                failQueuedUnlessReopening();
            }
            else if (batch.queuedBytes() < limitBytes && !queue.isArmed())
            {
                // Stopped at the drain limit, not armed: go on after the other work of this loop (and arm then).
                scheduleDrain();
            }
        }
        catch (final Throwable ex)
        {
            client.errorHandler().onError(ex);
        }
        finally
        {
            draining = false;
        }
    }

    /**
     * Not connected: every queued frame fails at once ({@link #onMessage} answers CONNECTION_CLOSED); a stream being
     * replaced keeps them for the new one.
     */
    private void failQueuedUnlessReopening()
    {
        while (!reopening && queue.readOrArm(this, DRAIN_LIMIT) > 0)
        {
            nowNs = System.nanoTime();
        }
    }

    private void onFramesTaken()
    {
        // From inside the stream's write completion: drain later on this loop, never re-entering the codec. A drain
        // that stopped on a full backlog did not arm the wake-up, so it runs again even when the queue is empty.
        if (!queue.isEmpty() || !queue.isArmed())
        {
            scheduleDrain();
        }
    }

    /**
     * I/O thread: drain once more after the work already queued on this loop, unless a drain is pending.
     */
    private void scheduleDrain()
    {
        if (!drainPending)
        {
            drainPending = true;
            eventLoop.execute(drainTask);
        }
    }

    /**
     * Control thread, from {@link QuicClient#close()} once the I/O thread has stopped and the queue is closed:
     * fail the requests senders queued after the last drain ({@link FlowResult#CONNECTION_CLOSED}), then free the
     * queue's memory.
     *
     * @param graceNs how long to wait for senders still inside an offer.
     * @return true when freed.
     */
    boolean freeQueue(final long graceNs)
    {
        forgetChannel();
        return queue.free(graceNs, this);
    }

    private void onRequestFailed(final long correlationId, final int kind)
    {
        client.deliver(correlationId, kind, 0, null);
    }

    int index()
    {
        return index;
    }

    QuicStreamChannel channel()
    {
        return channel;
    }
}
