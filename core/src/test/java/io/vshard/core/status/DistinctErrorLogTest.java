package io.vshard.core.status;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class DistinctErrorLogTest
{
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicLong nowNs = new AtomicLong();
    private final DistinctErrorLog log = new DistinctErrorLog(
        new PrintStream(bytes, true, StandardCharsets.UTF_8), "test", 1_000, nowNs::get);

    @Test
    void shouldLogEachDistinctErrorOnceAndCountTheRepeatsWithinTheInterval()
    {
        raise(107, "Cannot reserve 4194304 bytes of direct buffer memory");
        log.onError(new IllegalStateException("another"));

        final String text = output();
        assertThat(count(text, "test error: java.lang.OutOfMemoryError")).isEqualTo(1);
        assertThat(count(text, "\tat ")).as("stack traces printed").isPositive();
        assertThat(count(text, "test error: java.lang.IllegalStateException: another")).isEqualTo(1);
        assertThat(log.totalCount()).isEqualTo(108);
        assertThat(log.distinctCount()).isEqualTo(2);
    }

    @Test
    void shouldLogOneLineWithTheRepeatCountOncePerInterval()
    {
        final OutOfMemoryError error = new OutOfMemoryError("x");
        raise(11, error);
        bytes.reset();
        nowNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(1_001));
        raise(2, error);

        final String text = output();
        assertThat(text).contains("test error repeated 11 time(s) since last logged");
        assertThat(count(text, "repeated")).isEqualTo(1);
        assertThat(text).doesNotContain("\tat ");
    }

    @Test
    void shouldTellErrorsApartByMessageAndFrames()
    {
        raise(1, "a");
        raise(1, "b");
        log.onError(new OutOfMemoryError("a"));

        assertThat(log.distinctCount()).isEqualTo(3);
    }

    private void raise(final int times, final Throwable error)
    {
        for (int i = 0; i < times; i++)
        {
            log.onError(error);
        }
    }

    private void raise(final int times, final String message)
    {
        // One call site, so that every error raised here has the same frames.
        for (int i = 0; i < times; i++)
        {
            log.onError(new OutOfMemoryError(message));
        }
    }

    private String output()
    {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static int count(final String text, final String what)
    {
        int count = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1))
        {
            count++;
        }
        return count;
    }
}
