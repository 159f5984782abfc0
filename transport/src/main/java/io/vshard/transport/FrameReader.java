package io.vshard.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.FrameFlyweight;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Cuts a stream's bytes into frames. Whole frames are handed to a {@link FrameConsumer} straight from the bytes
 * read (one {@link UnsafeBuffer} wrapped over the direct buffer's memory: no copy); only the remainder of a frame
 * split across reads, or what is left when the consumer stops, is copied into a pooled cumulation buffer.
 * <p>
 * A header whose framing cannot be trusted (see {@link FrameFlyweight#validateHeader}) ends the stream:
 * {@link #BAD_FRAMING}. One per stream; only its I/O thread may use it. Allocates nothing per frame.
 */
public final class FrameReader
{
    /** Result: all bytes were taken (a partial frame may wait for more). */
    public static final int OK = 0;

    /** Result: the consumer stopped; bytes are kept until {@link #resume(FrameConsumer)}. */
    public static final int STOPPED = 1;

    /** Result: a frame header cannot be trusted; the stream's framing is lost. */
    public static final int BAD_FRAMING = 2;

    private final int maxFrameLengthField;
    private final ByteBufAllocator allocator;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private ByteBuf cumulation;
    private boolean stopped;
    private int frames;
    private long framesTaken;

    /**
     * A reader for one stream.
     *
     * @param maxFrameLengthField largest acceptable {@code frame_length}.
     * @param allocator           for the cumulation buffer.
     */
    public FrameReader(final int maxFrameLengthField, final ByteBufAllocator allocator)
    {
        this.maxFrameLengthField = maxFrameLengthField;
        this.allocator = allocator;
    }

    /**
     * Take bytes read from the stream. The caller keeps ownership of {@code in} (and releases it).
     *
     * @param in       the bytes, a direct buffer.
     * @param consumer takes the frames.
     * @return {@link #OK}, {@link #STOPPED} or {@link #BAD_FRAMING}.
     */
    public int onData(final ByteBuf in, final FrameConsumer consumer)
    {
        if (stopped)
        {
            append(in, in.readerIndex(), in.readableBytes());
            return STOPPED;
        }
        if (null != cumulation && cumulation.isReadable())
        {
            final int result = completePartial(in, consumer);
            if (OK != result || !in.isReadable())
            {
                return result;
            }
        }
        final int start = in.readerIndex();
        final int length = in.readableBytes();
        wrap(in, start, length);
        final int consumed = decode(view, 0, length, consumer);
        if (consumed < 0)
        {
            return BAD_FRAMING;
        }
        in.skipBytes(consumed);
        if (consumed < length)
        {
            append(in, start + consumed, length - consumed);
            in.skipBytes(length - consumed);
        }
        return stopped ? STOPPED : OK;
    }

    /**
     * Hand the kept bytes to the consumer again after it stopped.
     *
     * @param consumer takes the frames.
     * @return {@link #OK} when everything kept was taken (reading may resume), {@link #STOPPED} or
     * {@link #BAD_FRAMING}.
     */
    public int resume(final FrameConsumer consumer)
    {
        stopped = false;
        if (null == cumulation || !cumulation.isReadable())
        {
            return OK;
        }
        final int length = cumulation.readableBytes();
        wrap(cumulation, cumulation.readerIndex(), length);
        final int consumed = decode(view, 0, length, consumer);
        if (consumed < 0)
        {
            return BAD_FRAMING;
        }
        cumulation.skipBytes(consumed);
        compact();
        return stopped ? STOPPED : OK;
    }

    /**
     * Whether the consumer stopped and bytes wait for {@link #resume(FrameConsumer)}.
     *
     * @return true while stopped.
     */
    public boolean isStopped()
    {
        return stopped;
    }

    /**
     * Bytes held: a partial frame, or what waits after a stop.
     *
     * @return bytes kept.
     */
    public int pendingBytes()
    {
        return null == cumulation ? 0 : cumulation.readableBytes();
    }

    /**
     * Frames handed out since the last call, for counters.
     *
     * @return frames taken by the consumer.
     */
    public int takeFrameCount()
    {
        final int count = frames;
        frames = 0;
        framesTaken += count;
        return count;
    }

    /**
     * Frames handed out since the reader was made: while it holds part of a frame, an unchanged count means the
     * same partial frame is still waiting.
     *
     * @return frames taken by the consumer in all.
     */
    public long framesTaken()
    {
        return framesTaken + frames;
    }

    /**
     * Drop what is held and free the cumulation buffer. Idempotent.
     */
    public void release()
    {
        if (null != cumulation)
        {
            cumulation.release();
            cumulation = null;
        }
        stopped = false;
    }

    private int completePartial(final ByteBuf in, final FrameConsumer consumer)
    {
        while (in.isReadable())
        {
            final int held = cumulation.readableBytes();
            final int needed = needed(cumulation, held);
            if (needed < 0)
            {
                return BAD_FRAMING;
            }
            final int take = Math.min(needed - held, in.readableBytes());
            append(in, in.readerIndex(), take);
            in.skipBytes(take);
            // A frame as short as its header (ACK) is whole once the header is: validate the header before handing
            // it out.
            if (held + take == needed && needed >= FrameDescriptor.HEADER_LENGTH &&
                needed(cumulation, needed) == needed)
            {
                final int length = cumulation.readableBytes();
                wrap(cumulation, cumulation.readerIndex(), length);
                if (!consumer.onFrame(view, 0, length))
                {
                    stopped = true;
                    append(in, in.readerIndex(), in.readableBytes());
                    in.skipBytes(in.readableBytes());
                    return STOPPED;
                }
                frames++;
                cumulation.clear();
                compact();
                return OK;
            }
        }
        // The read may end just as a length field or header became whole: check it now, as one read would.
        return needed(cumulation, cumulation.readableBytes()) < 0 ? BAD_FRAMING : OK;
    }

    /**
     * Bytes the frame at the start of the cumulation needs in all: the length field, then the header, then the
     * whole frame; -1 when the header is bad.
     */
    private int needed(final ByteBuf buf, final int held)
    {
        if (held < FrameDescriptor.LENGTH_FIELD_LENGTH)
        {
            return FrameDescriptor.LENGTH_FIELD_LENGTH;
        }
        final int index = buf.readerIndex();
        final long frameLength = buf.getUnsignedIntLE(index);
        if (frameLength < FrameDescriptor.MIN_FRAME_LENGTH || frameLength > maxFrameLengthField)
        {
            return -1;
        }
        if (held < FrameDescriptor.HEADER_LENGTH)
        {
            return FrameDescriptor.HEADER_LENGTH;
        }
        wrap(buf, index, held);
        if (ErrorCode.NONE != FrameFlyweight.validateHeader(view, 0, maxFrameLengthField))
        {
            return -1;
        }
        return (int)frameLength + FrameDescriptor.LENGTH_FIELD_LENGTH;
    }

    /**
     * Hand every whole frame in [offset, limit) to the consumer.
     *
     * @return bytes consumed, or -1 for bad framing.
     */
    private int decode(final DirectBuffer buffer, final int offset, final int limit, final FrameConsumer consumer)
    {
        int position = offset;
        while (limit - position >= FrameDescriptor.LENGTH_FIELD_LENGTH)
        {
            final long frameLength = buffer.getInt(position, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
            if (frameLength < FrameDescriptor.MIN_FRAME_LENGTH || frameLength > maxFrameLengthField)
            {
                return -1;
            }
            if (limit - position < FrameDescriptor.HEADER_LENGTH)
            {
                break;
            }
            if (ErrorCode.NONE != FrameFlyweight.validateHeader(buffer, position, maxFrameLengthField))
            {
                return -1;
            }
            final int length = (int)frameLength + FrameDescriptor.LENGTH_FIELD_LENGTH;
            if (limit - position < length)
            {
                break;
            }
            if (!consumer.onFrame(buffer, position, length))
            {
                stopped = true;
                break;
            }
            frames++;
            position += length;
        }
        return position - offset;
    }

    private void wrap(final ByteBuf buf, final int index, final int length)
    {
        if (buf.hasMemoryAddress())
        {
            view.wrap(buf.memoryAddress() + index, length);
        }
        else
        {
            view.wrap(buf.nioBuffer(index, length), 0, length);
        }
    }

    private void append(final ByteBuf src, final int index, final int length)
    {
        if (0 == length)
        {
            return;
        }
        if (null == cumulation)
        {
            cumulation = allocator.directBuffer(Math.max(length, 256));
        }
        cumulation.writeBytes(src, index, length);
    }

    private void compact()
    {
        if (null != cumulation)
        {
            if (cumulation.isReadable())
            {
                cumulation.discardSomeReadBytes();
            }
            else
            {
                cumulation.release();
                cumulation = null;
            }
        }
    }
}
