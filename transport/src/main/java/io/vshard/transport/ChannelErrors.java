package io.vshard.transport;

import io.netty.incubator.codec.quic.QuicException;
import io.netty.incubator.codec.quic.QuicStreamResetException;
import io.netty.incubator.codec.quic.QuicTransportError;

import java.nio.channels.ClosedChannelException;

/**
 * What the Netty {@code exceptionCaught} handlers of server and client do with an exception: every one is counted by
 * the caller; the peer's ordinary end of a stream or connection (a stream reset, a connection closed with
 * {@code NO_ERROR}, a write racing a close) is logged at DEBUG, anything else is reported to the error handler. The
 * channel is closed either way.
 */
public final class ChannelErrors
{
    private ChannelErrors()
    {
    }

    /**
     * Whether an exception only says that the peer ended the stream or the connection.
     *
     * @param cause what the handler caught.
     * @return true for a stream reset, a connection closed without error, or a closed channel.
     */
    public static boolean isPeerEnd(final Throwable cause)
    {
        for (Throwable t = cause; null != t; t = t.getCause())
        {
            if (t instanceof QuicStreamResetException || t instanceof ClosedChannelException)
            {
                return true;
            }
            if (t instanceof QuicException && QuicTransportError.NO_ERROR.equals(((QuicException)t).error()))
            {
                return true;
            }
            if (t.getCause() == t)
            {
                break;
            }
        }
        return false;
    }
}
