package io.vshard.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Frames bound for one stream, encoded back to back into one pooled direct buffer that is written when it reaches the
 * batch size or when the I/O thread {@link #flush()}es at the end of a read or drain. The QUIC stream sends each
 * write as it comes, so batching here is what fills packets. One per stream; only its I/O thread may use it.
 */
public final class FrameBatch
{
    private final Channel channel;
    private final int batchBytes;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private ByteBuf buffer;
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
        this.channel = channel;
        this.batchBytes = batchBytes;
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
        if (0 == length)
        {
            out.release();
            return 0;
        }
        bytesWritten += length;
        framesWritten += frames;
        frames = 0;
        channel.write(out, channel.voidPromise());
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

    /**
     * Drop what is not yet written. Idempotent.
     */
    public void release()
    {
        if (null != buffer)
        {
            buffer.release();
            buffer = null;
        }
        frames = 0;
    }
}
