package io.vshard.core.reply;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Space claimed in a {@link ReplyDestination} for one reply frame. Owned by one lane thread and reused for every
 * reply it writes; a destination fills it in {@link ReplyDestination#tryClaim} and reads it back on commit or abort.
 */
public final class ReplyClaim
{
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(1024);
    private MutableDirectBuffer buffer;
    private int offset;
    private int length;
    private int index;
    private long replyAddress;
    private Object attachment;

    /**
     * Record what a destination claimed.
     *
     * @param buffer       where the frame is to be written.
     * @param offset       of the frame's first byte in buffer.
     * @param length       of the frame.
     * @param index        the destination's own handle for the claim (for example a ring index).
     * @param replyAddress the address the frame goes to.
     * @param attachment   any object the destination needs at commit, or {@code null}.
     */
    public void set(
        final MutableDirectBuffer buffer,
        final int offset,
        final int length,
        final int index,
        final long replyAddress,
        final Object attachment)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        this.index = index;
        this.replyAddress = replyAddress;
        this.attachment = attachment;
    }

    /**
     * A lane-local buffer of at least the given capacity, for destinations that deliver in place on commit.
     *
     * @param capacity needed.
     * @return the scratch buffer; grows (allocating) only when a larger reply than ever before is written.
     */
    public MutableDirectBuffer scratch(final int capacity)
    {
        scratch.checkLimit(capacity);
        return scratch;
    }

    /**
     * Where the frame is to be written.
     *
     * @return the buffer.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Offset of the frame's first byte in {@link #buffer()}.
     *
     * @return the offset.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * Length of the frame claimed.
     *
     * @return bytes.
     */
    public int length()
    {
        return length;
    }

    /**
     * The destination's handle for the claim.
     *
     * @return the index.
     */
    public int index()
    {
        return index;
    }

    /**
     * The address the frame goes to.
     *
     * @return the opaque reply address given at offer.
     */
    public long replyAddress()
    {
        return replyAddress;
    }

    /**
     * The destination's attachment.
     *
     * @return the object or {@code null}.
     */
    public Object attachment()
    {
        return attachment;
    }
}
