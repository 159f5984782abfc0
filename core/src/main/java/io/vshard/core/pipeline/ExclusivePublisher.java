package io.vshard.core.pipeline;

import io.vshard.core.reply.ReplyDestination;
import io.vshard.core.wire.ErrorCode;
import org.agrona.DirectBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A publisher for one thread, with a single-producer ring of its own into every lane: a claim is a plain increment, not
 * a compare-and-swap on a cursor other producers and the lane thread share (Aeron's {@code ExclusivePublication}
 * against {@code Publication}). An I/O thread, the only reader of its connections, offers every frame of a read
 * through its own publisher, and the lanes see them when the run ends: one publication per lane per run, not per
 * envelope (a full ring publishes what it holds at once, so that the lane can make room).
 * <p>
 * <b>Runs.</b> Offers happen in runs: the first offer after {@link #endRun()} starts one (one fenced store, the only
 * fence the publisher pays per run), and {@link #endRun()} publishes what the run accepted and ends it; an owner ends
 * its run at the end of each burst (an I/O thread at the end of each read) and before it goes idle.
 * {@link Pipeline#close()} waits for open runs to end before it drains the lanes, so that an envelope accepted in a
 * run racing with the close is still handled.
 * <p>
 * Offer results are those of {@link Pipeline#offer}. Threading: one owning thread for every method; never blocks,
 * never allocates. The receive timestamp of queue-wait latency is read once per run. Its rings' memory
 * ({@link PipelineContext#exclusiveRingSize()} slots per lane) is freed when the pipeline closes.
 */
public final class ExclusivePublisher implements AutoCloseable
{
    private static final VarHandle IN_RUN;

    static
    {
        try
        {
            IN_RUN = MethodHandles.lookup().findVarHandle(ExclusivePublisher.class, "inRun", boolean.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private static final long NONE = -1;

    private final Pipeline pipeline;
    private final LaneRing[] rings;
    private final long[] firstPending;
    private final long[] lastPending;
    @SuppressWarnings("unused") // Written through IN_RUN, read by Pipeline.close() through isInRun().
    private volatile boolean inRun;
    private boolean runOpen;
    private long runReceivedNs;
    private boolean closed;

    ExclusivePublisher(final Pipeline pipeline, final Lane[] lanes)
    {
        this.pipeline = pipeline;
        rings = new LaneRing[lanes.length];
        firstPending = new long[lanes.length];
        lastPending = new long[lanes.length];
        for (int laneId = 0; laneId < lanes.length; laneId++)
        {
            rings[laneId] = lanes[laneId].newExclusiveRing();
            firstPending[laneId] = NONE;
        }
    }

    /**
     * Offer one whole envelope into its lane through this publisher's own ring. The bytes are copied: the caller may
     * reuse them as soon as this returns, whatever it returns.
     *
     * @param buffer        holding the envelope.
     * @param offset        of its first byte.
     * @param length        of the envelope, exactly.
     * @param destination   where the answer goes.
     * @param replyAddress  opaque to the pipeline, handed back with the answer.
     * @param correlationId 0 for fire-and-forget, else echoed in the answer.
     * @return as {@link Pipeline#offer}, in the shared {@link io.vshard.core.flow.FlowResult} vocabulary:
     * {@link Pipeline#ACCEPTED}, {@link Pipeline#BACK_PRESSURED} (this
     * publisher's ring into the lane is full: retry after a {@link RoomListener} call), {@link Pipeline#CLOSED}, or an
     * {@link ErrorCode#value()}.
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

    /**
     * Offer one whole ENVELOPE frame: its correlation id and envelope are taken from the frame.
     *
     * @param buffer       holding the frame.
     * @param offset       of its first byte (the length field).
     * @param length       of the frame, exactly.
     * @param destination  where the answer goes.
     * @param replyAddress opaque to the pipeline, handed back with the answer.
     * @return as {@link Pipeline#offerFrame}.
     */
    public int offerFrame(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final ReplyDestination destination,
        final long replyAddress)
    {
        return pipeline.offerFrame(this, buffer, offset, length, destination, replyAddress);
    }

    /**
     * Publish what the current run accepted to the lanes, and end the run: call at the end of each burst of offers and
     * before the owner goes idle. Cheap when no run is open.
     */
    public void endRun()
    {
        if (runOpen)
        {
            for (int laneId = 0; laneId < rings.length; laneId++)
            {
                publishPending(laneId);
            }
            runOpen = false;
            IN_RUN.setRelease(this, false);
        }
    }

    /**
     * End the run and refuse further offers ({@link Pipeline#CLOSED}); what was offered is still handled. Owning
     * thread.
     */
    public void close()
    {
        endRun();
        closed = true;
    }

    /**
     * Whether a run is open. Any thread.
     */
    boolean isInRun()
    {
        return (boolean)IN_RUN.getVolatile(this);
    }

    int offerEnvelope(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final ReplyDestination destination,
        final long replyAddress,
        final long correlationId,
        final boolean framed)
    {
        if (closed)
        {
            return Pipeline.CLOSED;
        }
        if (!runOpen)
        {
            // Dekker with Pipeline.close(): we store inRun then load closed; the closer stores closed then loads
            // inRun. Volatile store then volatile load: one of the two sees the other.
            runOpen = true;
            IN_RUN.setVolatile(this, true);
            runReceivedNs = pipeline.receiveTimestamp();
        }
        if (pipeline.isClosed())
        {
            endRun();
            return Pipeline.CLOSED;
        }
        final int error = pipeline.validate(buffer, offset, length, framed);
        if (ErrorCode.NONE != error)
        {
            return error;
        }
        final int code = Pipeline.msgType(buffer, offset);
        final int laneId = pipeline.laneOfCode(code).laneId();
        final LaneRing ring = rings[laneId];
        long seq = ring.tryClaim(1);
        if (LaneRing.NO_CAPACITY == seq && NONE != firstPending[laneId])
        {
            // The ring is full of what this run holds back: let the lane have it, then try once more.
            publishPending(laneId);
            seq = ring.tryClaim(1);
        }
        if (LaneRing.NO_CAPACITY == seq)
        {
            return Pipeline.BACK_PRESSURED;
        }
        final int result = ring.fill(
            seq, buffer, offset, length, pipeline.targetOfCode(code), destination, replyAddress, correlationId,
            runReceivedNs);
        if (Pipeline.ACCEPTED != result)
        {
            // Published with the run, skipped by the lane: a single-producer cursor publishes every slot below it.
            ring.markCancelled(seq);
        }
        if (NONE == firstPending[laneId])
        {
            firstPending[laneId] = seq;
        }
        lastPending[laneId] = seq;
        return result;
    }

    private void publishPending(final int laneId)
    {
        final long first = firstPending[laneId];
        if (NONE != first)
        {
            firstPending[laneId] = NONE;
            rings[laneId].publish(first, lastPending[laneId]);
        }
    }
}
