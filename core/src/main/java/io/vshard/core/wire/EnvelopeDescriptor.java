package io.vshard.core.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Layout of a NodeDB cluster wire v2 envelope. All fields are little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |           Version             |           Msg Type            |
 *  +-------------------------------+-------------------------------+
 *  |                          Source Node                          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Target Node                          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                           VShard Id                           |
 *  +---------------------------------------------------------------+
 *  |                        Payload Length                         |
 *  +---------------------------------------------------------------+
 *  |                            Payload                           ...
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class EnvelopeDescriptor
{
    /** The only envelope version this project speaks. */
    public static final int VERSION = 2;

    /** Offset of the u16 version. */
    public static final int VERSION_FIELD_OFFSET = 0;

    /** Offset of the u16 message type wire code. */
    public static final int MSG_TYPE_FIELD_OFFSET = 2;

    /** Offset of the u64 sender node id. */
    public static final int SOURCE_NODE_FIELD_OFFSET = 4;

    /** Offset of the u64 receiver node id (0 = resolve by routing table). */
    public static final int TARGET_NODE_FIELD_OFFSET = 12;

    /** target_node value meaning "resolve by routing table": any node may take it. */
    public static final long TARGET_NODE_ANY = 0;

    /** Offset of the u32 virtual shard id. */
    public static final int VSHARD_ID_FIELD_OFFSET = 20;

    /** Offset of the u32 payload length. */
    public static final int PAYLOAD_LENGTH_FIELD_OFFSET = 24;

    /** Offset of the payload; also the header length. */
    public static final int PAYLOAD_OFFSET = 28;

    /** Length of the header: an envelope with an empty payload is exactly this long. */
    public static final int HEADER_LENGTH = PAYLOAD_OFFSET;

    /** Default maximum payload length: 16 MiB. */
    public static final int MAX_PAYLOAD_LENGTH_DEFAULT = 16 * 1024 * 1024;

    /** The largest maximum payload length a node may be configured with: 64 MiB. */
    public static final int MAX_PAYLOAD_LENGTH_LIMIT = 64 * 1024 * 1024;

    /**
     * The {@code version} field of the envelope at {@code offset}.
     *
     * @param buffer holding the envelope.
     * @param offset of the envelope's first byte.
     * @return the field, unsigned.
     */
    public static int version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + VERSION_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * The {@code msg_type} field of the envelope at {@code offset}.
     *
     * @param buffer holding the envelope.
     * @param offset of the envelope's first byte.
     * @return the field, unsigned.
     */
    public static int msgType(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + MSG_TYPE_FIELD_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * The {@code source_node} field of the envelope at {@code offset}.
     *
     * @param buffer holding the envelope.
     * @param offset of the envelope's first byte.
     * @return the field.
     */
    public static long sourceNode(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + SOURCE_NODE_FIELD_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * The {@code target_node} field of the envelope at {@code offset}.
     *
     * @param buffer holding the envelope.
     * @param offset of the envelope's first byte.
     * @return the field.
     */
    public static long targetNode(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + TARGET_NODE_FIELD_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * The {@code vshard_id} field of the envelope at {@code offset}.
     *
     * @param buffer holding the envelope.
     * @param offset of the envelope's first byte.
     * @return the field.
     */
    public static int vshardId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + VSHARD_ID_FIELD_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Write the {@code vshard_id} field of the envelope at {@code offset}.
     *
     * @param buffer   holding the envelope.
     * @param offset   of the envelope's first byte.
     * @param vshardId the value.
     */
    public static void vshardId(final MutableDirectBuffer buffer, final int offset, final int vshardId)
    {
        buffer.putInt(offset + VSHARD_ID_FIELD_OFFSET, vshardId, LITTLE_ENDIAN);
    }

    /**
     * The {@code payload_len} field of the envelope at {@code offset}.
     *
     * @param buffer holding the envelope.
     * @param offset of the envelope's first byte.
     * @return the field.
     */
    public static int payloadLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + PAYLOAD_LENGTH_FIELD_OFFSET, LITTLE_ENDIAN);
    }

    private EnvelopeDescriptor()
    {
    }
}
