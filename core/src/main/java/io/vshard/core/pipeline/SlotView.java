package io.vshard.core.pipeline;

import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.EnvelopeView;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The read-only view of a slot's envelope handed to handlers; one per lane, re-pointed at each slot by address. It
 * keeps no reference to the slot: a reference store per envelope into a long-lived object costs a StoreLoad fence in
 * G1's post-write barrier, an address and a length cost two plain stores. Slots and spill buffers are off-heap, so
 * an address is all the view needs.
 */
final class SlotView implements EnvelopeView
{
    private final UnsafeBuffer envelope = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer spill = new UnsafeBuffer(0, 0);
    private boolean spilled;

    SlotView wrap(final Slot slot)
    {
        envelope.wrap(slot.inline.addressOffset(), slot.inline.capacity());
        final UnsafeBuffer slotSpill = slot.spill;
        spilled = null != slotSpill;
        if (spilled)
        {
            spill.wrap(slotSpill.addressOffset(), slotSpill.capacity());
        }
        return this;
    }

    public int version()
    {
        return EnvelopeDescriptor.version(envelope, 0);
    }

    public int msgType()
    {
        return EnvelopeDescriptor.msgType(envelope, 0);
    }

    public long sourceNode()
    {
        return EnvelopeDescriptor.sourceNode(envelope, 0);
    }

    public long targetNode()
    {
        return EnvelopeDescriptor.targetNode(envelope, 0);
    }

    public int vshardId()
    {
        return EnvelopeDescriptor.vshardId(envelope, 0);
    }

    public int payloadLength()
    {
        return EnvelopeDescriptor.payloadLength(envelope, 0);
    }

    public DirectBuffer payloadBuffer()
    {
        return spilled ? spill : envelope;
    }

    public int payloadOffset()
    {
        return spilled ? 0 : EnvelopeDescriptor.PAYLOAD_OFFSET;
    }

    public String toString()
    {
        return "EnvelopeView{msgType=" + msgType() + ", vshardId=" + Integer.toUnsignedString(vshardId()) +
            ", payloadLength=" + payloadLength() + '}';
    }
}
