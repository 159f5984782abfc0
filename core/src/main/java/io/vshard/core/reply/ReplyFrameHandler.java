package io.vshard.core.reply;

import org.agrona.DirectBuffer;

/**
 * Receives the reply frames drained from an {@link OutboundQueue}, on the draining (I/O) thread.
 */
@FunctionalInterface
public interface ReplyFrameHandler
{
    /**
     * One reply frame, ready to be written to the stream its address names. The bytes are valid only during the
     * call: copy them out.
     *
     * @param replyAddress the address given at offer.
     * @param buffer       holding the frame.
     * @param offset       of the frame.
     * @param length       of the frame, length field included.
     */
    void onReplyFrame(long replyAddress, DirectBuffer buffer, int offset, int length);
}
