package io.vshard.transport;

import io.netty.util.internal.PlatformDependent;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JvmFlagsTest
{
    private static final Module AGRONA = UnsafeBuffer.class.getModule();
    private static final Module NETTY = PlatformDependent.class.getModule();

    @Test
    void shouldPassWithTheFlagsSurefireGives()
    {
        JvmFlags.ensure();
        assertThat(JvmFlags.check((pkg, module) -> Object.class.getModule().isOpen(pkg, module), AGRONA, NETTY))
            .isNull();
    }

    @Test
    void shouldNameEveryMissingFlagWhenAgronasIsMissing()
    {
        assertThatThrownBy(() -> JvmFlags.check((pkg, module) -> false, AGRONA, NETTY))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(JvmFlags.AGRONA_FLAG + " " + JvmFlags.NETTY_NIO_FLAG + " " +
                JvmFlags.NETTY_NIO_CH_FLAG);
    }

    @Test
    void shouldNameOnlyTheMissingFlag()
    {
        assertThatThrownBy(() -> JvmFlags.check((pkg, module) -> !"jdk.internal.misc".equals(pkg), AGRONA, NETTY))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageEndingWith("start java with: " + JvmFlags.AGRONA_FLAG);
    }

    @Test
    void shouldOnlyWarnWhenNettysFlagsAreMissing()
    {
        final String warning = JvmFlags.check((pkg, module) -> "jdk.internal.misc".equals(pkg), AGRONA, NETTY);

        assertThat(warning)
            .contains(JvmFlags.NETTY_NIO_FLAG, JvmFlags.NETTY_NIO_CH_FLAG)
            .doesNotContain(JvmFlags.AGRONA_FLAG);
    }

    @Test
    @Timeout(60)
    void shouldRefuseAJvmStartedWithoutTheFlags() throws Exception
    {
        final Process child = new ProcessBuilder(
            ProcessHandle.current().info().command().orElse("java"),
            "-cp", System.getProperty("java.class.path"),
            Probe.class.getName())
            .redirectErrorStream(true)
            .start();
        final String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(out).isEqualTo(Probe.REFUSED);
        assertThat(out).contains(JvmFlags.AGRONA_FLAG, JvmFlags.NETTY_NIO_FLAG, JvmFlags.NETTY_NIO_CH_FLAG);
    }

    /**
     * Runs the check in a JVM of its own.
     */
    static final class Probe
    {
        static final int REFUSED = 3;

        private Probe()
        {
        }

        public static void main(final String[] args)
        {
            try
            {
                JvmFlags.ensure();
                System.out.println("accepted");
            }
            catch (final IllegalStateException ex)
            {
                System.out.println(ex.getMessage());
                System.exit(REFUSED);
            }
        }
    }
}
