package io.vshard.transport.client;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.vshard.core.flow.FlowResult;
import io.vshard.core.wire.FrameDescriptor;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SendQueue}: the frames it queues, its results in the {@link FlowResult} vocabulary, the wake-up that only a
 * sleeping I/O thread gets, and no wake-up lost between concurrent senders and a draining I/O thread.
 */
class SendQueueTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long LAG_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private final EventLoop ioThread = new DefaultEventLoop();
    private final CoarseClock clock = new CoarseClock(LAG_NS);
    private final AtomicInteger wakeUps = new AtomicInteger();
    private SendQueue queue = new SendQueue(4096, TIMEOUT_NS, clock, ioThread, wakeUps::incrementAndGet);

    @AfterEach
    void tearDown()
    {
        ioThread.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
        queue.close();
        assertThat(queue.free(TimeUnit.SECONDS.toNanos(1), (t, b, i, l) -> { })).isTrue();
    }

    @Test
    void shouldQueueAnEnvelopeFrameWithItsIdAndADeadlineNeverEarly()
    {
        final UnsafeBuffer envelope = envelope(40, (byte)3);
        final long before = clock.nowNs();

        assertThat(queue.offer(77, envelope, 0, 40)).isEqualTo(77);

        final List<long[]> frames = new ArrayList<>();
        queue.read((type, buffer, index, length) ->
        {
            final int frameLength = SendQueue.frameLength(length);
            assertThat(FrameDescriptor.frameLength(buffer, index)).isEqualTo(frameLength - 4);
            assertThat(FrameDescriptor.kind(buffer, index)).isEqualTo(FrameDescriptor.KIND_ENVELOPE);
            assertThat(buffer.getByte(index + FrameDescriptor.BODY_OFFSET + 39)).isEqualTo((byte)3);
            frames.add(new long[]{ FrameDescriptor.correlationId(buffer, index), frameLength,
                SendQueue.deadlineNs(buffer, index, length) });
        }, 10);

        assertThat(frames).hasSize(1);
        assertThat(frames.get(0)[0]).isEqualTo(77);
        assertThat(frames.get(0)[1]).isEqualTo(FrameDescriptor.HEADER_LENGTH + 40);
        assertThat(frames.get(0)[2]).as("offer time (coarse, up to the lag behind) + timeout + lag")
            .isEqualTo(before + TIMEOUT_NS + LAG_NS);
    }

    @Test
    void shouldAnswerBackPressuredWhenFullAndTakeNoIdForARefusedRequest()
    {
        final AtomicLong ids = new AtomicLong();
        final UnsafeBuffer envelope = envelope(200, (byte)1);
        long result;
        int queued = 0;
        while ((result = queue.offerRequest(ids, envelope, 0, 200)) > 0)
        {
            queued++;
            assertThat(result).as("consecutive ids").isEqualTo(queued);
        }

        assertThat(result).isEqualTo(FlowResult.BACK_PRESSURED);
        assertThat(ids.get()).isEqualTo(queued);
        assertThat(queue.offer(FrameDescriptor.FIRE_AND_FORGET, envelope, 0, 200))
            .isEqualTo(FlowResult.BACK_PRESSURED);

        assertThat(queue.read((t, b, i, l) -> { }, 1)).isEqualTo(1);
        assertThat(queue.offerRequest(ids, envelope, 0, 200)).isEqualTo(queued + 1);
    }

    @Test
    void shouldAnswerClosedOnceClosed()
    {
        queue.close();

        assertThat(queue.offer(0, envelope(8, (byte)0), 0, 8)).isEqualTo(FlowResult.CLOSED);
        assertThat(queue.offerRequest(new AtomicLong(), envelope(8, (byte)0), 0, 8)).isEqualTo(FlowResult.CLOSED);
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void shouldRefuseAnEnvelopeThatCanNeverFitWithItsLength()
    {
        assertThatThrownBy(() -> queue.offer(1, envelope(8192, (byte)0), 0, 8192))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("length=8192");
    }

    @Test
    void shouldNotBlockTheQueueWithTheClaimOfASourceOutOfBounds()
    {
        assertThatThrownBy(() -> queue.offer(1, envelope(8, (byte)0), 0, 64))
            .isInstanceOf(IndexOutOfBoundsException.class);

        assertThat(queue.offer(2, envelope(8, (byte)0), 0, 8)).isEqualTo(2);
        final List<Long> ids = new ArrayList<>();
        queue.read((t, b, i, l) -> ids.add(FrameDescriptor.correlationId(b, i)), 10);
        assertThat(ids).containsExactly(2L);
    }

    @Test
    void shouldWakeTheIoThreadOnlyWhenItArmedTheFlag() throws Exception
    {
        final UnsafeBuffer envelope = envelope(8, (byte)0);
        final MessageHandler ignore = (t, b, i, l) -> { };

        queue.offer(0, envelope, 0, 8);
        queue.offer(0, envelope, 0, 8);
        awaitWakeUps(1);
        assertThat(queue.isArmed()).as("a sender disarmed it").isFalse();

        assertThat(queue.readOrArm(ignore, 100)).isEqualTo(2);
        queue.offer(0, envelope, 0, 8);
        assertThat(queue.readOrArm(ignore, 100)).as("still draining: no wake-up needed").isEqualTo(1);
        assertThat(wakeUps.get()).isEqualTo(1);

        assertThat(queue.readOrArm(ignore, 100)).as("empty: armed").isZero();
        assertThat(queue.isArmed()).isTrue();
        queue.offer(0, envelope, 0, 8);
        queue.offer(0, envelope, 0, 8);
        awaitWakeUps(2);
        TimeUnit.MILLISECONDS.sleep(20);
        assertThat(wakeUps.get()).as("one wake-up per sleep").isEqualTo(2);
    }

    @Test
    @Timeout(60)
    void shouldLoseNoWakeUpBetweenConcurrentSendersAndADrainingIoThread() throws Exception
    {
        final int senders = 3;
        final int perSender = 100_000;
        final AtomicLong read = new AtomicLong();
        final AtomicLong sum = new AtomicLong();
        final SendQueue[] holder = new SendQueue[1];
        final MessageHandler handler = (t, buffer, index, length) ->
        {
            read.incrementAndGet();
            sum.addAndGet(buffer.getLong(index + FrameDescriptor.BODY_OFFSET));
        };
        // The I/O thread's drain as ClientStream has it: disarm, read until empty, arm and look once more; no timer.
        final Runnable drain = () ->
        {
            holder[0].disarm();
            int n;
            do
            {
                n = holder[0].readOrArm(handler, 64);
            }
            while (n > 0);
        };
        holder[0] = new SendQueue(1 << 16, TIMEOUT_NS, clock, ioThread, drain);
        queue.close();
        queue.free(0, (t, b, i, l) -> { });
        queue = holder[0];

        final List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++)
        {
            final Thread thread = new Thread(() ->
            {
                final UnsafeBuffer envelope = new UnsafeBuffer(new byte[16]);
                for (int i = 1; i <= perSender; i++)
                {
                    envelope.putLong(0, i);
                    while (FlowResult.BACK_PRESSURED == holder[0].offer(0, envelope, 0, 16))
                    {
                        Thread.yield();
                    }
                    if (0 == (i & 1023))
                    {
                        // Let the I/O thread empty the queue and fall asleep now and then.
                        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }

        final long expected = (long)senders * perSender;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (read.get() < expected && System.nanoTime() - deadlineNs < 0)
        {
            TimeUnit.MILLISECONDS.sleep(1);
        }
        assertThat(read.get()).as("frames read with no timer to catch a lost wake-up").isEqualTo(expected);
        assertThat(sum.get()).isEqualTo(senders * ((long)perSender * (perSender + 1) / 2));
    }

    @Test
    void shouldHandWhatIsStillQueuedToFreeAndFreeOnce()
    {
        queue.offer(5, envelope(8, (byte)0), 0, 8);
        queue.offer(6, envelope(8, (byte)0), 0, 8);
        queue.close();
        ioThread.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);

        final List<Long> leftovers = new ArrayList<>();
        assertThat(queue.free(TimeUnit.SECONDS.toNanos(1),
            (t, b, i, l) -> leftovers.add(FrameDescriptor.correlationId(b, i)))).isTrue();

        assertThat(leftovers).containsExactly(5L, 6L);
        assertThat(queue.free(0, (t, b, i, l) -> leftovers.add(0L))).as("idempotent").isTrue();
        assertThat(leftovers).hasSize(2);
    }

    private void awaitWakeUps(final int count) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (wakeUps.get() < count)
        {
            assertThat(System.nanoTime() - deadlineNs).as("woken").isNegative();
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    private static UnsafeBuffer envelope(final int length, final byte fill)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        buffer.setMemory(0, length, fill);
        return buffer;
    }
}
