package io.vshard.transport.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.vshard.core.pipeline.Configuration;
import io.vshard.core.wire.EnvelopeFlyweight;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.transport.FrameBatch;
import io.vshard.transport.FrameConsumer;
import io.vshard.transport.FrameReader;
import io.vshard.transport.ClientContext;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * One client stream: a bounded queue of whole frames from application threads (Agrona {@link ManyToOneRingBuffer}),
 * drained on the I/O thread into write batches while the QUIC stream is writable, and the table of requests sent on
 * it that wait for answers. When the stream is not writable the queue is left to fill, and senders see
 * back-pressure. The queue survives reconnects; the stream channel does not. Sharable only because it joins one
 * stream channel after another, never two at once.
 */
@ChannelHandler.Sharable
final class ClientStream extends ChannelInboundHandlerAdapter implements FrameConsumer, MessageHandler
{
    private static final int MSG_FRAME = 1;
    private static final int DRAIN_LIMIT = 1024;
    private static final long MISSING = PendingRequests.MISSING;
    /** Each queued frame is followed by its deadline, so that a frame the stream cannot take yet still times out. */
    private static final int DEADLINE_LENGTH = 8;
    private static final int SEND_BACKLOG_BATCHES = 2;
    private static final int QUEUE_ALIGNMENT = 64;

    /** {@link #offerRequest} result: the client closed; the queue takes nothing more. */
    static final long QUEUE_CLOSED = -3;

    private final QuicClient client;
    private final int index;
    private final EventLoop eventLoop;
    private final ClientContext ctx;
    private final ManyToOneRingBuffer queue;
    private final ByteBuffer queueMemory;
    // Senders inside offer(): close() waits for none before it frees the queue's memory.
    private final AtomicInteger activeSenders = new AtomicInteger();
    private volatile boolean queueClosed;
    private boolean queueFreed;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    private final ControlledMessageHandler expireQueued = this::expireQueued;
    private final Runnable onFramesTaken = this::onFramesTaken;
    private final PendingRequests pending = new PendingRequests();
    private final UnsafeBuffer answerView = new UnsafeBuffer(0, 0);
    private final EnvelopeFlyweight envelope = new EnvelopeFlyweight();
    private final long timeoutNs;
    private long[] fifoIds = new long[1024];
    private long[] fifoDeadlines = new long[1024];
    private int fifoHead;
    private int fifoSize;
    private QuicStreamChannel channel;
    private boolean draining;
    private boolean reopening;
    private boolean endedByServer;
    private FrameReader reader;
    private FrameBatch batch;
    private long nowNs;

    ClientStream(final QuicClient client, final int index, final EventLoop eventLoop, final ClientContext ctx)
    {
        this.client = client;
        this.index = index;
        this.eventLoop = eventLoop;
        this.ctx = ctx;
        this.timeoutNs = TimeUnit.MILLISECONDS.toNanos(ctx.requestTimeoutMs());
        final int queueLength = ctx.clientSendQueueBytes() + RingBufferDescriptor.TRAILER_LENGTH;
        // Aligned by hand rather than with allocateDirectAligned, whose slice BufferUtil.free cannot free.
        this.queueMemory = ByteBuffer.allocateDirect(queueLength + QUEUE_ALIGNMENT);
        final int misalignment = (int)(BufferUtil.address(queueMemory) & (QUEUE_ALIGNMENT - 1));
        final int alignedOffset = 0 == misalignment ? 0 : QUEUE_ALIGNMENT - misalignment;
        this.queue = new ManyToOneRingBuffer(new UnsafeBuffer(queueMemory, alignedOffset, queueLength));
    }

    /**
     * Any thread: queue a frame with the given correlation id and envelope.
     *
     * @return the correlation id when queued, {@link RingBuffer#INSUFFICIENT_CAPACITY} when the queue is full,
     *         {@link #QUEUE_CLOSED} after {@link #closeQueue()}.
     */
    long offer(final long correlationId, final DirectBuffer src, final int offset, final int length)
    {
        return offer(null, correlationId, src, offset, length);
    }

