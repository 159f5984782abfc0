package io.vshard.transport.client;

import io.vshard.core.flow.FlowResult;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RequestTable}: answers take requests out, the expiry pass times out exactly the requests whose deadline
 * passed, once each, and a lost stream fails every waiting request once.
 */
class RequestTableTest
{
    private final RequestTable table = new RequestTable();
    private final List<long[]> failed = new ArrayList<>();
    private final RequestTable.Failures failures = (id, kind) -> failed.add(new long[]{ id, kind });

    @Test
    void shouldTimeOutOnlyTheRequestsWhoseDeadlinePassedOnceEach()
    {
        for (long id = 1; id <= 10; id++)
        {
            table.register(id, id * 100);
        }

        assertThat(table.expire(450, failures)).isEqualTo(4);
        assertThat(failed).extracting((f) -> f[0]).containsExactly(1L, 2L, 3L, 4L);
        assertThat(failed).allSatisfy((f) -> assertThat(f[1]).isEqualTo(FlowResult.TIMED_OUT));
        assertThat(table.waiting()).isEqualTo(6);

        assertThat(table.expire(450, failures)).as("once each").isZero();
        assertThat(table.expire(500, failures)).as("deadline reached").isEqualTo(1);
        assertThat(table.waiting()).isEqualTo(5);
    }

    @Test
    void shouldNotTimeOutAnsweredRequestsAndMatchEachAnswerOnce()
    {
        table.register(1, 100);
        table.register(2, 200);
        table.register(3, 300);

        assertThat(table.complete(2)).isTrue();
        assertThat(table.complete(2)).as("a second answer matches nothing").isFalse();
        assertThat(table.complete(99)).as("never asked").isFalse();
        assertThat(table.expire(1_000, failures)).isEqualTo(2);

        assertThat(failed).extracting((f) -> f[0]).containsExactly(1L, 3L);
        assertThat(table.complete(1)).as("a late answer after its timeout").isFalse();
        assertThat(table.waiting()).isZero();
    }

    @Test
    void shouldStopAtTheFirstRequestStillWithinItsDeadline()
    {
        table.register(1, 100);
        table.register(2, 1_000);
        table.register(3, 50);

        assertThat(table.expire(200, failures)).as("the pass goes in write order").isEqualTo(1);
        assertThat(table.expire(1_000, failures)).isEqualTo(2);
        assertThat(failed).extracting((f) -> f[0]).containsExactly(1L, 2L, 3L);
    }

    @Test
    void shouldFailEveryWaitingRequestOnceWhenTheStreamIsLost()
    {
        for (long id = 1; id <= 5_000; id++)
        {
            table.register(id, Long.MAX_VALUE);
        }
        for (long id = 1; id <= 5_000; id += 2)
        {
            assertThat(table.complete(id)).isTrue();
        }

        assertThat(table.failAll(failures)).isEqualTo(2_500);

        assertThat(failed).hasSize(2_500)
            .allSatisfy((f) -> assertThat(f[0] % 2).isZero())
            .allSatisfy((f) -> assertThat(f[1]).isEqualTo(FlowResult.CONNECTION_CLOSED));
        assertThat(table.waiting()).isZero();
        assertThat(table.failAll(failures)).isZero();
        assertThat(table.expire(Long.MAX_VALUE - 1, failures)).isZero();

        table.register(5_001, 10);
        assertThat(table.expire(20, failures)).as("usable again").isEqualTo(1);
    }

    @Test
    void shouldExpireRequestsWithDeadlinesAcrossTheClockWrap()
    {
        final long nearWrap = Long.MAX_VALUE - 50;
        table.register(1, nearWrap);
        table.register(2, nearWrap + 100);

        assertThat(table.expire(nearWrap + 10, failures)).isEqualTo(1);
        assertThat(table.expire(nearWrap + 100, failures)).isEqualTo(1);
    }
}
