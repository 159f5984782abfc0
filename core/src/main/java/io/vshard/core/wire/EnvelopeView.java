package io.vshard.core.wire;

import org.agrona.DirectBuffer;

/**
 * Read-only access to an envelope's fields, wherever its bytes live. Handlers receive one of these; it is reused and
 * valid only during the call it is passed to: copy what must outlive the call.
 */
public interface EnvelopeView
{
    /**
     * The envelope version, always {@link EnvelopeDescriptor#VERSION} for an envelope that passed validation.
     *
     * @return the u16 version.
     */
    int version();

    /**
     * The wire code of the message type.
     *
     * @return the u16 msg_type.
     */
    int msgType();

    /**
     * The message type, or {@code null} when the code has no type.
     *
     * @return the type.
     */
    default MessageType messageType()
    {
        return MessageType.get(msgType());
    }

    /**
     * The sender's node id, an unsigned 64-bit value held in a long.
     *
     * @return source_node.
     */
    long sourceNode();

    /**
     * The receiver's node id, an unsigned 64-bit value held in a long.
     *
     * @return target_node.
     */
    long targetNode();

    /**
     * The virtual shard, an unsigned 32-bit value held in an int.
     *
     * @return vshard_id.
     */
    int vshardId();

    /**
     * The number of payload bytes.
     *
     * @return payload_len.
     */
    int payloadLength();

    /**
     * The buffer holding the payload bytes: read {@link #payloadLength()} bytes from {@link #payloadOffset()}.
     *
     * @return the payload's buffer.
     */
    DirectBuffer payloadBuffer();

    /**
     * The offset of the first payload byte in {@link #payloadBuffer()}.
     *
     * @return the payload offset.
     */
    int payloadOffset();
}
