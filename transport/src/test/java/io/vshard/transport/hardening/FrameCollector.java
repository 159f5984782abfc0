package io.vshard.transport.hardening;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.transport.FrameReader;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads the answers a server writes on a raw stream: each frame's kind, correlation id and (for ERROR) code, in
 * order. Also records whether the stream closed. One per stream; runs on the stream's event loop.
 */
public final class FrameCollector extends ChannelInboundHandlerAdapter
{
    /**
     * One answer.
     *
     * @param kind          frame kind.
     * @param correlationId echoed id.
     * @param errorCode     code of an ERROR, else 0.
     */
    public record Frame(int kind, long correlationId, int errorCode)
    {
    }

    private final ConcurrentLinkedQueue<Frame> frames = new ConcurrentLinkedQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicBoolean badFraming = new AtomicBoolean();
    private FrameReader reader;

    /**
     * {@inheritDoc}
     */
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        reader = new FrameReader(FrameDescriptor.maxFrameLengthField(16 * 1024 * 1024), ctx.alloc());
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf in = (ByteBuf)msg;
        try
        {
            if (FrameReader.BAD_FRAMING == reader.onData(in, this::onFrame))
            {
                badFraming.set(true);
                ctx.close();
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
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        reader.release();
        closed.countDown();
    }

    /**
     * {@inheritDoc}
     */
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        ctx.close();
    }

    /**
     * The answers so far.
     *
     * @return a live view, in arrival order.
     */
    public ConcurrentLinkedQueue<Frame> frames()
    {
        return frames;
    }

    /**
     * Wait for the stream to close (reset by the server or the connection gone).
     *
     * @param timeoutMs longest wait.
     * @return true when closed.
     */
    public boolean awaitClosed(final long timeoutMs)
    {
        try
        {
            return closed.await(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Whether the stream has closed.
     *
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return 0 == closed.getCount();
    }

    private boolean onFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        final int kind = buffer.getByte(offset + FrameDescriptor.KIND_FIELD_OFFSET);
        final long correlationId = buffer.getLong(offset + FrameDescriptor.CORRELATION_ID_FIELD_OFFSET,
            ByteOrder.LITTLE_ENDIAN);
        final int errorCode = FrameDescriptor.KIND_ERROR == kind ?
            buffer.getShort(offset + FrameDescriptor.ERROR_CODE_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF : 0;
        frames.add(new Frame(kind, correlationId, errorCode));
        return true;
    }
}
