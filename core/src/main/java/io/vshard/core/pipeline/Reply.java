package io.vshard.core.pipeline;

import io.vshard.core.reply.ReplyClaim;
import io.vshard.core.reply.ReplyDestination;
import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.EnvelopeFlyweight;
import io.vshard.core.wire.EnvelopeView;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.FrameFlyweight;
import io.vshard.core.wire.MessageType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * How a handler answers the envelope it was given: exactly one of {@link #respond}, {@link #claim} then
 * {@link #commit()}, {@link #error}, or nothing (then the sender gets an ACK). One per lane, reused for every
 * envelope; only the lane thread may use it, and only during the handler call.
 * <p>
 * A reply envelope swaps the request's source and target and keeps its vshard id. When the sender does not wait
 * (correlation id 0), answers are written to scratch space and dropped, so handlers need not check.
 * When the destination is full, the lane waits for it: a slow reader slows the lanes that answer it.
 */
public final class Reply
{
    /** The text of the ERROR answer to an envelope whose handler threw: fixed, never the exception's message. */
    public static final String HANDLER_FAILED_MESSAGE = "handler failed";

    private static final int IDLE = 0;
    private static final int CLAIMED = 1;
    private static final int SENT = 2;
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    private final FrameFlyweight frame = new FrameFlyweight();
    private final EnvelopeFlyweight envelope = new EnvelopeFlyweight();
    private final ReplyClaim claim = new ReplyClaim();
    private final IdleStrategy backPressureIdle = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
    private final ReplyDestination[] batchDestinations = new ReplyDestination[8];
    private final PipelineCounters.Lane laneCounters;
    private final PipelineCounters.Target[] targetCounters;
    private final AtomicCounter[] errorsByCode;
    private PipelineCounters.Target target;
    private ReplyDestination destination;
    private long replyAddress;
    private long correlationId;
    private EnvelopeView request;
    private int state;
    private boolean delivering;
    private int batchDestinationCount;

    Reply(final PipelineCounters pipelineCounters, final int laneId)
    {
        this.laneCounters = pipelineCounters.lanes[laneId];
        this.targetCounters = pipelineCounters.targets;
        this.errorsByCode = pipelineCounters.errorsByCode;
    }

    void reset(
        final EnvelopeView request,
        final int targetOrdinal,
        final ReplyDestination destination,
        final long replyAddress,
        final long correlationId)
    {
        // Reference stores only when the value changes: in G1 each one into this long-lived object costs a StoreLoad
        // fence in the post-write barrier, and the lane's request view and a stream's destination rarely change.
        if (this.request != request)
        {
            this.request = request;
        }
        final PipelineCounters.Target target = targetCounters[targetOrdinal];
        if (this.target != target)
        {
            this.target = target;
        }
        if (this.destination != destination)
        {
            this.destination = destination;
        }
        this.replyAddress = replyAddress;
        this.correlationId = correlationId;
        this.state = IDLE;
    }

    /**
     * The correlation id of the request: 0 when the sender does not wait for an answer.
     *
     * @return the correlation id.
     */
    public long correlationId()
    {
        return correlationId;
    }

    /**
     * Whether the sender waits for an answer. Answers to a fire-and-forget envelope are dropped.
     *
     * @return true when the correlation id is not 0.
     */
    public boolean expectsAnswer()
    {
        return FrameDescriptor.FIRE_AND_FORGET != correlationId;
    }

    /**
     * Answer with a reply envelope whose payload is copied from a buffer.
     *
     * @param type          of the reply envelope.
     * @param payload       holding the payload.
     * @param payloadOffset of its first byte.
     * @param payloadLength of the payload.
     * @throws IllegalStateException when this envelope was already answered.
     */
    public void respond(
        final MessageType type, final DirectBuffer payload, final int payloadOffset, final int payloadLength)
    {
        final MutableDirectBuffer buffer = claim(type, payloadLength);
        buffer.putBytes(payloadOffset(), payload, payloadOffset, payloadLength);
        commit();
    }

    /**
     * Answer with a reply envelope with an empty payload.
     *
     * @param type of the reply envelope.
     * @throws IllegalStateException when this envelope was already answered.
     */
    public void respond(final MessageType type)
    {
        respond(type, EMPTY, 0, 0);
    }

    /**
     * Claim space for a reply envelope whose payload the handler writes in place: write exactly
     * {@code payloadLength} bytes into the returned buffer from {@link #payloadOffset()}, then {@link #commit()}.
     * The reply's header is already written.
     *
     * @param type          of the reply envelope.
     * @param payloadLength bytes the handler will write.
     * @return the buffer to write the payload into.
     * @throws IllegalStateException when this envelope was already answered.
     */
    public MutableDirectBuffer claim(final MessageType type, final int payloadLength)
    {
        checkIdle();
        final int bodyLength = EnvelopeDescriptor.HEADER_LENGTH + payloadLength;
        claimFrame(FrameDescriptor.HEADER_LENGTH + bodyLength);
        frame.wrap(claim.buffer(), claim.offset()).header(FrameDescriptor.KIND_RESPONSE, correlationId, bodyLength);
        envelope.wrap(claim.buffer(), claim.offset() + FrameDescriptor.BODY_OFFSET)
            .replyHeader(request, type.code(), payloadLength);
        state = CLAIMED;
        return claim.buffer();
    }

    /**
     * Where the payload goes in the buffer {@link #claim} returned.
     *
     * @return the offset.
     */
    public int payloadOffset()
    {
        return claim.offset() + FrameDescriptor.BODY_OFFSET + EnvelopeDescriptor.PAYLOAD_OFFSET;
    }

    /**
     * Send the reply whose payload was written after {@link #claim}.
     *
     * @throws IllegalStateException when nothing is claimed.
     */
    public void commit()
    {
        if (CLAIMED != state)
        {
            throw new IllegalStateException("commit without a claim");
        }
        // Counted before delivery, so that whoever receives the answer sees it counted.
        laneCounters.responses.incrementRelease();
        target.replied.incrementRelease();
        deliver();
    }

    /**
     * Answer with an error instead of a reply envelope. A claim not yet committed is given up.
     *
     * @param code    the error, usually {@link ErrorCode#HANDLER_FAILED}.
     * @param message for a person; ASCII is written without allocating.
     * @throws IllegalStateException when this envelope was already answered.
     */
    public void error(final ErrorCode code, final CharSequence message)
    {
        if (CLAIMED == state)
        {
            abortClaim();
        }
        checkIdle();
        claimFrame(FrameFlyweight.errorFrameLength(message));
        frame.wrap(claim.buffer(), claim.offset()).writeError(correlationId, code.value(), message);
        state = CLAIMED;
        countError(code);
        deliver();
    }

    boolean isAnswered()
    {
        return SENT == state;
    }

    /**
     * Called by the lane after the handler returned: an unanswered envelope is acknowledged; a claim left
     * uncommitted is given up and answered HANDLER_FAILED.
     */
    void complete()
    {
        if (IDLE == state)
        {
            if (!expectsAnswer())
            {
                // Fire-and-forget: the ACK would be written to scratch and dropped; count it, skip the writing.
                state = SENT;
                laneCounters.acks.incrementRelease();
                return;
            }
            claimFrame(FrameDescriptor.HEADER_LENGTH);
            frame.wrap(claim.buffer(), claim.offset()).writeAck(correlationId);
            state = CLAIMED;
            laneCounters.acks.incrementRelease();
            deliver();
        }
        else if (CLAIMED == state)
        {
            abortClaim();
            error(ErrorCode.HANDLER_FAILED, "handler claimed a reply and did not commit it");
        }
    }

    /**
     * Called by the lane when the handler threw: answers HANDLER_FAILED unless an answer already left.
     *
     * @param cause what the handler threw.
     */
    void fail(final Throwable cause)
    {
        if (SENT != state && !delivering)
        {
            // A fixed text: the exception's message may carry what the peer must not see; the error handler has it.
            error(ErrorCode.HANDLER_FAILED, HANDLER_FAILED_MESSAGE);
        }
        else
        {
            countError(ErrorCode.HANDLER_FAILED);
        }
    }

    void noHandler(final String message)
    {
        error(ErrorCode.NO_HANDLER, message);
    }

    private void countError(final ErrorCode code)
    {
        errorsByCode[code.value()].increment();
        laneCounters.errors.incrementRelease();
        target.errors.incrementRelease();
        if (ErrorCode.NO_HANDLER == code)
        {
            laneCounters.noHandler.incrementRelease();
        }
        else if (ErrorCode.HANDLER_FAILED == code)
        {
            laneCounters.handlerFailed.incrementRelease();
        }
    }

    private void checkIdle()
    {
        if (IDLE != state)
        {
            throw new IllegalStateException("envelope already answered: correlationId=" + correlationId);
        }
    }

    private void claimFrame(final int frameLength)
    {
        if (!expectsAnswer())
        {
            claim.set(claim.scratch(frameLength), 0, frameLength, 0, replyAddress, this);
            return;
        }
        int result = destination.tryClaim(claim, replyAddress, frameLength);
        if (ReplyDestination.BACK_PRESSURED == result)
        {
            laneCounters.replyBackPressured.incrementRelease();
            // The deliverer may not know yet of the replies this batch committed: tell it before waiting for room.
            endOfBatch();
            backPressureIdle.reset();
            do
            {
                backPressureIdle.idle();
                result = destination.tryClaim(claim, replyAddress, frameLength);
            }
            while (ReplyDestination.BACK_PRESSURED == result);
        }
        if (ReplyDestination.CLOSED == result)
        {
            laneCounters.repliesDropped.incrementRelease();
            claim.set(claim.scratch(frameLength), 0, frameLength, 0, replyAddress, this);
        }
    }

    private boolean isDiscarded()
    {
        return this == claim.attachment();
    }

    private void deliver()
    {
        delivering = true;
        try
        {
            if (!isDiscarded())
            {
                destination.commit(claim);
                noteCommitted(destination);
            }
        }
        finally
        {
            delivering = false;
            state = SENT;
        }
    }

    private void noteCommitted(final ReplyDestination committed)
    {
        for (int i = 0; i < batchDestinationCount; i++)
        {
            if (committed == batchDestinations[i])
            {
                return;
            }
        }
        if (batchDestinationCount == batchDestinations.length)
        {
            committed.endOfBatch();
            return;
        }
        batchDestinations[batchDestinationCount++] = committed;
    }

    /**
     * Called by the lane at the end of each batch: each destination that took a reply in it is told once.
     */
    void endOfBatch()
    {
        for (int i = 0; i < batchDestinationCount; i++)
        {
            final ReplyDestination committed = batchDestinations[i];
            batchDestinations[i] = null;
            committed.endOfBatch();
        }
        batchDestinationCount = 0;
    }

    private void abortClaim()
    {
        if (!isDiscarded())
        {
            destination.abort(claim);
        }
        state = IDLE;
    }
}
