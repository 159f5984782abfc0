package io.vshard.transport.server;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

class RefusalLogTest
{
    private static final SocketAddress PEER_A = new InetSocketAddress("127.0.0.1", 40_001);
    private static final SocketAddress PEER_B = new InetSocketAddress("127.0.0.1", 40_002);

    @Test
    void shouldCountARefusedAttemptOnceWithinTheWindowAndAgainAfterIt()
    {
        final RefusalLog log = new RefusalLog(1_000, 16);

        assertThat(log.countRefusal("a", PEER_A, 0)).isTrue();
        assertThat(log.countRefusal("a", PEER_A, 500)).isFalse();
        assertThat(log.countRefusal("b", PEER_B, 600)).isTrue();
        assertThat(log.countRefusal("a", PEER_A, 999)).isFalse();
        assertThat(log.countRefusal("a", PEER_A, 1_000)).isTrue();
        assertThat(log.countRefusal("b", PEER_B, 1_100)).isFalse();
    }

    @Test
    void shouldCountAnotherAttemptFromTheSameAddress()
    {
        final RefusalLog log = new RefusalLog(1_000, 16);

        assertThat(log.countRefusal("a", PEER_A, 0)).isTrue();
        assertThat(log.countRefusal("a2", PEER_A, 10)).isTrue();
    }

    @Test
    void shouldNotCountAConnectionClosedUnrefusedFromAnAddressRefusedLately()
    {
        final RefusalLog log = new RefusalLog(1_000, 16);
        log.countRefusal("a", PEER_A, 0);

        assertThat(log.countRefusal(null, PEER_A, 10)).as("a trailing packet of attempt a").isFalse();
        assertThat(log.countRefusal(null, PEER_B, 10)).as("a failed handshake").isTrue();
        assertThat(log.countRefusal(null, PEER_A, 1_000)).as("after the window").isTrue();
        assertThat(log.countRefusal(null, null, 0)).as("unknown address").isTrue();
    }

    @Test
    void shouldForgetTheOldestWhenFull()
    {
        final RefusalLog log = new RefusalLog(1_000_000, 3);
        log.countRefusal("a", null, 0);
        log.countRefusal("b", null, 1);
        log.countRefusal("c", null, 2);

        assertThat(log.countRefusal("d", null, 3)).isTrue();
        assertThat(log.countRefusal("b", null, 4)).isFalse();
        assertThat(log.countRefusal("a", null, 5)).as("forgotten").isTrue();
    }
}
