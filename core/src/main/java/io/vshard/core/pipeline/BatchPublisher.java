package io.vshard.core.pipeline;

import io.vshard.core.reply.ReplyDestination;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import org.agrona.DirectBuffer;

import java.util.Arrays;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Offers envelopes as {@link Pipeline#offer} does, but claims each lane's slots in runs: one atomic claim
 * ({@code tryNext(n)} on the lane's multi-producer sequencer) and one publication per run instead of one of each per
 * envelope. For a thread that offers bursts, as an I/O thread offers every frame of one read: offer each envelope,
 * then {@link #flush()} once at the end of the burst.
 * <p>
 * An envelope accepted here is copied at once (the caller may reuse its bytes) and is handled once its run is
 * published: when the run is full, or at {@link #flush()}. Slots claimed and not filled by the flush are published
 * as cancelled and skipped by the lane, so pick a batch size near the envelopes of a burst. Return codes are those of
 * {@link Pipeline#offer}; {@link Pipeline#BACK_PRESSURED} comes only when not even one slot is free.
 * <p>
 * Threading: one thread only, which must {@link #flush()} before it goes idle: claimed slots hold up the lane
 * behind them, and {@link Pipeline#close()} waits for them. Never blocks, never allocates.
 */
public final class BatchPublisher
{
    private static final long NONE = -1;

    private final Pipeline pipeline;
    private final Lane[] lanes;
    private final int batchSize;
    private final long[] firstClaimed;
    private final long[] nextFree;
    private final long[] lastClaimed;
    private final long[] receivedNs;

    BatchPublisher(final Pipeline pipeline, final Lane[] lanes, final int batchSize)
    {
        this.pipeline = pipeline;
        this.lanes = lanes;
        this.batchSize = batchSize;
        firstClaimed = new long[lanes.length];
        nextFree = new long[lanes.length];
        lastClaimed = new long[lanes.length];
        receivedNs = new long[lanes.length];
        Arrays.fill(firstClaimed, NONE);
        Arrays.fill(nextFree, NONE);
        Arrays.fill(lastClaimed, NONE);
    }

    /**
     * Offer one whole envelope into the current run of its lane. The bytes are copied: the caller may reuse them as
     * soon as this returns. Only the publisher's thread.
     *
     * @param buffer        holding the envelope.
     * @param offset        of its first byte.
     * @param length        of the envelope, exactly.
     * @param destination   where the answer goes.
     * @param replyAddress  opaque to the pipeline, handed back with the answer.
     * @param correlationId 0 for fire-and-forget, else echoed in the answer.
     * @return as {@link Pipeline#offer(DirectBuffer, int, int, ReplyDestination, long, long)}.
     */
    public int offer(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final ReplyDestination destination,
        final long replyAddress,
        final long correlationId)
    {
        return offerEnvelope(buffer, offset, length, destination, replyAddress, correlationId, false);
    }

    private int offerEnvelope(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final ReplyDestination destination,
        final long replyAddress,
        final long correlationId,
        final boolean framed)
    {
        if (pipeline.isClosed())
        {
            flush();
            return Pipeline.CLOSED;
        }
        final int error = pipeline.validate(buffer, offset, length, framed);
        if (ErrorCode.NONE != error)
        {
            return error;
        }
        final int code = Pipeline.msgType(buffer, offset);
        final Lane lane = pipeline.laneOfCode(code);
        final int laneId = lane.laneId();
        if (NONE == lastClaimed[laneId] && !claim(lane, laneId))
        {
            return Pipeline.BACK_PRESSURED;
        }
        if (lane.isClosed())
        {
            flush(lane, laneId);
            return Pipeline.CLOSED;
        }
        final long seq = nextFree[laneId];
        final int result = lane.fill(
            seq, buffer, offset, length, pipeline.targetOfCode(code), destination, replyAddress, correlationId,
            receivedNs[laneId]);
        if (Pipeline.ACCEPTED == result)
        {
            nextFree[laneId] = seq + 1;
            if (seq == lastClaimed[laneId])
            {
                flush(lane, laneId);
            }
        }
        return result;
    }

    /**
     * Offer one whole ENVELOPE frame, as {@link Pipeline#offerFrame} does, into the current run of its lane.
     *
     * @param buffer       holding the frame.
     * @param offset       of its first byte (the length field).
     * @param length       of the frame, exactly.
     * @param destination  where the answer goes.
     * @param replyAddress opaque to the pipeline, handed back with the answer.
     * @return as {@link Pipeline#offerFrame(DirectBuffer, int, int, ReplyDestination, long)}.
     */
    public int offerFrame(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final ReplyDestination destination,
        final long replyAddress)
    {
        if (!pipeline.isEnvelopeFrame(buffer, offset, length))
        {
            return ErrorCode.MALFORMED.value();
        }
        return offerEnvelope(
            buffer,
            offset + FrameDescriptor.BODY_OFFSET,
            length - FrameDescriptor.HEADER_LENGTH,
            destination,
            replyAddress,
            buffer.getLong(offset + FrameDescriptor.CORRELATION_ID_FIELD_OFFSET, LITTLE_ENDIAN),
            true);
    }

    /**
     * Publish every envelope accepted since the last flush, and give back the slots claimed but not filled. Call
     * at the end of each burst. Only the publisher's thread.
     */
    public void flush()
    {
        for (int laneId = 0; laneId < lanes.length; laneId++)
        {
            if (NONE != lastClaimed[laneId])
            {
                flush(lanes[laneId], laneId);
            }
        }
    }

    /**
     * The most slots this publisher claims at once per lane.
     *
     * @return the batch size.
     */
    public int batchSize()
    {
        return batchSize;
    }

    private boolean claim(final Lane lane, final int laneId)
    {
        int count = batchSize;
        long hi = lane.tryClaim(count);
        if (Lane.NO_CAPACITY == hi && count > 1)
        {
            count = 1;
            hi = lane.tryClaim(1);
        }
        if (Lane.NO_CAPACITY == hi)
        {
            return false;
        }
        firstClaimed[laneId] = hi - count + 1;
        nextFree[laneId] = hi - count + 1;
        lastClaimed[laneId] = hi;
        receivedNs[laneId] = lane.receiveTimestamp();
        return true;
    }

    private void flush(final Lane lane, final int laneId)
    {
        final long first = firstClaimed[laneId];
        final long next = nextFree[laneId];
        final long last = lastClaimed[laneId];
        if (next > first)
        {
            lane.publish(first, next - 1);
        }
        if (next <= last)
        {
            lane.cancel(next, last);
        }
        firstClaimed[laneId] = NONE;
        nextFree[laneId] = NONE;
        lastClaimed[laneId] = NONE;
    }
}
