package io.vshard.core.reply;

import org.agrona.DirectBuffer;

/**
 * Receives replies for in-process callers, on the lane thread that produced them.
 */
@FunctionalInterface
public interface ReplyCallback
{
    /**
     * One answer: a whole RESPONSE, ACK or ERROR frame (read it with {@link io.vshard.core.wire.FrameFlyweight}).
     * The bytes are valid only during the call.
     *
     * @param replyAddress the address given at offer.
     * @param buffer       holding the frame.
     * @param offset       of the frame.
     * @param length       of the frame.
     */
    void onReply(long replyAddress, DirectBuffer buffer, int offset, int length);
}
