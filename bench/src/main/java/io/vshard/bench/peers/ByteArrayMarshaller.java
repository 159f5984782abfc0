package io.vshard.bench.peers;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * gRPC messages as plain byte arrays, no protobuf. A message goes out as a {@link Drainable} {@link KnownLength}
 * stream, as protobuf's messages do: gRPC learns its length without reading it and has it written straight into the
 * frame (a plain stream would be copied through a new 8 KiB buffer per message, a cost protobuf users never see). A
 * message in is read into a new array of its exact length (gRPC's
 * inbound streams know their length), which is what any gRPC service pays per message at the least. Stateless; any
 * thread.
 */
final class ByteArrayMarshaller implements MethodDescriptor.Marshaller<byte[]>
{
    /** The one instance. */
    static final ByteArrayMarshaller INSTANCE = new ByteArrayMarshaller();

    private ByteArrayMarshaller()
    {
    }

    /**
     * {@inheritDoc}
     */
    public InputStream stream(final byte[] value)
    {
        return new DrainableBytes(value);
    }

    /**
     * {@inheritDoc}
     */
    public byte[] parse(final InputStream stream)
    {
        try
        {
            // InputStream.readAllBytes() would allocate an 8 KiB chunk per message before copying: a cost of this
            // harness, not of gRPC.
            final int length = stream.available();
            if (length > 0)
            {
                final byte[] message = new byte[length];
                final int read = stream.readNBytes(message, 0, length);
                if (read == length && stream.read() < 0)
                {
                    return message;
                }
                final byte[] rest = stream.readAllBytes();
                final byte[] whole = new byte[read + rest.length];
                System.arraycopy(message, 0, whole, 0, read);
                System.arraycopy(rest, 0, whole, read, rest.length);
                return whole;
            }
            return stream.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * A byte array gRPC can drain into its frame in one write.
     */
    static final class DrainableBytes extends ByteArrayInputStream implements Drainable, KnownLength
    {
        DrainableBytes(final byte[] bytes)
        {
            super(bytes);
        }

        /**
         * {@inheritDoc}
         */
        public int drainTo(final OutputStream target) throws IOException
        {
            final int length = count - pos;
            target.write(buf, pos, length);
            pos = count;
            return length;
        }
    }
}
