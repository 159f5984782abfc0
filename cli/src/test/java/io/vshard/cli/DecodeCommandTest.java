package io.vshard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class DecodeCommandTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> envelopes() throws IOException
    {
        return vectors("/vectors/envelopes.json", "envelopes");
    }

    static Stream<Arguments> frames() throws IOException
    {
        return vectors("/vectors/frames.json", "frames");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("envelopes")
    void shouldDecodeEnvelopeVectors(final String name, final JsonNode vector) throws IOException
    {
        final JsonNode out = decode("--envelope", vector.get("hex").asText());
        final JsonNode expect = vector.get("expect");
        if (expect.get("ok").asBoolean())
        {
            assertThat(out.has("error")).as(out.toString()).isFalse();
            assertThat(out.get("msg_type").asText()).startsWith(expect.get("msg_type").asText() + " (");
            assertThat(out.get("source_node").asText()).isEqualTo(expect.get("source_node").asText());
            assertThat(out.get("target_node").asText()).isEqualTo(expect.get("target_node").asText());
            assertThat(out.get("vshard_id").asText()).isEqualTo(expect.get("vshard_id").asText());
            assertThat(out.get("payload_len").asInt()).isEqualTo(expect.get("payload_hex").asText().length() / 2);
            final String head = expect.get("payload_hex").asText();
            assertThat(out.get("payload_head").asText())
                .startsWith(head.substring(0, Math.min(head.length(), 2 * DecodeCommand.PAYLOAD_PREVIEW_BYTES)));
        }
        else
        {
            assertThat(out.get("error").asText()).isEqualTo(expect.get("error").asText());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void shouldDecodeFrameVectors(final String name, final JsonNode vector) throws IOException
    {
        final JsonNode out = decode("--frame", vector.get("hex").asText());
        final JsonNode expect = vector.get("expect");
        if (expect.get("ok").asBoolean())
        {
            assertThat(out.get("kind").asText()).isEqualTo(expect.get("kind").asText());
            assertThat(out.get("correlation_id").asText()).isEqualTo(expect.get("correlation_id").asText());
            if (expect.has("error_code"))
            {
                assertThat(out.get("error_code").asText()).startsWith(expect.get("error_code").asText() + " ");
                assertThat(out.get("message").asText()).isEqualTo(expect.get("message").asText());
            }
        }
        else
        {
            assertThat(out.get("error").asText()).isEqualTo(expect.get("error").asText());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void shouldGuessFramesAndSayItGuessed(final String name, final JsonNode vector) throws IOException
    {
        final Cli.Result result = Cli.run("decode", "--json", vector.get("hex").asText());
        final JsonNode out = JSON.readTree(result.out());
        assertThat(out.get("guessed").asBoolean()).isTrue();
        if (vector.get("expect").get("ok").asBoolean())
        {
            assertThat(out.get("decoded_as").asText()).isEqualTo("frame");
            assertThat(result.exitCode()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("envelopes")
    void shouldGuessValidEnvelopes(final String name, final JsonNode vector) throws IOException
    {
        if (!vector.get("expect").get("ok").asBoolean())
        {
            return;
        }
        final Cli.Result result = Cli.run("decode", "--json", vector.get("hex").asText());
        assertThat(JSON.readTree(result.out()).get("decoded_as").asText()).isEqualTo("envelope");
        assertThat(result.exitCode()).isZero();
    }

    @Test
    void shouldRefuseBadHexWithExitTwo()
    {
        assertThat(Cli.run("decode", "02zz").exitCode()).isEqualTo(2);
    }

    @Test
    void shouldPrintFieldsForPeople()
    {
        final Cli.Result result = Cli.run("decode",
            "02 00 05 00 05 00 00 00 00 00 00 00 06 00 00 00 00 00 00 00 e7 03 00 00 00 00 00 00");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("RoutingAck (5)", "Migration", "999");
    }

    @Test
    void shouldSayWhichCheckFailed()
    {
        final Cli.Result result = Cli.run("decode", "--envelope",
            "02 00 05 00 05 00 00 00 00 00 00 00 06 00 00 00 00 00 00 00 e7 03 00 00 08 00 00 00 01 02");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("MALFORMED",
            "lengths disagree: payload_len 8 + 28-byte header = 36 bytes, but 30 bytes given");
    }

    @Test
    void shouldGiveEveryCommandAOneSentenceSummary()
    {
        final Cli.Result result = Cli.run("--help");
        final String unwrapped = result.out().replaceAll("\n {10,}", " ");

        assertThat(result.exitCode()).isZero();
        for (final String command : new String[]{"node", "load", "demo", "stat", "decode", "certs"})
        {
            assertThat(unwrapped).containsPattern("(?m)^\\s+" + command + "\\s+[A-Z][^\\n]*\\.$");
        }
    }

    private static JsonNode decode(final String kind, final String hex) throws IOException
    {
        final Cli.Result result = Cli.run("decode", kind, "--json", hex);
        final JsonNode out = JSON.readTree(result.out());
        assertThat(result.exitCode()).isEqualTo(out.has("error") ? 1 : 0);
        return out;
    }

    private static Stream<Arguments> vectors(final String resource, final String field) throws IOException
    {
        try (InputStream in = DecodeCommandTest.class.getResourceAsStream(resource))
        {
            final List<Arguments> arguments = new ArrayList<>();
            JSON.readTree(in).get(field).forEach((v) -> arguments.add(Arguments.of(v.get("name").asText(), v)));
            return arguments.stream();
        }
    }
}
