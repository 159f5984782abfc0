package io.vshard.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Frames bound for one stream, encoded back to back into one pooled direct buffer that is written when it reaches the
 * batch size or when the I/O thread {@link #flush()}es at the end of a read or drain. The QUIC stream sends each
 * write as it comes, so batching here is what fills packets. One per stream; only its I/O thread may use it.
 * <p>
 * Every write goes to the stream at once, writable or not: what quiche cannot take yet waits in the stream channel's
 * own queue and moves into quiche as soon as the peer's ACKs or window updates open room, inside the codec's read
 * cycle, without a round trip through us. {@link #queuedBytes()} says how much waits there, so the owner can stop
 * producing (stop reading requests, stop draining a send queue) on an exact byte count instead of on
 * {@code isWritable()}, whose value goes stale and whose change events the QUIC codec does not reliably fire.
 * A write that fits the stream's capacity completes inside {@code write} and is not tracked (no promise, no
 * allocation); one that may not fit gets a promise whose completion, in write order, takes its bytes off the count
 * and calls the {@code onDrained} hook when the count falls to the low-water mark. The capacity is cached per stream
 * and other streams of the connection draw on the same congestion window, so an untracked write can leave up to one
 * batch queued without being counted.
 */
public final class FrameBatch
{
    private final Channel channel;
    private final int batchBytes;
    private final ChannelFutureListener onWriteComplete = this::onWriteComplete;
    private final Runnable onDrained;
    private final Runnable onTaken;
    private final int lowWaterBytes;
    private int[] trackedLengths = new int[16];
    private int trackedHead;
    private int trackedCount;
    private long queuedBytes;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private ByteBuf buffer;
    private boolean released;
    private int frames;
    private long bytesWritten;
    private int framesWritten;

    /**
     * A batch for a stream.
     *
     * @param channel    the stream.
     * @param batchBytes bytes after which a buffer is written without waiting for the flush.
     */
    public FrameBatch(final Channel channel, final int batchBytes)
    {
        this(channel, batchBytes, 0, null);
    }

    /**
     * A batch for a stream that tells its owner when the bytes queued in the stream fall to a low-water mark.
     *
     * @param channel       the stream.
     * @param batchBytes    bytes after which a buffer is written without waiting for the flush.
     * @param lowWaterBytes {@link #queuedBytes()} at or below which {@code onDrained} runs after a write completes.
     * @param onDrained     run on the I/O thread, from inside the stream's write completion: it must not write or
     *                      read on the stream itself (schedule that); may be {@code null}.
     */
    public FrameBatch(final Channel channel, final int batchBytes, final int lowWaterBytes, final Runnable onDrained)
    {
        this(channel, batchBytes, lowWaterBytes, onDrained, null);
    }

    /**
     * A batch that also tells its owner each time the stream takes a queued write, so that the owner can account
     * for the bytes it holds ({@link #pendingBytes()} + {@link #queuedBytes()}).
     *
     * @param channel       the stream.
     * @param batchBytes    bytes after which a buffer is written without waiting for the flush.
     * @param lowWaterBytes {@link #queuedBytes()} at or below which {@code onDrained} runs after a write completes.
     * @param onDrained     as for {@link #FrameBatch(Channel, int, int, Runnable)}; may be {@code null}.
     * @param onTaken       run on the I/O thread after every queued write completes, before {@code onDrained},
     *                      under the same rules; may be {@code null}.
     */
    public FrameBatch(
        final Channel channel,
        final int batchBytes,
        final int lowWaterBytes,
        final Runnable onDrained,
        final Runnable onTaken)
    {
        this.channel = channel;
        this.batchBytes = batchBytes;
        this.lowWaterBytes = lowWaterBytes;
        this.onDrained = onDrained;
        this.onTaken = onTaken;
    }

    /**
     * Bytes batched and not yet written to the stream.
     *
     * @return bytes in the batch buffer.
     */
    public int pendingBytes()
    {
        return null == buffer ? 0 : buffer.readableBytes();
    }

    /**
     * Bytes written to the stream that quiche has not taken yet (see the class comment for what escapes the count).
     *
     * @return bytes waiting in the stream channel's queue.
     */
    public long queuedBytes()
    {
        return queuedBytes;
    }

    /**
     * Copy a whole frame into the batch.
     *
     * @param src    holding the frame.
     * @param offset of the frame.
     * @param length of the frame.
     */
    public void append(final DirectBuffer src, final int offset, final int length)
    {
        final int at = claim(length);
        view.putBytes(at, src, offset, length);
        commit(length);
    }

    /**
     * Claim space for a frame written in place through {@link #buffer()}; follow with {@link #commit(int)}.
     *
     * @param length of the frame.
     * @return the offset in {@link #buffer()} to write at.
     */
    public int claim(final int length)
    {
        if (null != buffer && buffer.writableBytes() < length && buffer.readableBytes() >= batchBytes)
        {
            flush();
        }
        if (null == buffer)
        {
            buffer = channel.alloc().directBuffer(Math.max(length, Math.min(batchBytes, 4096)));
        }
        buffer.ensureWritable(length);
        if (buffer.hasMemoryAddress())
        {
            view.wrap(buffer.memoryAddress(), buffer.capacity());
        }
        else
        {
            view.wrap(buffer.internalNioBuffer(0, buffer.capacity()), 0, buffer.capacity());
        }
        return buffer.writerIndex();
    }

    /**
     * The buffer a {@link #claim(int)} refers to.
     *
     * @return the view over the batch memory.
     */
    public MutableDirectBuffer buffer()
    {
        return view;
    }

    /**
     * Make a claimed frame part of the batch.
     *
     * @param length of the frame written.
     */
    public void commit(final int length)
    {
        if (released)
        {
            // Released while the frame was written (a write that closed the stream, from inside claim's flush):
            // the stream is gone, so is the frame. Released between claim and commit, the buffer is gone already.
            if (null != buffer)
            {
                buffer.release();
                buffer = null;
            }
            return;
        }
        buffer.writerIndex(buffer.writerIndex() + length);
        frames++;
        if (buffer.readableBytes() >= batchBytes)
        {
            flush();
        }
    }

    /**
     * Whether frames wait to be written.
     *
     * @return true when the batch holds bytes.
     */
    public boolean isPending()
    {
        return null != buffer && buffer.isReadable();
    }

    /**
     * Write the batch to the stream.
     *
     * @return bytes written.
     */
    public int flush()
    {
        final ByteBuf out = buffer;
        if (null == out)
        {
            return 0;
        }
        buffer = null;
        final int length = out.readableBytes();
        if (0 == length || !isOpen())
        {
            // Nothing to write, or no stream to write to any more: a stream of a connection that has closed queues
            // what it is given and may never be closed itself to free it.
            out.release();
            frames = 0;
            return 0;
        }
        bytesWritten += length;
        framesWritten += frames;
        frames = 0;
        // Our own reference across the write, so the buffer cannot go back to the pool and to another owner while
        // we look at it below.
        out.retain();
        if (0 == queuedBytes && channel.isWritable() && length <= channel.bytesBeforeUnwritable())
        {
            channel.write(out, channel.voidPromise());
        }
        else
        {
            track(length);
            channel.write(out).addListener(onWriteComplete);
        }
        if (!channel.isActive() && out.refCnt() > 1)
        {
            // The write closed the stream from inside (the codec's send found the connection closing and closed its
            // streams) and the codec then queued the buffer in the closed stream, whose queue nothing drains or
            // frees any more (netty-incubator-codec-quic 0.0.75): drop the codec's reference here.
            out.release(out.refCnt() - 1);
        }
        out.release();
        return length;
    }

    /**
     * Bytes written since the last call, for counters.
     *
     * @return bytes.
     */
    public long takeBytesWritten()
    {
        final long bytes = bytesWritten;
        bytesWritten = 0;
        return bytes;
    }

    /**
     * Frames written since the last call, for counters.
     *
     * @return frames.
     */
    public int takeFramesWritten()
    {
        final int count = framesWritten;
        framesWritten = 0;
        return count;
    }

    private boolean isOpen()
    {
        final Channel parent = channel.parent();
        return channel.isActive() && (null == parent || parent.isActive());
    }

    private void track(final int length)
    {
        if (trackedCount == trackedLengths.length)
        {
            final int[] grown = new int[trackedLengths.length * 2];
            for (int i = 0; i < trackedCount; i++)
            {
                grown[i] = trackedLengths[(trackedHead + i) & (trackedLengths.length - 1)];
            }
            trackedLengths = grown;
            trackedHead = 0;
        }
        trackedLengths[(trackedHead + trackedCount) & (trackedLengths.length - 1)] = length;
        trackedCount++;
        queuedBytes += length;
    }

    private void onWriteComplete(final ChannelFuture future)
    {
        // The stream completes writes in the order they were made, failed ones included (a closed stream).
        if (0 == trackedCount)
        {
            return;
        }
        queuedBytes -= trackedLengths[trackedHead];
        trackedHead = (trackedHead + 1) & (trackedLengths.length - 1);
        trackedCount--;
        if (null != onTaken)
        {
            onTaken.run();
        }
        if (null != onDrained && queuedBytes <= lowWaterBytes)
        {
            onDrained.run();
        }
    }

    /**
     * Drop what is not yet written, and every frame committed after this. Idempotent.
     */
    public void release()
    {
        released = true;
        if (null != buffer)
        {
            buffer.release();
            buffer = null;
        }
        frames = 0;
    }
}
