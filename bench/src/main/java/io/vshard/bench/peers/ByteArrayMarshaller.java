package io.vshard.bench.peers;

import io.grpc.MethodDescriptor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * gRPC messages as plain byte arrays, no protobuf: the request goes out as a {@link ByteArrayInputStream} (gRPC reads
 * its length without copying it first) and a message in is read into a new array, which is what any gRPC service
 * pays per message. Stateless; any thread.
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
        return new ByteArrayInputStream(value);
    }

    /**
     * {@inheritDoc}
     */
    public byte[] parse(final InputStream stream)
    {
        try
        {
            return stream.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
