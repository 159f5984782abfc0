package io.vshard.core.reply;

/**
 * A destination that hands each reply frame to a {@link ReplyCallback} on the lane thread, for embedding without
 * the network. The frame is written into the lane's own scratch buffer: nothing is allocated per reply.
 */
public final class CallbackReplyDestination implements ReplyDestination
{
    private final ReplyCallback callback;

    /**
     * A destination delivering to a callback.
     *
     * @param callback called on lane threads, possibly several at once when envelopes go to several lanes.
     */
    public CallbackReplyDestination(final ReplyCallback callback)
    {
        this.callback = callback;
    }

    /**
     * {@inheritDoc}
     */
    public int tryClaim(final ReplyClaim claim, final long replyAddress, final int frameLength)
    {
        claim.set(claim.scratch(frameLength), 0, frameLength, 0, replyAddress, null);
        return CLAIMED;
    }

    /**
     * {@inheritDoc}
     */
    public void commit(final ReplyClaim claim)
    {
        callback.onReply(claim.replyAddress(), claim.buffer(), claim.offset(), claim.length());
    }

    /**
     * {@inheritDoc}
     */
    public void abort(final ReplyClaim claim)
    {
    }
}
