package io.vshard.core.pipeline;

import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.EnvelopeView;
import org.agrona.DirectBuffer;

/**
 * The read-only view of a slot's envelope handed to handlers; one per lane, re-pointed at each slot.
 */
final class SlotView implements EnvelopeView
{
    private Slot slot;

    SlotView wrap(final Slot slot)
    {
        this.slot = slot;
        return this;
    }

    long receivedNs()
    {
        return slot.receivedNs;
    }

    public int version()
    {
        return EnvelopeDescriptor.version(slot.inline, 0);
    }

    public int msgType()
    {
        return EnvelopeDescriptor.msgType(slot.inline, 0);
    }

    public long sourceNode()
    {
        return EnvelopeDescriptor.sourceNode(slot.inline, 0);
    }

    public long targetNode()
    {
        return EnvelopeDescriptor.targetNode(slot.inline, 0);
    }

    public int vshardId()
    {
        return EnvelopeDescriptor.vshardId(slot.inline, 0);
    }

    public int payloadLength()
    {
        return EnvelopeDescriptor.payloadLength(slot.inline, 0);
    }

    public DirectBuffer payloadBuffer()
    {
        return null != slot.spill ? slot.spill : slot.inline;
    }

    public int payloadOffset()
    {
        return null != slot.spill ? 0 : EnvelopeDescriptor.PAYLOAD_OFFSET;
    }

    public String toString()
    {
        return "EnvelopeView{msgType=" + msgType() + ", vshardId=" + Integer.toUnsignedString(vshardId()) +
            ", payloadLength=" + payloadLength() + '}';
    }
}
