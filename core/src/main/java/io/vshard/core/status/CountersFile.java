package io.vshard.core.status;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;

import static io.vshard.core.status.CountersFileDescriptor.HEADER_LENGTH;
import static io.vshard.core.status.CountersFileDescriptor.LAYOUT_VERSION;
import static io.vshard.core.status.CountersFileDescriptor.LAYOUT_VERSION_FIELD_OFFSET;
import static io.vshard.core.status.CountersFileDescriptor.MAGIC;
import static io.vshard.core.status.CountersFileDescriptor.MAGIC_FIELD_OFFSET;
import static io.vshard.core.status.CountersFileDescriptor.METADATA_LENGTH_FIELD_OFFSET;
import static io.vshard.core.status.CountersFileDescriptor.PID_FIELD_OFFSET;
import static io.vshard.core.status.CountersFileDescriptor.START_TIME_FIELD_OFFSET;
import static io.vshard.core.status.CountersFileDescriptor.VALUES_LENGTH_FIELD_OFFSET;

/**
 * The memory-mapped counters file of a node (layout in {@link CountersFileDescriptor}). The owner creates it anew at
 * start, so a restarted node starts from zero; readers in other processes map it read-only.
 */
public final class CountersFile implements AutoCloseable
{
    private final File file;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final CountersReader reader;

    private CountersFile(final File file, final MappedByteBuffer mapped, final CountersReader reader)
    {
        this.file = file;
        this.mapped = mapped;
        this.header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        this.reader = reader;
    }

    /**
     * Create (or replace) the counters file in a directory and a manager to allocate and update counters in it.
     * Control plane: call once at start.
     *
     * @param dir         the node's directory, created when missing.
     * @param maxCounters capacity of the file.
     * @return the file; {@link #manager()} allocates counters.
     */
    public static CountersFile create(final File dir, final int maxCounters)
    {
        IoUtil.ensureDirectoryExists(dir, "counters directory");
        final File file = new File(dir, CountersFileDescriptor.FILE_NAME);
        IoUtil.deleteIfExists(file);
        final int metadataLength = CountersFileDescriptor.metadataLength(maxCounters);
        final int valuesLength = CountersFileDescriptor.valuesLength(maxCounters);
        final MappedByteBuffer mapped = IoUtil.mapNewFile(file, CountersFileDescriptor.fileLength(maxCounters));
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        header.putInt(LAYOUT_VERSION_FIELD_OFFSET, LAYOUT_VERSION);
        header.putLong(PID_FIELD_OFFSET, ProcessHandle.current().pid());
        header.putLong(START_TIME_FIELD_OFFSET, System.currentTimeMillis());
        header.putInt(METADATA_LENGTH_FIELD_OFFSET, metadataLength);
        header.putInt(VALUES_LENGTH_FIELD_OFFSET, valuesLength);
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength),
            StandardCharsets.US_ASCII);
        header.putIntRelease(MAGIC_FIELD_OFFSET, MAGIC);
        return new CountersFile(file, mapped, manager);
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
        return new CountersFile(file, mapped, reader);
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
    }
}
