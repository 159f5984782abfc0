package io.vshard.core.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The shared wire test vectors ({@code vectors/envelopes.json}, {@code vectors/frames.json}), read from the test
 * classpath. Each vector is a name, the wire bytes and the {@code expect} object of the file.
 */
final class WireVectors
{
    static final String ENVELOPES_RESOURCE = "/vectors/envelopes.json";
    static final String FRAMES_RESOURCE = "/vectors/frames.json";

    private static final HexFormat HEX = HexFormat.of();

    /**
     * One vector.
     *
     * @param name   unique within its file.
     * @param bytes  the wire bytes.
     * @param expect what a decoder must make of them.
     */
    record Vector(String name, byte[] bytes, JsonNode expect)
    {
        boolean ok()
        {
            return expect.get("ok").asBoolean();
        }

        /**
         * The expected error for an invalid vector.
         *
         * @return the error code named by {@code expect.error}.
         */
        ErrorCode error()
        {
            return ErrorCode.valueOf(expect.get("error").asText());
        }

        String text(final String field)
        {
            final JsonNode node = expect.get(field);
            if (null == node)
            {
                throw new IllegalStateException("vector " + name + " has no field " + field);
            }
            return node.asText();
        }

        long number(final String field)
        {
            final JsonNode node = expect.get(field);
            if (null == node || !node.canConvertToLong())
            {
                throw new IllegalStateException("vector " + name + " has no integer field " + field);
            }
            return node.asLong();
        }

        byte[] hex(final String field)
        {
            return HEX.parseHex(text(field));
        }

        @Override
        public String toString()
        {
            return name;
        }
    }

    private WireVectors()
    {
    }

    static List<Vector> envelopes()
    {
        return load(ENVELOPES_RESOURCE, "envelopes");
    }

    static List<Vector> frames()
    {
        return load(FRAMES_RESOURCE, "frames");
    }

    static String hex(final byte[] bytes)
    {
        return HEX.formatHex(bytes);
    }

    private static List<Vector> load(final String resource, final String arrayField)
    {
        try (InputStream in = WireVectors.class.getResourceAsStream(resource))
        {
            if (null == in)
            {
                throw new IllegalStateException("test resource missing from the classpath: " + resource);
            }
            final JsonNode array = new ObjectMapper().readTree(in).get(arrayField);
            if (null == array || !array.isArray())
            {
                throw new IllegalStateException(resource + " has no array " + arrayField);
            }
            final List<Vector> vectors = new ArrayList<>();
            for (final JsonNode node : array)
            {
                vectors.add(new Vector(
                    node.get("name").asText(), HEX.parseHex(node.get("hex").asText()), node.get("expect")));
            }
            return List.copyOf(vectors);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
