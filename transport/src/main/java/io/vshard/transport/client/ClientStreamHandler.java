package io.vshard.transport.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * The Netty side of a {@link ClientStream}: turns the events of its current stream channel into calls on the stream.
 * Sharable only because it joins one stream channel after another (reopens, reconnects), never two at once. I/O
 * thread.
 */
@ChannelHandler.Sharable
final class ClientStreamHandler extends ChannelInboundHandlerAdapter
{
    private final ClientStream stream;

    ClientStreamHandler(final ClientStream stream)
    {
        this.stream = stream;
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf in = (ByteBuf)msg;
        try
        {
            stream.onData(ctx.channel(), in);
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
        stream.onReadComplete();
    }

    /**
     * {@inheritDoc}
     */
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        stream.onWritabilityChanged(ctx.channel());
    }

    /**
     * {@inheritDoc}
     */
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object event)
    {
        if (event instanceof ChannelInputShutdownEvent)
        {
            stream.onInputShutdown(ctx.channel());
        }
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        stream.onInactive(ctx.channel());
    }

    /**
     * {@inheritDoc}
     */
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        stream.onException(ctx.channel(), cause);
    }
}
