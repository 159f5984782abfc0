package io.vshard.core.reply;

/**
 * Where the replies to an offered envelope go: the transport's {@link OutboundQueue} for an I/O thread, or a
 * {@link CallbackReplyDestination} for an in-process caller. Lane threads call it, several at once; an
 * implementation must be safe for concurrent claims from different lanes.
 */
public interface ReplyDestination
{
    /** Claim result: the claim succeeded. */
    int CLAIMED = 0;

    /** Claim result: no space now; the lane waits and tries again. */
    int BACK_PRESSURED = -1;

    /** Claim result: the destination is gone; the reply is dropped and counted. */
    int CLOSED = -2;

    /**
     * Claim space for a whole reply frame.
     *
     * @param claim        the lane's claim, to fill in on success.
     * @param replyAddress the opaque address given at offer (for example a stream).
     * @param frameLength  bytes of the frame, length field included.
     * @return {@link #CLAIMED}, {@link #BACK_PRESSURED} or {@link #CLOSED}.
     */
    int tryClaim(ReplyClaim claim, long replyAddress, int frameLength);

    /**
     * Make a claimed, fully written frame visible to whoever delivers it. The deliverer may learn of it only at the
     * next {@link #endOfBatch()}: a lane commits every reply of a batch, then ends the batch once per destination.
     *
     * @param claim filled by {@link #tryClaim}.
     */
    void commit(ReplyClaim claim);

    /**
     * The end of a lane's batch in which this destination took at least one commit: tell the deliverer, if it is
     * idle, that frames are waiting (one wake-up per batch, not per reply). Lane thread.
     */
    default void endOfBatch()
    {
    }

    /**
     * Give up a claim without delivering anything.
     *
     * @param claim filled by {@link #tryClaim}.
     */
    void abort(ReplyClaim claim);
}
