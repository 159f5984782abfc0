package io.vshard.core.status;

import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;

import static io.vshard.core.status.CountersFileDescriptor.HEADER_LENGTH;
import static io.vshard.core.status.CountersFileDescriptor.HEARTBEAT_FIELD_OFFSET;
import static io.vshard.core.status.CountersFileDescriptor.LATENCY_INTERVAL_FIELD_OFFSET;
import static io.vshard.core.status.CountersFileDescriptor.LATENCY_LENGTH_FIELD_OFFSET;
import static io.vshard.core.status.CountersFileDescriptor.LAYOUT_VERSION;
import static io.vshard.core.status.CountersFileDescriptor.LAYOUT_VERSION_FIELD_OFFSET;
import static io.vshard.core.status.CountersFileDescriptor.LIVENESS_TIMEOUT_FIELD_OFFSET;
import static io.vshard.core.status.CountersFileDescriptor.MAGIC;
import static io.vshard.core.status.CountersFileDescriptor.MAGIC_FIELD_OFFSET;
import static io.vshard.core.status.CountersFileDescriptor.METADATA_LENGTH_FIELD_OFFSET;
import static io.vshard.core.status.CountersFileDescriptor.PID_FIELD_OFFSET;
import static io.vshard.core.status.CountersFileDescriptor.START_TIME_FIELD_OFFSET;
import static io.vshard.core.status.CountersFileDescriptor.STATE_CLOSED;
import static io.vshard.core.status.CountersFileDescriptor.STATE_FIELD_OFFSET;
import static io.vshard.core.status.CountersFileDescriptor.STATE_RUNNING;
import static io.vshard.core.status.CountersFileDescriptor.VALUES_LENGTH_FIELD_OFFSET;

/**
 * The memory-mapped counters file of a node (layout in {@link CountersFileDescriptor}). The owner creates it anew at
 * start, so a restarted node starts from zero, keeps its heartbeat fresh and marks it closed when it stops; it
 * refuses to replace the file of a node that still runs. Readers in other processes map it and judge its
 * {@link #liveness(long)} before they trust its figures.
 */
public final class CountersFile implements AutoCloseable
{
    /** Default liveness timeout: a heartbeat older than this belongs to a node that hangs or is gone. */
    public static final long LIVENESS_TIMEOUT_MS_DEFAULT = 5000;

    private final File file;
    private final MappedByteBuffer mapped;
    private final FileChannel lock;
    private final UnsafeBuffer header;
    private final UnsafeBuffer latency;
    private final CountersReader reader;

    private CountersFile(
        final File file, final MappedByteBuffer mapped, final CountersReader reader, final FileChannel lock)
    {
        this.file = file;
        this.mapped = mapped;
        this.lock = lock;
        this.header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        this.reader = reader;
        final int latencyLength = header.getInt(LATENCY_LENGTH_FIELD_OFFSET);
        final int latencyOffset = HEADER_LENGTH + header.getInt(METADATA_LENGTH_FIELD_OFFSET) +
            header.getInt(VALUES_LENGTH_FIELD_OFFSET);
        this.latency = new UnsafeBuffer(mapped, latencyOffset, latencyLength);
    }

    /**
     * Create (or replace) the counters file in a directory and a manager to allocate and update counters in it.
     * Control plane: call once at start.
     *
     * @param dir         the node's directory, created owner-only when missing ({@link PrivateDirectory}).
     * @param maxCounters capacity of the file.
     * @return the file; {@link #manager()} allocates counters.
     */
    public static CountersFile create(final File dir, final int maxCounters)
    {
        return create(dir, maxCounters, 0, LIVENESS_TIMEOUT_MS_DEFAULT, 0);
    }