    /**
     * Any thread: queue a request whose correlation id is taken from {@code ids} only once the queue has room, so a
     * back-pressured request uses no id and a single sender sees consecutive ids.
     *
     * @return the correlation id, {@link RingBuffer#INSUFFICIENT_CAPACITY} when the queue is full, or
     *         {@link #QUEUE_CLOSED} after {@link #closeQueue()}.
     */
    long offerRequest(final AtomicLong ids, final DirectBuffer src, final int offset, final int length)
    {
        return offer(ids, 0, src, offset, length);
    }

    private long offer(
        final AtomicLong ids, final long givenId, final DirectBuffer src, final int offset, final int length)
    {
        // Announce ourselves, then look at the flag; closeQueue() sets the flag, then waits for no sender: with both
        // sides volatile one of them sees the other, so the memory is never freed under a sender.
        activeSenders.getAndIncrement();
        try
        {
            return queueClosed ? QUEUE_CLOSED : offerOpen(ids, givenId, src, offset, length);
        }
        finally
        {
            activeSenders.getAndDecrement();
        }
    }

    private long offerOpen(
        final AtomicLong ids, final long givenId, final DirectBuffer src, final int offset, final int length)
    {
        final int frameLength = FrameDescriptor.HEADER_LENGTH + length;
        if (frameLength + DEADLINE_LENGTH > queue.maxMsgLength())
        {
            throw new IllegalArgumentException("envelope too large for the send queue: length=" + length +
                " max=" + (queue.maxMsgLength() - FrameDescriptor.HEADER_LENGTH - DEADLINE_LENGTH) + " (raise " +
                ClientContext.CLIENT_SEND_QUEUE_BYTES_PROP_NAME + ")");
        }
        final int at = queue.tryClaim(MSG_FRAME, frameLength + DEADLINE_LENGTH);
        if (RingBuffer.INSUFFICIENT_CAPACITY == at)
        {
            return RingBuffer.INSUFFICIENT_CAPACITY;
        }
        final long correlationId = null != ids ? ids.incrementAndGet() : givenId;
        final MutableDirectBuffer buffer = queue.buffer();
        buffer.putInt(at + FrameDescriptor.FRAME_LENGTH_FIELD_OFFSET,
            frameLength - FrameDescriptor.LENGTH_FIELD_LENGTH, LITTLE_ENDIAN);
        buffer.putByte(at + FrameDescriptor.KIND_FIELD_OFFSET, FrameDescriptor.KIND_ENVELOPE);
        buffer.putByte(at + FrameDescriptor.FLAGS_FIELD_OFFSET, (byte)0);
        buffer.putShort(at + FrameDescriptor.RESERVED_FIELD_OFFSET, (short)0, LITTLE_ENDIAN);
        buffer.putLong(at + FrameDescriptor.CORRELATION_ID_FIELD_OFFSET, correlationId, LITTLE_ENDIAN);
        buffer.putBytes(at + FrameDescriptor.BODY_OFFSET, src, offset, length);
        buffer.putLong(at + frameLength, System.nanoTime() + timeoutNs);
        queue.commit(at);
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true))
        {
            eventLoop.execute(drainTask);
        }
        return correlationId;
    }

    /**
     * Control thread, from {@link QuicClient#close()}: refuse every later offer with {@link #QUEUE_CLOSED}.
     */
    void closeQueue()
    {
        queueClosed = true;
    }

    /**
     * Control thread, after {@link #closeQueue()} and once the I/O thread has stopped: wait for senders still inside
     * an offer (a copy, so briefly), then free the queue's memory. The memory is left to the GC when a sender is
     * still inside after the grace period.
     *
     * @param graceNs how long to wait for senders.
     * @return true when freed.
     */
    boolean freeQueue(final long graceNs)
    {
        if (queueFreed)
        {
            return true;
        }
        final long deadlineNs = System.nanoTime() + graceNs;
        while (0 != activeSenders.get())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
        queueFreed = true;
        BufferUtil.free(queueMemory);
        return true;
    }

    /**
     * I/O thread: a new stream channel of a new connection.
     */
    void attach(final QuicStreamChannel channel)
    {
        this.channel = channel;
        this.reopening = false;
        this.endedByServer = false;
        this.reader = new FrameReader(
            ctx.maxFrameLengthField(Configuration.MAX_PAYLOAD_LENGTH_DEFAULT), channel.alloc());
        this.batch = new FrameBatch(channel, ctx.writeBatchBytes(), ctx.writeBatchBytes(), onFramesTaken);
        eventLoop.execute(drainTask);
    }

    /**
     * I/O thread: the connection is gone; fail what waits and forget the channel.
     */
    void detach()
    {
        forgetChannel();
        reopening = false;
        failAllPending();
        drain();
    }

    /**
     * I/O thread: this stream closed while the connection stays up, and a new stream is being opened for it. The
     * requests written to the old one fail ({@link AnswerListener#CONNECTION_CLOSED}); those still queued wait for
     * the new one.
     */
    void detachForReopen()
    {
        forgetChannel();
        reopening = true;
        failAllPending();
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

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf in = (ByteBuf)msg;
        try
        {
            if (null != reader && FrameReader.BAD_FRAMING == reader.onData(in, this))
            {
                client.errorHandler().onError(new IllegalStateException("bad framing from server on stream " +
                    index + ": closing the connection"));
                channel.parent().close();
            }
        }
        finally
        {
            in.release();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        expire(System.nanoTime());
    }

    /**
     * {@inheritDoc}
     */
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        // Not needed for progress (write completions drive the drain); a cheap extra nudge when it does come.
        if (null != channel && channel.isWritable() && queue.size() > 0)
        {
            scheduleDrain();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object event)
    {
        if (event instanceof ChannelInputShutdownEvent)
        {
            // The server ended its side (graceful shutdown): no answer will come on this stream, nor on a new one.
            failAllPending();
            if (ctx.channel() == channel)
            {
                endedByServer = true;
            }
            ctx.channel().close();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        if (ctx.channel() == channel)
        {
            client.onStreamClosed(this, endedByServer);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        ctx.channel().close();
    }

    /**
     * {@inheritDoc}
     */
    public boolean onFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        final long correlationId = buffer.getLong(offset + FrameDescriptor.CORRELATION_ID_FIELD_OFFSET, LITTLE_ENDIAN);
        if (MISSING == pending.remove(correlationId))
        {
            client.countUnmatched();
            return true;
        }
        final int kind = buffer.getByte(offset + FrameDescriptor.KIND_FIELD_OFFSET);
        if (FrameDescriptor.KIND_RESPONSE == kind && length >= FrameDescriptor.HEADER_LENGTH)
        {
            answerView.wrap(buffer, offset, length);
            client.deliver(correlationId, kind, 0, envelope.wrap(answerView, FrameDescriptor.BODY_OFFSET));
        }
        else if (FrameDescriptor.KIND_ERROR == kind && length >= FrameDescriptor.ERROR_MESSAGE_OFFSET)
        {
            client.deliver(correlationId, kind,
                buffer.getShort(offset + FrameDescriptor.ERROR_CODE_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF, null);
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
        final long correlationId = buffer.getLong(index + FrameDescriptor.CORRELATION_ID_FIELD_OFFSET, LITTLE_ENDIAN);
        final int frameLength = length - DEADLINE_LENGTH;
        if (null == batch)
        {
            if (FrameDescriptor.FIRE_AND_FORGET != correlationId)
            {
                client.deliver(correlationId, AnswerListener.CONNECTION_CLOSED, 0, null);
            }
            return;
        }
        if (FrameDescriptor.FIRE_AND_FORGET != correlationId)
        {
            // Registered before the write: a write that finds the stream closed can detach it from inside append,
            // and the detach then fails this request with the others.
            final long deadlineNs = buffer.getLong(index + frameLength);
            pending.put(correlationId, deadlineNs);
            pushFifo(correlationId, deadlineNs);
        }
        batch.append(buffer, index, frameLength);
    }

    /**
     * I/O thread: time out requests whose deadline passed; forget answered ones at the head of the order.
     */
    void expire(final long nowNs)
    {
        if (ctx.safetyNet() && null != channel && queue.size() > 0 && !drainScheduled.get())
        {
            // A safety net only: write completions and offers schedule every drain; this catches a missed one.
            drain();
        }
        while (fifoSize > 0)
        {
            final long id = fifoIds[fifoHead];
            final long deadline = pending.get(id);
            if (MISSING != deadline && deadline - nowNs > 0)
            {
                break;
            }
            popFifo();
            if (MISSING != deadline)
            {
                pending.remove(id);
                client.deliver(id, AnswerListener.TIMED_OUT, 0, null);
            }
        }
        if (null != channel && !draining && queue.size() > 0)
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
        if (buffer.getLong(index + length - DEADLINE_LENGTH) - nowNs > 0)
        {
            return ControlledMessageHandler.Action.ABORT;
        }
        final long correlationId = buffer.getLong(index + FrameDescriptor.CORRELATION_ID_FIELD_OFFSET, LITTLE_ENDIAN);
        if (FrameDescriptor.FIRE_AND_FORGET != correlationId)
        {
            client.deliver(correlationId, AnswerListener.TIMED_OUT, 0, null);
        }
        return ControlledMessageHandler.Action.CONTINUE;
    }

    private void drain()
    {
        drainScheduled.set(false);
        if (draining)
        {
            // Re-entered from a write inside the drain (a closed stream detaching): the outer drain sees the detach
            // and finishes the queue; the ring must not be read from inside its own read.
            return;
        }
        draining = true;
        try
        {
            nowNs = System.nanoTime();
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
                final int read = readQueue();
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
            else if (batch.queuedBytes() < limitBytes && queue.size() > 0)
            {
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
        while (!reopening && readQueue() > 0)
        {
            nowNs = System.nanoTime();
        }
    }

    private int readQueue()
    {
        final int read = queue.read(this, DRAIN_LIMIT);
        // A read that meets the padding record at the end of the ring reads no message although more may follow
        // from the ring's start: read once more before taking 0 for empty.
        return 0 != read ? read : queue.read(this, DRAIN_LIMIT);
    }

    private void onFramesTaken()
    {
        // From inside the stream's write completion: drain later on this loop, never re-entering the codec.
        if (queue.size() > 0)
        {
            scheduleDrain();
        }
    }

    private void scheduleDrain()
    {
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true))
        {
            eventLoop.execute(drainTask);
        }
    }

    private void failAllPending()
    {
        while (fifoSize > 0)
        {
            final long id = fifoIds[fifoHead];
            popFifo();
            if (MISSING != pending.remove(id))
            {
                client.deliver(id, AnswerListener.CONNECTION_CLOSED, 0, null);
            }
        }
        pending.clear();
    }

    private void pushFifo(final long id, final long deadline)
    {
        if (fifoSize == fifoIds.length)
        {
            final long[] ids = new long[fifoIds.length * 2];
            final long[] deadlines = new long[fifoIds.length * 2];
            for (int i = 0; i < fifoSize; i++)
            {
                ids[i] = fifoIds[(fifoHead + i) & (fifoIds.length - 1)];
                deadlines[i] = fifoDeadlines[(fifoHead + i) & (fifoIds.length - 1)];
            }
            fifoIds = ids;
            fifoDeadlines = deadlines;
            fifoHead = 0;
        }
        final int tail = (fifoHead + fifoSize) & (fifoIds.length - 1);
        fifoIds[tail] = id;
        fifoDeadlines[tail] = deadline;
        fifoSize++;
    }

    private void popFifo()
    {
        fifoHead = (fifoHead + 1) & (fifoIds.length - 1);
        fifoSize--;
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
