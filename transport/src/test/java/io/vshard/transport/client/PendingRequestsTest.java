package io.vshard.transport.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PendingRequests} against a {@link HashMap} model, over id patterns that stress linear probing: consecutive
 * ids, ids stepping by a stream count, ids colliding on their low bits, and random ids, added and removed in and out
 * of order, through several doublings.
 */
class PendingRequestsTest
{
    @ParameterizedTest
    @ValueSource(ints = { 1, 4, 1024, 65_536, 0 })
    void shouldAgreeWithAHashMapWhateverTheIdPatternAndOrder(final int step)
    {
        final SplittableRandom random = new SplittableRandom(step);
        final PendingRequests table = new PendingRequests();
        final Map<Long, Long> model = new HashMap<>();
        final List<Long> live = new ArrayList<>();
        long next = 1;
        for (int op = 0; op < 400_000; op++)
        {
            final int dice = random.nextInt(10);
            if (dice < 5 || live.isEmpty())
            {
                final long id = 0 == step ? randomId(random) : next;
                next += Math.max(1, step);
                final long deadline = random.nextLong(Long.MAX_VALUE);
                table.put(id, deadline);
                if (null == model.put(id, deadline))
                {
                    live.add(id);
                }
            }
            else if (dice < 9)
            {
                // Mostly the oldest (answers come back in order), sometimes any.
                final int k = random.nextInt(4) == 0 ? random.nextInt(live.size()) : 0;
                final long id = live.get(k);
                live.set(k, live.get(live.size() - 1));
                live.remove(live.size() - 1);
                assertThat(table.remove(id)).isEqualTo(model.remove(id).longValue());
            }
            else
            {
                final long id = live.get(random.nextInt(live.size()));
                assertThat(table.get(id)).isEqualTo(model.get(id).longValue());
                long absent = id + (long)Math.max(1, step) * (mask(random) + 1);
                while (0 == absent || model.containsKey(absent))
                {
                    absent++;
                }
                assertThat(table.get(absent)).isEqualTo(PendingRequests.MISSING);
                assertThat(table.remove(absent)).isEqualTo(PendingRequests.MISSING);
            }
            assertThat(table.size()).isEqualTo(model.size());
        }
        for (final Map.Entry<Long, Long> entry : model.entrySet())
        {
            assertThat(table.get(entry.getKey())).isEqualTo(entry.getValue().longValue());
        }
        table.clear();
        assertThat(table.size()).isZero();
        for (final Long id : model.keySet())
        {
            assertThat(table.get(id)).isEqualTo(PendingRequests.MISSING);
        }
    }

    @Test
    void shouldReplaceTheDeadlineOfAnIdPutTwice()
    {
        final PendingRequests table = new PendingRequests();
        table.put(42, 1);
        table.put(42, 2);

        assertThat(table.size()).isEqualTo(1);
        assertThat(table.remove(42)).isEqualTo(2);
        assertThat(table.remove(42)).isEqualTo(PendingRequests.MISSING);
    }

    @Test
    void shouldRefuseIdZero()
    {
        assertThatThrownBy(() -> new PendingRequests().put(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new PendingRequests().get(0)).isEqualTo(PendingRequests.MISSING);
    }

    /** A power of two minus one, so the absent id often shares its low bits with a live one. */
    private static long mask(final SplittableRandom random)
    {
        return (1L << (10 + random.nextInt(8))) - 1;
    }

    private static long randomId(final SplittableRandom random)
    {
        long id;
        do
        {
            id = random.nextLong();
        }
        while (0 == id);
        return id;
    }
}
