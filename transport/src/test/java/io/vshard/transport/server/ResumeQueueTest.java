package io.vshard.transport.server;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ResumeQueueTest
{
    /**
     * A lane that frees some room before each pass.
     */
    private static final class Lane
    {
        int room;
    }

    /**
     * A stream holding more frames than the lane will ever take: it takes all the room there is.
     */
    private static class Stream implements ResumeQueue.Resumable
    {
        final Lane lane;
        final List<Stream> order;
        long taken;
        boolean closed;

        Stream(final Lane lane, final List<Stream> order)
        {
            this.lane = lane;
            this.order = order;
        }

        public int retry()
        {
            order.add(this);
            if (closed)
            {
                return DONE;
            }
            final int take = lane.room;
            lane.room = 0;
            taken += take;
            return 0 == take ? STILL_PAUSED : PAUSED_AFTER_PROGRESS;
        }
    }

    @Test
    void shouldGiveEveryPausedStreamItsShareOfTheRoomALaneFrees()
    {
        final Lane lane = new Lane();
        final List<Stream> order = new ArrayList<>();
        final ResumeQueue queue = new ResumeQueue();
        final Stream[] streams = new Stream[12];
        for (int i = 0; i < streams.length; i++)
        {
            streams[i] = new Stream(lane, order);
            queue.add(streams[i]);
        }

        for (int pass = 0; pass < 1_200; pass++)
        {
            lane.room = 64;
            queue.retryAll();
        }

        for (final Stream stream : streams)
        {
            assertThat(stream.taken).isEqualTo(1_200 * 64 / streams.length);
        }
        assertThat(queue.size()).isEqualTo(streams.length);
    }

    @Test
    void shouldKeepStreamsThatTookNothingInFrontInTheirOrder()
    {
        final Lane lane = new Lane();
        final List<Stream> order = new ArrayList<>();
        final ResumeQueue queue = new ResumeQueue();
        final Stream a = new Stream(lane, order);
        final Stream b = new Stream(lane, order);
        final Stream c = new Stream(lane, order);
        queue.add(a);
        queue.add(b);
        queue.add(c);

        lane.room = 1;
        queue.retryAll();
        order.clear();
        queue.retryAll();

        assertThat(order).containsExactly(b, c, a);
    }

    @Test
    void shouldDropStreamsThatAreDoneAndKeepStreamsAddedDuringAPass()
    {
        final Lane lane = new Lane();
        final List<Stream> order = new ArrayList<>();
        final ResumeQueue queue = new ResumeQueue();
        final Stream late = new Stream(lane, order);
        final Stream a = new Stream(lane, order)
        {
            public int retry()
            {
                if (0 == taken)
                {
                    queue.add(late);
                }
                return super.retry();
            }
        };
        final Stream b = new Stream(lane, order);
        final Stream c = new Stream(lane, order);
        queue.add(a);
        queue.add(b);
        queue.add(c);
        b.closed = true;

        lane.room = 1;
        queue.retryAll();
        order.clear();
        queue.retryAll();
        assertThat(order).containsExactly(c, late, a);

        queue.remove(late);
        order.clear();
        queue.retryAll();
        assertThat(order).containsExactly(c, a);
        assertThat(queue.size()).isEqualTo(2);
    }

    @Test
    void shouldGrowPastItsInitialCapacity()
    {
        final Lane lane = new Lane();
        final List<Stream> order = new ArrayList<>();
        final ResumeQueue queue = new ResumeQueue();
        for (int i = 0; i < 100; i++)
        {
            queue.add(new Stream(lane, order));
        }
        lane.room = 1;
        queue.retryAll();

        assertThat(queue.size()).isEqualTo(100);
        assertThat(order).hasSize(100);
    }
}
