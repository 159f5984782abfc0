package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.dispatch.LaneLayout;
import io.vshard.core.dispatch.LaneSpec;
import io.vshard.core.flow.FlowResult;
import io.vshard.core.reply.OutboundQueue;
import io.vshard.core.reply.ReplyDestination;
import io.vshard.core.status.CountersFile;
import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.EnvelopeFlyweight;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.FrameFlyweight;
import io.vshard.core.wire.MessageType;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The envelope pipeline: validates offered envelopes, copies each into a slot of its target's lane, and has the
 * lane thread call the target's {@link EnvelopeHandler}, whose answer goes to the offer's {@link ReplyDestination}.
 * <p>
 * Offer results follow Aeron's convention: {@link #ACCEPTED}, negative flow conditions of the shared vocabulary
 * {@link FlowResult} ({@link #BACK_PRESSURED}, {@link #CLOSED}), and positive {@link ErrorCode#value()}s for
 * envelopes that are refused.
 * <p>
 * Threading: {@link #offer} from any number of threads, never blocking, never allocating. {@link #close()} from
 * one control thread.
 */
public final class Pipeline implements AutoCloseable
{
    /** Offer result: the envelope is in a slot and will be handled and answered. */
    public static final int ACCEPTED = 0;

    /**
     * Offer result: the lane (or the spill pool) is full. The caller keeps the bytes, stops feeding this lane and
     * retries after a {@link RoomListener} call.
     */
    public static final int BACK_PRESSURED = FlowResult.BACK_PRESSURED;

    /** Offer result: the pipeline is closing or closed; answer the sender SHUTTING_DOWN. */
    public static final int CLOSED = FlowResult.CLOSED;

    private static final System.Logger LOG = System.getLogger("io.vshard.pipeline");

    private final PipelineContext ctx;
    private final int maxPayloadLength;
    private final Lane[] lanes;
    private final Lane[] laneByCode = new Lane[MessageType.CODE_LIMIT];
    private final int[] targetByCode = new int[MessageType.CODE_LIMIT];
    private final BufferPool pool;
    private final CountersFile countersFile;
    private final PipelineCounters counters;
    private final ErrorHandler errorHandler;
    private final StatusPublisher statusPublisher;
    private volatile RoomListener[] roomListeners = new RoomListener[0];
    private volatile ExclusivePublisher[] exclusivePublishers = new ExclusivePublisher[0];
    private volatile boolean closed;
    private boolean laneThreadsStopped;
    private boolean released;
    private boolean closeCompleted;
    private int[] stuckLanes = new int[0];

    private Pipeline(final PipelineContext ctx)
    {
        this.ctx = ctx;
        this.maxPayloadLength = ctx.maxPayloadLength();
        this.errorHandler = ctx.errorHandler();
        final LaneLayout layout = ctx.laneLayout();
        // Sized for a whole reply frame of the largest payload too: OutboundQueues take large replies from it.
        pool = new BufferPool(
            Math.max(FrameDescriptor.envelopeFrameLength(maxPayloadLength), BufferPool.MIN_CLASS_LENGTH),
            ctx.spillPoolClassBytes());
        pool.roomCallback(() -> notifyRoom(RoomListener.ANY_LANE));
        countersFile = CountersFile.create(ctx.dir(), maxCounters(layout), DispatchTarget.COUNT,
            ctx.livenessTimeoutMs(), ctx.latencyIntervalMs());
        counters = new PipelineCounters(countersFile.manager(), layout);
        lanes = new Lane[layout.laneCount()];
        for (int laneId = 0; laneId < lanes.length; laneId++)
        {
            lanes[laneId] = new Lane(laneId, layout.lanes().get(laneId), ctx, pool, counters, this);
        }
        for (final MessageType type : MessageType.values())
        {
            laneByCode[type.code()] = lanes[layout.laneOf(type.target())];
            targetByCode[type.code()] = type.target().ordinal();
        }
        statusPublisher = new StatusPublisher(countersFile, lanes, ctx.heartbeatIntervalMs(), ctx.latencyIntervalMs(),
            errorHandler, ctx.name());
    }

    /**
     * Validate the context, allocate the arenas, map the counters file and start the lane threads. Logs one line
     * per lane: its targets, CPU and wait strategy.
     *
     * @param ctx the configuration, concluded here.
     * @return the running pipeline.
     */
    public static Pipeline launch(final PipelineContext ctx)
    {
        ctx.conclude();
        final Pipeline pipeline = new Pipeline(ctx);
        for (final Lane lane : pipeline.lanes)
        {
            LOG.log(System.Logger.Level.INFO, "lane " + lane.laneId() + ": targets=" + lane.spec().describe() +
                " cpu=" + (LaneSpec.NO_CPU == lane.spec().cpu() ? "unpinned" : lane.spec().cpu()) +
                " wait=" + lane.waitStrategy().label() + " ring=" + ctx.laneRingSize() +
                " slot=" + ctx.slotLength() + "B");
            lane.start();
        }
        pipeline.statusPublisher.start();
        return pipeline;
    }

    /**
     * Offer one whole envelope. Any thread; never blocks, never allocates. The bytes are copied: the caller may
     * reuse them as soon as this returns, whatever it returns.
     *
     * @param buffer        holding the envelope.
     * @param offset        of its first byte.
     * @param length        of the envelope, exactly.
     * @param destination   where the answer goes.
     * @param replyAddress  opaque to the pipeline, handed back with the answer (for example a stream).
     * @param correlationId 0 for fire-and-forget (never answered), else echoed in the answer.
     * @return {@link #ACCEPTED}, {@link #BACK_PRESSURED}, {@link #CLOSED}, or the {@link ErrorCode#value()} of
     * MALFORMED, UNSUPPORTED_VERSION, UNKNOWN_TYPE or TOO_LARGE.
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
        if (closed)
        {
            return CLOSED;
        }
        final int error = validate(buffer, offset, length, framed);
        if (ErrorCode.NONE != error)
        {
            return error;
        }
        final int code = msgType(buffer, offset);
        return laneByCode[code].offer(
            buffer, offset, length, targetByCode[code], destination, replyAddress, correlationId);
    }

    /**
     * A new publisher for one thread, with a single-producer ring of its own into every lane: what an I/O thread,
     * the only reader of its connections, offers through. Control plane: create one per publishing thread, once; its
     * rings live as long as the pipeline.
     *
     * @return the publisher, for the calling thread only.
     * @throws IllegalStateException when the pipeline is closed.
     */
    public synchronized ExclusivePublisher newExclusivePublisher()
    {
        if (closed)
        {
            throw new IllegalStateException("pipeline closed");
        }
        final ExclusivePublisher publisher = new ExclusivePublisher(this, lanes);
        final ExclusivePublisher[] next = Arrays.copyOf(exclusivePublishers, exclusivePublishers.length + 1);
        next[exclusivePublishers.length] = publisher;
        exclusivePublishers = next;
        return publisher;
    }

    /**
     * Validate an envelope, counting a refusal.
     *
     * @param framed true when the envelope is the body of a frame whose length was checked against the maximum.
     * @return {@link ErrorCode#NONE} or the error's value.
     */
    int validate(final DirectBuffer buffer, final int offset, final int length, final boolean framed)
    {
        int error = EnvelopeFlyweight.validate(buffer, offset, length, maxPayloadLength);
        if (ErrorCode.NONE != error)
        {
            if (framed && ErrorCode.TOO_LARGE.value() == error)
            {
                // The frame's length is within the maximum, so a payload_len above it can only disagree with it.
                error = ErrorCode.MALFORMED.value();
            }
            counters.errorsByCode[error].increment();
        }
        return error;
    }

    /**
     * Whether bytes are one whole ENVELOPE frame whose framing can be trusted; a refusal is counted MALFORMED.
     */
    boolean isEnvelopeFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < FrameDescriptor.HEADER_LENGTH ||
            ErrorCode.NONE != FrameFlyweight.validateHeader(
                buffer, offset, FrameDescriptor.maxFrameLengthField(maxPayloadLength)) ||
            FrameDescriptor.KIND_ENVELOPE != FrameDescriptor.kind(buffer, offset) ||
            FrameDescriptor.frameLength(buffer, offset) + FrameDescriptor.LENGTH_FIELD_LENGTH != length)
        {
            counters.errorsByCode[ErrorCode.MALFORMED.value()].increment();
            return false;
        }
        return true;
    }

    /**
     * The receive timestamp for slots filled now, from the first lane's recorder (every lane's is the same clock,
     * read only when latency is recorded).
     */
    long receiveTimestamp()
    {
        return lanes[0].receiveTimestamp();
    }

    Lane laneOfCode(final int code)
    {
        return laneByCode[code];
    }

    int targetOfCode(final int code)
    {
        return targetByCode[code];
    }

    static int msgType(final DirectBuffer buffer, final int offset)
    {
        return EnvelopeDescriptor.msgType(buffer, offset);
    }

    /**
     * Offer one whole ENVELOPE frame: its correlation id and envelope are taken from the frame.
     *
     * @param buffer       holding the frame.
     * @param offset       of its first byte (the length field).
     * @param length       of the frame, exactly.
     * @param destination  where the answer goes.
     * @param replyAddress opaque to the pipeline, handed back with the answer.
     * @return as {@link #offer(DirectBuffer, int, int, ReplyDestination, long, long)}; MALFORMED also for a frame
     * that is not a valid ENVELOPE frame, and for an envelope whose payload_len disagrees with the frame (even when
     * it claims more than the maximum), as {@link FrameFlyweight#validate} answers.
     */
    public int offerFrame(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final ReplyDestination destination,
        final long replyAddress)
    {
        return offerFrame(null, buffer, offset, length, destination, replyAddress);
    }

    /**
     * Check a frame's framing and offer its envelope through a publisher, or the shared ring when it is null.
     */
    int offerFrame(
        final ExclusivePublisher publisher,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final ReplyDestination destination,
        final long replyAddress)
    {
        if (!isEnvelopeFrame(buffer, offset, length))
        {
            return ErrorCode.MALFORMED.value();
        }
        final int bodyOffset = offset + FrameDescriptor.BODY_OFFSET;
        final int bodyLength = length - FrameDescriptor.HEADER_LENGTH;
        final long correlationId = FrameDescriptor.correlationId(buffer, offset);
        if (null == publisher)
        {
            return offerEnvelope(buffer, bodyOffset, bodyLength, destination, replyAddress, correlationId, true);
        }
        return publisher.offerEnvelope(buffer, bodyOffset, bodyLength, destination, replyAddress, correlationId, true);
    }

    /**
     * The lane a message type goes to.
     *
     * @param msgType wire code.
     * @return the lane id, or -1 for a code with no type.
     */
    public int laneOf(final int msgType)
    {
        final MessageType type = MessageType.get(msgType);
        return null == type ? -1 : laneByCode[msgType].laneId();
    }

    /**
     * Number of lanes.
     *
     * @return the lane count.
     */
    public int laneCount()
    {
        return lanes.length;
    }

    /**
     * The lane layout in effect.
     *
     * @return the layout.
     */
    public LaneLayout laneLayout()
    {
        return ctx.laneLayout();
    }

    /**
     * The thread of a lane, for monitoring and tests.
     *
     * @param laneId the lane.
     * @return its thread.
     */
    public Thread laneThread(final int laneId)
    {
        return lanes[laneId].thread();
    }

    /**
     * Free slots in a lane's ring right now.
     *
     * @param laneId the lane.
     * @return free slots.
     */
    public long laneRemainingCapacity(final int laneId)
    {
        return lanes[laneId].remainingCapacity();
    }

    /**
     * Register a listener for room after back-pressure. Control plane; listeners are called on lane threads.
     *
     * @param listener to add.
     */
    public synchronized void addRoomListener(final RoomListener listener)
    {
        final RoomListener[] current = roomListeners;
        final RoomListener[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = listener;
        roomListeners = next;
    }

    /**
     * Remove a listener added before. Control plane.
     *
     * @param listener to remove.
     */
    public synchronized void removeRoomListener(final RoomListener listener)
    {
        roomListeners = Arrays.stream(roomListeners).filter((l) -> l != listener).toArray(RoomListener[]::new);
    }

    /**
     * The pool of large buffers, to share with {@link OutboundQueue}s.
     *
     * @return the pool.
     */
    public BufferPool bufferPool()
    {
        return pool;
    }

    /**
     * The manager of the counters file, so that other parts of a node (the transport) add their counters to it.
     *
     * @return the manager.
     */
    public CountersManager countersManager()
    {
        return countersFile.manager();
    }

    /**
     * The pipeline-wide counter of an error code; the transport bumps IDENTITY_MISMATCH and the like here.
     *
     * @param code the error.
     * @return its counter, safe to {@link AtomicCounter#increment()} from any thread.
     */
    public AtomicCounter errorCounter(final ErrorCode code)
    {
        return counters.errorsByCode[code.value()];
    }

    /**
     * The configured maximum payload.
     *
     * @return bytes.
     */
    public int maxPayloadLength()
    {
        return maxPayloadLength;
    }

    /**
     * The context the pipeline was launched with.
     *
     * @return the context.
     */
    public PipelineContext context()
    {
        return ctx;
    }

    /**
     * Whether {@link #close()} has begun.
     *
     * @return true once closing.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Stop accepting ({@link #CLOSED} for new offers), let every lane handle all it accepted and deliver the
     * answers, stop the lane threads. Blocks until drained: a handler stuck forever keeps it waiting, and so does an
     * {@link ExclusivePublisher} whose run stays open until its thread ends it; {@link #close(long)} bounds the wait.
     * An interrupt does not cut the wait short (the lanes still use their memory); the thread's interrupt flag is set
     * again on return. Leaves the counters file mapped and the pool alive for a transport still draining replies;
     * call {@link #release()} after it.
     */
    public void close()
    {
        close(Long.MAX_VALUE);
    }

    /**
     * As {@link #close()}, waiting at most {@code timeoutMs} for the lanes to drain. A lane still inside a handler
     * then is reported to the error handler (an {@link IllegalStateException} naming the lane and its targets, with
     * the lane thread's stack as its stack trace) and left running: its thread is a daemon, its memory and the spill
     * pool are never freed (the handler may still use them), and the process can exit. Every other lane is drained
     * and stopped as usual. Once it has returned, later calls return at once.
     *
     * @param timeoutMs the most to wait for the lanes; {@link Long#MAX_VALUE} for no limit.
     * @return the ids of the lanes left stuck, empty when all stopped.
     */
    public int[] close(final long timeoutMs)
    {
        if (closeCompleted)
        {
            return stuckLanes.clone();
        }
        closed = true;
        final long deadlineNs = Long.MAX_VALUE == timeoutMs ?
            Long.MAX_VALUE : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        // An interrupt does not cut the drain short (the lanes still use the arenas), and parkNanos returns at once
        // while the flag is set: clear it, remember it, and set it again on the way out.
        boolean interrupted = Thread.interrupted();
        // Dekker with ExclusivePublisher: closed is stored, then each publisher's run flag loaded. A run that began
        // before sees the flag; wait for it to end, so that everything it accepted is in its rings' cursors.
        boolean publishersQuiet = true;
        for (final ExclusivePublisher publisher : exclusivePublishers)
        {
            while (publisher.isInRun() && System.nanoTime() - deadlineNs < 0)
            {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
                interrupted |= Thread.interrupted();
            }
            if (publisher.isInRun())
            {
                // Its owner may still be writing into its rings: they must outlive this close.
                publishersQuiet = false;
                errorHandler.onError(new IllegalStateException(
                    "an exclusive publisher's run was still open " + timeoutMs + " ms into close: rings not freed"));
            }
        }
        final long[] cursors = new long[lanes.length];
        for (int i = 0; i < lanes.length; i++)
        {
            cursors[i] = lanes[i].close();
        }
        final boolean[] drained = new boolean[lanes.length];
        int stuck = 0;
        for (int i = 0; i < lanes.length; i++)
        {
            while (!(drained[i] = lanes[i].isDrainedTo(cursors[i])) && System.nanoTime() - deadlineNs < 0)
            {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
                interrupted |= Thread.interrupted();
            }
            if (!drained[i])
            {
                stuck++;
            }
        }
        for (final Lane lane : lanes)
        {
            lane.halt();
        }
        final int[] stuckIds = new int[stuck];
        for (int i = 0, s = 0; i < lanes.length; i++)
        {
            if (!drained[i])
            {
                stuckIds[s++] = i;
                reportStuck(i, timeoutMs);
                continue;
            }
            while (true)
            {
                try
                {
                    lanes[i].thread().join();
                    break;
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
            if (publishersQuiet)
            {
                lanes[i].freeArena();
            }
        }
        stuckLanes = stuckIds;
        laneThreadsStopped = 0 == stuck;
        closeCompleted = true;
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        return stuckIds.clone();
    }

    /**
     * The lanes a bounded {@link #close(long)} left stuck in a handler.
     *
     * @return lane ids, empty when none (or before close).
     */
    public int[] stuckLanes()
    {
        return stuckLanes.clone();
    }

    private void reportStuck(final int laneId, final long timeoutMs)
    {
        final Thread thread = lanes[laneId].thread();
        final IllegalStateException stuck = new IllegalStateException("lane " + laneId + " " +
            ctx.laneLayout().lanes().get(laneId).targets() + " (thread " + thread.getName() + ") still in a handler " +
            timeoutMs + " ms into close: left running, its memory not freed");
        stuck.setStackTrace(thread.getStackTrace());
        errorHandler.onError(stuck);
    }

    /**
     * Close if not closed, then stop the status thread (publishing the last latency interval), mark the counters
     * file closed (readers then see the node as stopped, and another node may take the directory), free the spill
     * pool and unmap the counters file. Call when nothing uses the pipeline's pool or counters any more (after the
     * transport closed). Idempotent.
     */
    public void release()
    {
        close();
        if (!released)
        {
            released = true;
            statusPublisher.stop();
            if (!laneThreadsStopped)
            {
                // A stuck lane may still write its counters and use pooled buffers when its handler returns.
                return;
            }
            countersFile.markClosed();
            pool.close();
            countersFile.close();
        }
    }

    void notifyRoom(final int laneId)
    {
        for (final RoomListener listener : roomListeners)
        {
            try
            {
                listener.onRoom(laneId);
            }
            catch (final Throwable ex)
            {
                errorHandler.onError(ex);
            }
        }
    }

    private static int maxCounters(final LaneLayout layout)
    {
        return 64 + layout.laneCount() * 16 + DispatchTarget.COUNT * 8 + 256;
    }

    /**
     * The lanes as a list of their specifications, in lane-id order.
     *
     * @return the specs.
     */
    public List<LaneSpec> lanes()
    {
        return ctx.laneLayout().lanes();
    }
}