    /**
     * Create (or replace) the counters file in a directory, with a latency snapshot section, unless the file there
     * belongs to a node that still runs. Control plane: call once at start, then keep the heartbeat fresh with
     * {@link #heartbeat(long)} well within the liveness timeout.
     *
     * @param dir               the node's directory: created owner-only when missing, else it must be the current
     *                          user's, not a link, and writable by no one else ({@link PrivateDirectory}).
     * @param maxCounters       capacity of the file.
     * @param latencyTargets    records of the latency snapshot section (0 for none).
     * @param livenessTimeoutMs how old the heartbeat may grow before readers call the node stale.
     * @param latencyIntervalMs interval of the latency snapshots, for readers.
     * @return the file; {@link #manager()} allocates counters.
     * @throws IllegalStateException when the directory's counters file belongs to a running node, or the directory
     *                               is unsafe (another user's, a link, or writable by group or others).
     */
    public static CountersFile create(
        final File dir,
        final int maxCounters,
        final int latencyTargets,
        final long livenessTimeoutMs,
        final int latencyIntervalMs)
    {
        if (livenessTimeoutMs <= 0)
        {
            throw new IllegalArgumentException("livenessTimeoutMs must be > 0: livenessTimeoutMs=" + livenessTimeoutMs);
        }
        PrivateDirectory.ensure(dir.toPath(), "counters directory",
            "anyone who can write it can replace the counters file this node maps",
            "choose another with --dir / vshard.dir");
        final File file = new File(dir, CountersFileDescriptor.FILE_NAME);
        refuseIfRunning(dir, file);
        final FileChannel lock = lockDirectory(dir);
        try
        {
            IoUtil.deleteIfExists(file);
            final int metadataLength = CountersFileDescriptor.metadataLength(maxCounters);
            final int valuesLength = CountersFileDescriptor.valuesLength(maxCounters);
            final int latencyLength = LatencySnapshotDescriptor.sectionLength(latencyTargets);
            final MappedByteBuffer mapped = IoUtil.mapNewFile(
                file, CountersFileDescriptor.fileLength(maxCounters, latencyLength));
            final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
            final long nowMs = System.currentTimeMillis();
            header.putInt(LAYOUT_VERSION_FIELD_OFFSET, LAYOUT_VERSION);
            header.putLong(PID_FIELD_OFFSET, ProcessHandle.current().pid());
            header.putLong(START_TIME_FIELD_OFFSET, nowMs);
            header.putInt(METADATA_LENGTH_FIELD_OFFSET, metadataLength);
            header.putInt(VALUES_LENGTH_FIELD_OFFSET, valuesLength);
            header.putLong(HEARTBEAT_FIELD_OFFSET, nowMs);
            header.putLong(LIVENESS_TIMEOUT_FIELD_OFFSET, livenessTimeoutMs);
            header.putInt(STATE_FIELD_OFFSET, STATE_RUNNING);
            header.putInt(LATENCY_LENGTH_FIELD_OFFSET, latencyLength);
            header.putInt(LATENCY_INTERVAL_FIELD_OFFSET, latencyIntervalMs);
            final UnsafeBuffer latency = new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength + valuesLength,
                latencyLength);
            for (int target = 0; target < latencyTargets; target++)
            {
                latency.putInt(LatencySnapshotDescriptor.recordOffset(target) +
                    LatencySnapshotDescriptor.LANE_ID_FIELD_OFFSET, -1);
            }
            final CountersManager manager = new CountersManager(
                new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength),
                new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength),
                StandardCharsets.US_ASCII);
            header.putIntRelease(MAGIC_FIELD_OFFSET, MAGIC);
            return new CountersFile(file, mapped, manager, lock);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(lock);
            throw ex;
        }
    }

    /**
     * Map an existing counters file for reading, from any process.
     *
     * @param dir the node's directory.
     * @return the file; {@link #reader()} reads the counters.
     * @throws IllegalStateException when the file is missing or not (yet) a counters file.
     */
    public static CountersFile open(final File dir)
    {
        final File file = new File(dir, CountersFileDescriptor.FILE_NAME);
        if (!file.isFile())
        {
            throw new IllegalStateException("no counters file (is a node running with this --dir?): " + file);
        }
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(file, "counters");
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        if (MAGIC != header.getIntAcquire(MAGIC_FIELD_OFFSET) ||
            LAYOUT_VERSION != header.getInt(LAYOUT_VERSION_FIELD_OFFSET))
        {
            IoUtil.unmap(mapped);
            throw new IllegalStateException("not a vshard counters file, or not initialised yet: " + file);
        }
        final int metadataLength = header.getInt(METADATA_LENGTH_FIELD_OFFSET);
        final int valuesLength = header.getInt(VALUES_LENGTH_FIELD_OFFSET);
        final CountersReader reader = new CountersReader(
            new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength),
            StandardCharsets.US_ASCII);
        return new CountersFile(file, mapped, reader, null);
    }

    /**
     * Take the directory's owner lock ({@link CountersFileDescriptor#LOCK_FILE_NAME}), held until {@link #close()} or
     * the process ends: of two nodes starting at the same instant, which may both pass {@link #refuseIfRunning}, only
     * one goes on, which a heartbeat alone cannot promise.
     */
    private static FileChannel lockDirectory(final File dir)
    {
        final File lockFile = new File(dir, CountersFileDescriptor.LOCK_FILE_NAME);
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(lockFile.toPath(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException heldInThisProcess)
            {
                lock = null;
            }
            if (null == lock)
            {
                channel.close();
                throw new IllegalStateException("another node owns " + dir + " (it holds the lock on " + lockFile +
                    "): stop it, or give this node another directory (--dir / vshard.dir)");
            }
            return channel;
        }
        catch (final IOException ex)
        {
            CloseHelper.quietClose(channel);
            throw new IllegalStateException("cannot lock " + lockFile + ": " + ex.getMessage(), ex);
        }
    }

    private static void refuseIfRunning(final File dir, final File file)
    {
        if (!file.isFile())
        {
            return;
        }
        final CountersFile existing;
        try
        {
            existing = open(dir);
        }
        catch (final IllegalStateException notACountersFile)
        {
            return;
        }
        try
        {
            final long nowMs = System.currentTimeMillis();
            if (Liveness.RUNNING == existing.liveness(nowMs))
            {
                throw new IllegalStateException("a running node owns " + file + " (pid " + existing.pid() +
                    ", heartbeat " + (nowMs - existing.heartbeatMs()) + " ms ago): stop it, or give this node " +
                    "another directory (--dir / vshard.dir)");
            }
        }
        finally
        {
            existing.close();
        }
    }

    /**
     * The manager, for the file's creator only.
     *
     * @return the manager.
     * @throws IllegalStateException on a file opened for reading.
     */
    public CountersManager manager()
    {
        if (reader instanceof CountersManager manager)
        {
            return manager;
        }
        throw new IllegalStateException("counters file opened read-only: " + file);
    }

    /**
     * A reader of the counters.
     *
     * @return the reader.
     */
    public CountersReader reader()
    {
        return reader;
    }

    /**
     * Process id of the node that created the file.
     *
     * @return the pid.
     */
    public long pid()
    {
        return header.getLong(PID_FIELD_OFFSET);
    }

    /**
     * When the node that created the file started.
     *
     * @return epoch milliseconds.
     */
    public long startTimeMs()
    {
        return header.getLong(START_TIME_FIELD_OFFSET);
    }

    /**
     * The owner's last heartbeat.
     *
     * @return epoch milliseconds.
     */
    public long heartbeatMs()
    {
        return header.getLongVolatile(HEARTBEAT_FIELD_OFFSET);
    }

    /**
     * How old the heartbeat may grow before readers call the owner stale.
     *
     * @return milliseconds.
     */
    public long livenessTimeoutMs()
    {
        return header.getLong(LIVENESS_TIMEOUT_FIELD_OFFSET);
    }

    /**
     * The interval of the latency snapshots.
     *
     * @return milliseconds; 0 when the owner records no latency.
     */
    public int latencyIntervalMs()
    {
        return header.getInt(LATENCY_INTERVAL_FIELD_OFFSET);
    }

    /**
     * Whether the owner still runs: its state, process and heartbeat. Any process, any thread.
     *
     * @param nowMs the reader's clock, epoch ms.
     * @return the judgement.
     */
    public Liveness liveness(final long nowMs)
    {
        return Liveness.of(header.getIntVolatile(STATE_FIELD_OFFSET), pid(), heartbeatMs(), livenessTimeoutMs(),
            nowMs);
    }

    /**
     * Keep the heartbeat fresh. The owner only, from one control thread.
     *
     * @param nowMs epoch ms.
     */
    public void heartbeat(final long nowMs)
    {
        header.putLongRelease(HEARTBEAT_FIELD_OFFSET, nowMs);
    }

    /**
     * Mark the file as belonging to a node that stopped. The owner only, once, when it stops.
     */
    public void markClosed()
    {
        header.putIntRelease(STATE_FIELD_OFFSET, STATE_CLOSED);
    }

    /**
     * The latency snapshot section: records of {@link LatencySnapshotDescriptor}, read with
     * {@link LatencySnapshot#read}.
     *
     * @return the section; capacity 0 when the owner records no latency.
     */
    public UnsafeBuffer latencySection()
    {
        return latency;
    }

    /**
     * The file.
     *
     * @return its path.
     */
    public File file()
    {
        return file;
    }

    /**
     * Unmap the file. The file itself stays for post-mortem reading.
     */
    public void close()
    {
        IoUtil.unmap(mapped);
        CloseHelper.quietClose(lock);
    }
}
