package io.vshard.core.wire;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The error code table against {@code WIRE.md} section 2, "Error codes".
 */
class ErrorCodeTest
{
    @Test
    void shouldMatchErrorCodeTableOfWireMd()
    {
        final List<String> expected = List.of(
            "1 MALFORMED",
            "2 UNSUPPORTED_VERSION",
            "3 UNKNOWN_TYPE",
            "4 TOO_LARGE",
            "5 NO_HANDLER",
            "6 HANDLER_FAILED",
            "7 IDENTITY_MISMATCH",
            "8 SHUTTING_DOWN",
            "9 WRONG_TARGET");
        final List<String> actual = new ArrayList<>();
        for (final ErrorCode code : ErrorCode.values())
        {
            actual.add(code.value() + " " + code.name());
            assertThat(ErrorCode.get(code.value())).isSameAs(code);
        }
        assertThat(actual).containsExactlyElementsOf(expected);
        assertThat(ErrorCode.NONE).isZero();
    }

    @ParameterizedTest(name = "get({0})")
    @ValueSource(ints = { 0, -1, 10, 11, 0xFFFF, Integer.MAX_VALUE, Integer.MIN_VALUE })
    void shouldAnswerNullForValueWithNoCode(final int value)
    {
        assertThat(ErrorCode.get(value)).isNull();
    }
}
