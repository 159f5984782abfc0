package io.vshard.core.pipeline;

import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.EnvelopeView;
import org.agrona.DirectBuffer;

import static io.vshard.core.wire.EnvelopeDescriptor.MSG_TYPE_FIELD_OFFSET;
import static io.vshard.core.wire.EnvelopeDescriptor.PAYLOAD_LENGTH_FIELD_OFFSET;
import static io.vshard.core.wire.EnvelopeDescriptor.SOURCE_NODE_FIELD_OFFSET;
import static io.vshard.core.wire.EnvelopeDescriptor.TARGET_NODE_FIELD_OFFSET;
import static io.vshard.core.wire.EnvelopeDescriptor.VERSION_FIELD_OFFSET;
import static io.vshard.core.wire.EnvelopeDescriptor.VSHARD_ID_FIELD_OFFSET;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

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
        return slot.inline.getShort(VERSION_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    public int msgType()
    {
        return slot.inline.getShort(MSG_TYPE_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    public long sourceNode()
    {
        return slot.inline.getLong(SOURCE_NODE_FIELD_OFFSET, LITTLE_ENDIAN);
    }

    public long targetNode()
    {
        return slot.inline.getLong(TARGET_NODE_FIELD_OFFSET, LITTLE_ENDIAN);
    }

    public int vshardId()
    {
        return slot.inline.getInt(VSHARD_ID_FIELD_OFFSET, LITTLE_ENDIAN);
    }

    public int payloadLength()
    {
        return slot.inline.getInt(PAYLOAD_LENGTH_FIELD_OFFSET, LITTLE_ENDIAN);
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
