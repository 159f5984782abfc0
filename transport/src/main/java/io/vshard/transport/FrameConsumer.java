package io.vshard.transport;

import org.agrona.DirectBuffer;

/**
 * Takes whole frames from a {@link FrameReader}, on the stream's I/O thread.
 */
@FunctionalInterface
public interface FrameConsumer
{
    /**
     * One whole frame whose header is valid. The bytes are valid only during the call.
     *
     * @param buffer holding the frame.
     * @param offset of its length field.
     * @param length of the frame, length field included.
     * @return true when the frame was taken; false to stop here: the reader keeps this frame and what follows
     * until {@link FrameReader#resume(FrameConsumer)}.
     */
    boolean onFrame(DirectBuffer buffer, int offset, int length);
}
