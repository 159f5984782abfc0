package io.vshard.transport;

import io.vshard.core.status.CountersFileDescriptor;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * The transport's counters in the node's counters file (type {@link CountersFileDescriptor#TRANSPORT_TYPE_ID}, label
 * {@code transport: <metric>}). I/O threads add to them once per read or drain, not per frame. Any thread may read.
 */
public final class TransportCounters implements AutoCloseable
{
    /** Connections accepted (handshake completed, identity known). */
    public final AtomicCounter connectionsAccepted;

    /** Connections currently open. */
    public final AtomicCounter connectionsActive;

    /** Connections refused: limits, handshake failure or timeout, shutting down, no identity. */
    public final AtomicCounter connectionsRefused;

    /** Streams opened by peers. */
    public final AtomicCounter streamsOpened;

    /** Streams reset for bad framing. */
    public final AtomicCounter streamsReset;

    /** Frames received. */
    public final AtomicCounter framesIn;

    /** Frames written (answers). */
    public final AtomicCounter framesOut;

    /** Bytes received on streams. */
    public final AtomicCounter bytesIn;

    /** Bytes written to streams. */
    public final AtomicCounter bytesOut;

    /** ENVELOPEs whose source_node differs from the peer certificate's node id. */
    public final AtomicCounter identityMismatches;

    /** Answers dropped because their stream or connection had closed. */
    public final AtomicCounter repliesDropped;

    /** UDP datagrams received (all sockets; a server adds once per read cycle). */
    public final AtomicCounter datagramsIn;

    /** UDP datagrams sent, each segment of a segmentation-offload write counted (once per flush). */
    public final AtomicCounter datagramsOut;

    /** Times a stream stopped reading because a lane (or the spill pool) was full. */
    public final AtomicCounter backPressurePauses;

    /** Streams reset because the peer held part of a frame longer than the partial-frame timeout. */
    public final AtomicCounter partialFrameTimeouts;

    /** Connections closed because their peer took none of the answers they held for the unread timeout. */
    public final AtomicCounter connectionsClosedUnread;

    /** Connections closed because an answer would have taken them, or the node, over the reply budget. */
    public final AtomicCounter connectionsClosedOverBudget;

    /** Times a connection stopped accepting requests because it held half its reply budget (or the node half its). */
    public final AtomicCounter replyBudgetHolds;

    /** Answer bytes the connections hold that their peers have not taken, node-wide (a gauge). */
    public final AtomicCounter replyBytesQueued;

    /** Answers or error answers that could not be written because direct memory ran out. */
    public final AtomicCounter directMemoryFailures;

    /** Connection attempts refused over the handshake limits, overall or per source address. */
    public final AtomicCounter handshakesRefused;
    /**
     * Exceptions the server's Netty handlers caught (a stream reset, a failed write) before closing the channel; those
     * that are not the peer's ordinary end of a stream or connection also go to the error handler.
     */
    public final AtomicCounter channelErrors;

    private final AtomicCounter[] all;

    /**
     * Allocate the counters.
     *
     * @param manager the node's counters manager.
     */
    public TransportCounters(final CountersManager manager)
    {
        connectionsAccepted = add(manager, "connections accepted");
        connectionsActive = add(manager, "connections active");
        connectionsRefused = add(manager, "connections refused");
        streamsOpened = add(manager, "streams opened");
        streamsReset = add(manager, "streams reset");
        framesIn = add(manager, "frames in");
        framesOut = add(manager, "frames out");
        bytesIn = add(manager, "bytes in");
        bytesOut = add(manager, "bytes out");
        identityMismatches = add(manager, "identity mismatches");
        repliesDropped = add(manager, "replies dropped");
        backPressurePauses = add(manager, "back-pressure pauses");
        partialFrameTimeouts = add(manager, "partial frame timeouts");
        connectionsClosedUnread = add(manager, "connections closed unread");
        connectionsClosedOverBudget = add(manager, "connections closed over budget");
        replyBudgetHolds = add(manager, "reply budget holds");
        replyBytesQueued = add(manager, "reply bytes queued");
        directMemoryFailures = add(manager, "direct memory failures");
        handshakesRefused = add(manager, "handshakes refused");
        datagramsIn = add(manager, "datagrams in");
        datagramsOut = add(manager, "datagrams out");
        channelErrors = add(manager, "channel errors");
        all = new AtomicCounter[]{ connectionsAccepted, connectionsActive, connectionsRefused, streamsOpened,
            streamsReset, framesIn, framesOut, bytesIn, bytesOut, identityMismatches, repliesDropped,
            backPressurePauses, partialFrameTimeouts, connectionsClosedUnread, connectionsClosedOverBudget,
            replyBudgetHolds, replyBytesQueued, directMemoryFailures, handshakesRefused,
            datagramsIn, datagramsOut, channelErrors };
    }

    private static AtomicCounter add(final CountersManager manager, final String metric)
    {
        return manager.newCounter("transport" + CountersFileDescriptor.LABEL_SEPARATOR + metric,
            CountersFileDescriptor.TRANSPORT_TYPE_ID);
    }

    /**
     * Free the counters. Control plane, after the I/O threads stopped.
     */
    public void close()
    {
        for (final AtomicCounter counter : all)
        {
            counter.close();
        }
    }
}
