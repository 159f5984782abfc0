package io.vshard.core.pipeline;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BufferPoolTest
{
    private static final int MAX_LENGTH = 64 * 1024;
    private static final int CLASS_BYTES = 8 * 1024;

    private final BufferPool pool = new BufferPool(MAX_LENGTH, CLASS_BYTES);

    @AfterEach
    void after()
    {
        pool.close();
    }

    @ParameterizedTest(name = "{0} bytes -> class of {1}")
    @CsvSource({"0, 1024", "1, 1024", "1024, 1024", "1025, 2048", "4096, 4096", "4097, 8192", "65536, 65536"})
    void shouldServeTheSmallestPowerOfTwoClassThatFits(final int length, final int classLength)
    {
        final UnsafeBuffer buffer = pool.acquire(length);

        assertThat(buffer.capacity()).isEqualTo(classLength);
        assertThat(pool.inUse()).isEqualTo(1);
        assertThat(pool.allocatedBytes()).isEqualTo(classLength);
    }

    @Test
    void shouldRefuseALengthAboveItsMaximum()
    {
        assertThatThrownBy(() -> pool.acquire(MAX_LENGTH + 1))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("length=" + (MAX_LENGTH + 1));
    }

    @Test
    void shouldReturnNullAtTheBoundOfAClassAndReuseWhatIsReleased()
    {
        final int bound = CLASS_BYTES / 1024;
        final List<UnsafeBuffer> taken = new ArrayList<>();
        for (int i = 0; i < bound; i++)
        {
            taken.add(pool.acquire(1000));
        }

        assertThat(taken).doesNotContainNull();
        assertThat(identities(taken)).as("distinct buffers").hasSize(bound);
        assertThat(pool.acquire(1000)).as("class of 1 KiB at its bound of %d", bound).isNull();
        assertThat(pool.acquire(2000)).as("another class is not affected").isNotNull();

        pool.release(taken.get(3));
        assertThat(pool.acquire(10)).as("the released buffer is reused").isSameAs(taken.get(3));
        assertThat(pool.allocatedBytes()).as("nothing new allocated").isEqualTo(bound * 1024L + 2048);
        assertThat(pool.inUse()).isEqualTo(bound + 1);
    }

    @Test
    void shouldHoldAtLeastTwoBuffersInAClassLargerThanItsBytes()
    {
        assertThat(pool.acquire(MAX_LENGTH)).isNotNull();
        assertThat(pool.acquire(MAX_LENGTH)).isNotNull();
        assertThat(pool.acquire(MAX_LENGTH)).isNull();
    }

    @Test
    void shouldRefuseAfterClose()
    {
        pool.release(pool.acquire(100));
        pool.close();

        assertThat(pool.acquire(100)).isNull();
    }

    @Test
    void shouldSignalRoomOnceWhenAsked()
    {
        assertThat(pool.takeRoomWanted()).isFalse();
        pool.roomWanted();
        assertThat(pool.takeRoomWanted()).isTrue();
        assertThat(pool.takeRoomWanted()).isFalse();
    }

    @Test
    void shouldRunTheRoomCallbackOnTheReleaseThatMeetsAWaitingPublisher()
    {
        final int[] calls = new int[1];
        pool.roomCallback(() -> calls[0]++);
        final UnsafeBuffer held = pool.acquire(100);
        pool.release(held);
        assertThat(calls[0]).as("nobody waits").isZero();

        pool.roomWanted();
        pool.release(pool.acquire(100));
        assertThat(calls[0]).as("a publisher waited").isEqualTo(1);
        pool.release(pool.acquire(100));
        assertThat(calls[0]).as("told once").isEqualTo(1);
    }

    private static Set<UnsafeBuffer> identities(final List<UnsafeBuffer> buffers)
    {
        final Set<UnsafeBuffer> set = Collections.newSetFromMap(new IdentityHashMap<>());
        set.addAll(buffers);
        return set;
    }

    @Test
    @Timeout(60)
    void shouldNeverHandOneBufferToTwoThreadsNorLoseAny() throws Exception
    {
        final int threads = 4;
        final int iterations = 200_000;
        final Set<UnsafeBuffer> out = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        final CyclicBarrier start = new CyclicBarrier(threads);
        final List<Thread> workers = new ArrayList<>();
        final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++)
        {
            final int id = t;
            final Thread worker = new Thread(() ->
            {
                final Random random = new Random(id);
                final List<UnsafeBuffer> held = new ArrayList<>();
                try
                {
                    start.await();
                    for (int i = 0; i < iterations; i++)
                    {
                        if (held.size() < 3 && random.nextBoolean())
                        {
                            final UnsafeBuffer buffer = pool.acquire(1 + random.nextInt(4096));
                            if (null != buffer)
                            {
                                assertThat(out.add(buffer)).as("buffer handed out twice").isTrue();
                                buffer.putInt(0, id);
                                buffer.putInt(buffer.capacity() - 4, i);
                                held.add(buffer);
                            }
                        }
                        else if (!held.isEmpty())
                        {
                            final UnsafeBuffer buffer = held.remove(random.nextInt(held.size()));
                            assertThat(buffer.getInt(0)).as("owner mark").isEqualTo(id);
                            assertThat(out.remove(buffer)).isTrue();
                            pool.release(buffer);
                        }
                    }
                    for (final UnsafeBuffer buffer : held)
                    {
                        out.remove(buffer);
                        pool.release(buffer);
                    }
                }
                catch (final Throwable ex)
                {
                    failures.add(ex);
                }
            }, "pool-worker-" + t);
            workers.add(worker);
            worker.start();
        }
        for (final Thread worker : workers)
        {
            worker.join();
        }

        assertThat(failures).isEmpty();
        assertThat(pool.inUse()).as("all back").isZero();
        assertThat(pool.allocatedBytes()).as("within the bounds of the classes used")
            .isLessThanOrEqualTo(3L * CLASS_BYTES);
        final List<UnsafeBuffer> drained = new ArrayList<>();
        UnsafeBuffer buffer;
        while (null != (buffer = pool.acquire(1024)))
        {
            drained.add(buffer);
        }
        assertThat(drained).as("every 1 KiB buffer is acquirable again").hasSize(CLASS_BYTES / 1024);
    }
}
