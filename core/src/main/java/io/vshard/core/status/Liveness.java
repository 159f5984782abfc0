package io.vshard.core.status;

/**
 * Whether the owner of a counters file is running, as a reader in any process judges it from the file's header.
 */
public enum Liveness
{
    /** The owner's process is alive and its heartbeat fresh. */
    RUNNING,

    /** The owner closed the file when it stopped. */
    CLOSED,

    /** The owner's process is gone (it crashed or was killed). */
    PROCESS_GONE,

    /** The heartbeat is older than the liveness timeout: the owner hangs or is gone. */
    STALE;

    /**
     * Judge a header's fields.
     *
     * @param state             the file's state field.
     * @param pid               the owner's process id.
     * @param heartbeatMs       the owner's last heartbeat, epoch ms.
     * @param livenessTimeoutMs how old a heartbeat may be.
     * @param nowMs             the reader's clock, epoch ms.
     * @return the judgement.
     */
    public static Liveness of(
        final int state, final long pid, final long heartbeatMs, final long livenessTimeoutMs, final long nowMs)
    {
        if (CountersFileDescriptor.STATE_CLOSED == state)
        {
            return CLOSED;
        }
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
        {
            return PROCESS_GONE;
        }
        if (nowMs - heartbeatMs > livenessTimeoutMs)
        {
            return STALE;
        }
        return RUNNING;
    }
}
