package io.vshard.core.pipeline;

/**
 * Told when a lane that back-pressured a publisher has room again (its free slots reached the low-water mark), or
 * when the spill pool that was exhausted has buffers again. A transport resumes reading the streams it paused.
 */
@FunctionalInterface
public interface RoomListener
{
    /** The lane id given when the spill pool, not a lane, has room again: retry every paused offer. */
    int ANY_LANE = -1;

    /**
     * Room again. Called on a lane thread: must not block (schedule the resume on the publisher's own thread).
     *
     * @param laneId the lane with room, or {@link #ANY_LANE}.
     */
    void onRoom(int laneId);
}
