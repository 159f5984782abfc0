package io.vshard.transport;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FrameBatch} over an {@link EmbeddedChannel}: batching into one write, writes the stream cannot take at once
 * (tracked until they complete), a stream closed from inside the write (RELIABILITY.md fix 12), frames committed after
 * a release, and every buffer back to its allocator.
 */
class FrameBatchTest
{
    private final RecordingAllocator allocator = new RecordingAllocator();
    private final List<ByteBuf> written = new ArrayList<>();
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp()
    {
        channel = new EmbeddedChannel();
        channel.config().setAllocator(allocator);
    }

    @AfterEach
    void tearDown()
    {
        drainOutbound();
        written.forEach(ByteBuf::release);
        channel.finishAndReleaseAll();
        assertThat(allocator.given).as("buffers the batch allocated").isNotEmpty()
            .allSatisfy((buffer) -> assertThat(buffer.refCnt()).as("back to the allocator").isZero());
    }

    @Test
    void shouldWriteEverythingAppendedInOneWriteOnFlush()
    {
        final FrameBatch batch = new FrameBatch(channel, 4096);
        batch.append(frame(10, (byte)1), 0, 10);
        batch.append(frame(20, (byte)2), 0, 20);
        batch.append(frame(30, (byte)3), 0, 30);
        assertThat(batch.isPending()).isTrue();

        assertThat(batch.flush()).isEqualTo(60);
        channel.flush();
        drainOutbound();

        assertThat(written).hasSize(1);
        final ByteBuf out = written.get(0);
        assertThat(out.readableBytes()).isEqualTo(60);
        assertThat(out.getByte(0)).isEqualTo((byte)1);
        assertThat(out.getByte(10)).isEqualTo((byte)2);
        assertThat(out.getByte(59)).isEqualTo((byte)3);
        assertThat(batch.takeFramesWritten()).isEqualTo(3);
        assertThat(batch.takeBytesWritten()).isEqualTo(60);
        assertThat(batch.takeFramesWritten()).isZero();
        assertThat(batch.isPending()).isFalse();
        assertThat(batch.flush()).isZero();
    }

    @Test
    void shouldWriteOnceTheBatchSizeIsReachedWithoutWaitingForTheFlush()
    {
        final FrameBatch batch = new FrameBatch(channel, 64);
        batch.append(frame(40, (byte)1), 0, 40);
        channel.flush();
        assertThat(channel.outboundMessages()).isEmpty();

        batch.append(frame(40, (byte)2), 0, 40);
        channel.flush();
        drainOutbound();

        assertThat(written).hasSize(1);
        assertThat(written.get(0).readableBytes()).isEqualTo(80);
        assertThat(batch.isPending()).isFalse();
    }

    @Test
    void shouldCountWritesTheStreamCannotTakeAtOnceUntilTheyCompleteInOrder()
    {
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(64, 128));
        final int[] drained = new int[1];
        final FrameBatch batch = new FrameBatch(channel, 16, 50, () -> drained[0]++);

        batch.append(frame(100, (byte)1), 0, 100);
        assertThat(batch.queuedBytes()).as("fits the stream's capacity: not tracked").isZero();
        batch.append(frame(60, (byte)2), 0, 60);
        assertThat(batch.queuedBytes()).as("beyond the capacity: tracked").isEqualTo(60);
        batch.append(frame(70, (byte)3), 0, 70);
        assertThat(batch.queuedBytes()).isEqualTo(130);
        assertThat(drained[0]).isZero();

        channel.flush();
        drainOutbound();

        assertThat(batch.queuedBytes()).as("all completed").isZero();
        assertThat(drained[0]).as("low-water calls once at or below 50 bytes").isEqualTo(1);
        assertThat(written).extracting(ByteBuf::readableBytes).containsExactly(100, 60, 70);
    }

    @Test
    void shouldDropTheReferenceAStreamClosedInsideTheWriteKeeps()
    {
        final List<Object> kept = new ArrayList<>();
        channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter()
        {
            public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
            {
                // As the QUIC codec 0.0.75: the send finds the connection closing, closes the stream from inside the
                // write, then queues the buffer in the closed stream, which nothing drains or frees any more.
                kept.add(msg);
                ctx.channel().close();
            }
        });
        final FrameBatch batch = new FrameBatch(channel, 4096);
        batch.append(frame(32, (byte)7), 0, 32);

        batch.flush();

        assertThat(channel.isActive()).isFalse();
        assertThat(kept).hasSize(1);
        assertThat(((ByteBuf)kept.get(0)).refCnt()).as("the closed stream's reference dropped").isZero();
    }

    @Test
    void shouldDropAFrameCommittedAfterARelease()
    {
        final FrameBatch batch = new FrameBatch(channel, 4096);
        final int at = batch.claim(16);
        batch.buffer().putBytes(at, frame(16, (byte)5), 0, 16);
        batch.release();
        batch.commit(16);

        assertThat(batch.isPending()).isFalse();
        assertThat(batch.flush()).isZero();
        channel.flush();
        assertThat(channel.outboundMessages()).isEmpty();
    }

    @Test
    void shouldWriteNothingToAClosedStreamAndFreeTheBatch()
    {
        final FrameBatch batch = new FrameBatch(channel, 4096);
        batch.append(frame(24, (byte)9), 0, 24);
        channel.close();

        assertThat(batch.flush()).isZero();
        assertThat(batch.takeFramesWritten()).isZero();
        assertThat(channel.outboundMessages()).isEmpty();
    }

    @Test
    void shouldFreeWhatIsNotWrittenOnRelease()
    {
        final FrameBatch batch = new FrameBatch(channel, 4096);
        batch.append(frame(24, (byte)9), 0, 24);

        batch.release();

        assertThat(batch.isPending()).isFalse();
        batch.append(frame(24, (byte)9), 0, 24);
        assertThat(batch.isPending()).as("committed after the release: dropped").isFalse();
    }

    private void drainOutbound()
    {
        Object msg;
        while (null != (msg = channel.readOutbound()))
        {
            written.add((ByteBuf)msg);
        }
    }

    private static UnsafeBuffer frame(final int length, final byte fill)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        buffer.setMemory(0, length, fill);
        return buffer;
    }

    /**
     * Unpooled direct buffers, each remembered so the test can check it went back.
     */
    private static final class RecordingAllocator extends AbstractByteBufAllocator
    {
        final List<ByteBuf> given = new ArrayList<>();

        RecordingAllocator()
        {
            super(true);
        }

        public boolean isDirectBufferPooled()
        {
            return false;
        }

        protected ByteBuf newHeapBuffer(final int initialCapacity, final int maxCapacity)
        {
            final ByteBuf buffer = Unpooled.buffer(initialCapacity, maxCapacity);
            given.add(buffer);
            return buffer;
        }

        protected ByteBuf newDirectBuffer(final int initialCapacity, final int maxCapacity)
        {
            final ByteBuf buffer = Unpooled.directBuffer(initialCapacity, maxCapacity);
            given.add(buffer);
            return buffer;
        }
    }
}
