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

    /** Times a stream stopped reading because a lane (or the spill pool) was full. */
    public final AtomicCounter backPressurePauses;

    /** Streams reset because the peer held part of a frame longer than the partial-frame timeout. */
    public final AtomicCounter partialFrameTimeouts;

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
        channelErrors = add(manager, "channel errors");
        all = new AtomicCounter[]{ connectionsAccepted, connectionsActive, connectionsRefused, streamsOpened,
            streamsReset, framesIn, framesOut, bytesIn, bytesOut, identityMismatches, repliesDropped,
            backPressurePauses, partialFrameTimeouts, channelErrors };
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
