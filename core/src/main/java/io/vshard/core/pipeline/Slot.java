package io.vshard.core.pipeline;

import io.vshard.core.reply.ReplyDestination;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One pre-allocated ring event: a flyweight over its own fixed region of the lane's off-heap arena, holding the
 * envelope bytes inline, plus the reply address and bookkeeping. Written by the publisher between claim and
 * publish, read by the lane thread after; the ring's sequence publication orders the two.
 */
final class Slot
{
    /** The slot's region of the arena: the envelope header, and its payload when it fits. */
    final UnsafeBuffer inline = new UnsafeBuffer(0, 0);

    /** A pooled buffer holding the payload when it did not fit inline, else {@code null}. */
    UnsafeBuffer spill;

    int envelopeLength;
    int targetOrdinal;
    /** Where the answer goes; left in place after use (cleared only by being overwritten). */
    ReplyDestination destination;
    long replyAddress;
    long correlationId;
    long receivedNs;

    /** Claimed after the pipeline closed, or given up: published only to keep the sequence, never handled. */
    boolean cancelled;
}
