package io.vshard.transport;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vshard.core.fuzz.ByteMutator;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.FrameFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzing of the stream decoder, {@link FrameReader}: whatever the bytes, and however they are cut into reads and
 * interrupted by a refusing consumer, the reader hands out the same frames and reports bad framing at the same point
 * as when it gets them in one read; it never throws, hands out only frames with a valid header, and frees all it
 * allocates. The {@code should...} tests are a bounded seeded run in every build; {@link #fuzzFrameReader} is the
 * Jazzer target (seed corpus in {@code FrameReaderFuzzTestInputs/}; {@code JAZZER_FUZZ=1} to fuzz, see RELIABILITY.md).
 */
class FrameReaderFuzzTest
{
    private static final int MAX_PAYLOAD = 1024;
    private static final int MAX_FRAME_LENGTH_FIELD = FrameDescriptor.maxFrameLengthField(MAX_PAYLOAD);
    private static final long BUDGET_NS = TimeUnit.SECONDS.toNanos(3);

    private final FrameReaderHarness harness = new FrameReaderHarness(MAX_FRAME_LENGTH_FIELD);

    @Test
    @Timeout(30)
    void shouldHandOutTheSameFramesWhateverTheReadSizesAndRefusals()
    {
        final SplittableRandom random = new SplittableRandom(0xF2A3E5L);
        for (int round = 0; round < 400; round++)
        {
            final List<byte[]> frames = FrameStreams.frames(random, 1 + random.nextInt(40), 300);
            final byte[] whole = FrameStreams.concat(frames);
            final byte[] last = frames.get(frames.size() - 1);
            final int cut = random.nextBoolean() ? 0 : random.nextInt(last.length);
            final byte[] bytes = Arrays.copyOf(whole, whole.length - cut);
            final List<byte[]> expected = 0 == cut ? frames : frames.subList(0, frames.size() - 1);
            final int expectedPending = 0 == cut ? 0 : last.length - cut;

            for (final int refuseOneIn : new int[]{ 0, 3 })
            {
                final FrameReaderHarness.Outcome outcome = harness.randomReads(bytes, random, refuseOneIn);
                assertThat(outcome.badFraming()).as("round %d", round).isFalse();
                assertThat(hex(outcome.frames())).as("round %d", round).containsExactlyElementsOf(hex(expected));
                assertThat(outcome.pendingBytes()).as("round %d", round).isEqualTo(expectedPending);
            }
        }
    }

    @Test
    @Timeout(30)
    void shouldTreatMutatedStreamsAlikeWhateverTheReadSizes()
    {
        final SplittableRandom random = new SplittableRandom(0xBADF00DL);
        final List<byte[]> seeds = new ArrayList<>();
        for (int i = 0; i < 32; i++)
        {
            seeds.add(FrameStreams.concat(FrameStreams.frames(random, 1 + random.nextInt(8), 120)));
        }
        final ByteMutator mutator = new ByteMutator(0x5EED_0F2AL, seeds, 2048);
        final long deadlineNs = System.nanoTime() + BUDGET_NS;
        int iterations = 0;
        int bad = 0;
        int framesSeen = 0;
        while (System.nanoTime() < deadlineNs && iterations < 200_000)
        {
            final byte[] bytes = mutator.next();
            final FrameReaderHarness.Outcome outcome = checkSameAsOneRead(bytes, mutator.random().nextLong());
            bad += outcome.badFraming() ? 1 : 0;
            framesSeen += outcome.frames().size();
            iterations++;
        }
        System.out.println("frame reader fuzz: iterations=" + iterations + " badFraming=" + bad +
            " frames=" + framesSeen);
        assertThat(iterations).isGreaterThan(1_000);
        assertThat(bad).isGreaterThan(iterations / 20).isLessThan(iterations);
    }

    @Test
    void shouldReportBadFramingWhenALengthFieldBecomesWholeAtTheEndOfARead()
    {
        // Found by the mutation run: a bad frame_length completed by a later read went unnoticed until more bytes came.
        final byte[] frame = FrameStreams.frames(new SplittableRandom(1), 1, 0).get(0);
        final byte[] bytes = Arrays.copyOf(frame, frame.length + 4);
        Arrays.fill(bytes, frame.length, bytes.length, (byte)0xFF);

        for (int firstRead = frame.length + 1; firstRead < bytes.length; firstRead++)
        {
            final FrameReaderHarness.Outcome outcome = harness.reads(bytes, firstRead, bytes.length - firstRead);
            assertThat(outcome.badFraming()).as("first read %d bytes", firstRead).isTrue();
            assertThat(outcome.frames()).hasSize(1);
        }
        assertThat(harness.oneRead(bytes).badFraming()).isTrue();
    }

    @Test
    void shouldNeverHandOutAHeaderOnlyFrameWithBadFlagsWhateverTheReadSizes()
    {
        // Found by the mutation run: an ACK-length frame completed by a later read was handed out unvalidated.
        for (int flaw = 0; flaw < 3; flaw++)
        {
            final byte[] bytes = FrameStreams.concat(List.of(ack(9), ack(10)));
            switch (flaw)
            {
                case 0 -> bytes[FrameDescriptor.HEADER_LENGTH + FrameDescriptor.FLAGS_FIELD_OFFSET] = 1;
                case 1 -> bytes[FrameDescriptor.HEADER_LENGTH + FrameDescriptor.RESERVED_FIELD_OFFSET] = 1;
                default -> bytes[FrameDescriptor.HEADER_LENGTH + FrameDescriptor.KIND_FIELD_OFFSET] = 9;
            }
            for (int firstRead = 1; firstRead < bytes.length; firstRead++)
            {
                final FrameReaderHarness.Outcome outcome = harness.reads(bytes, firstRead, bytes.length - firstRead);
                assertThat(outcome.badFraming()).as("flaw %d, first read %d bytes", flaw, firstRead).isTrue();
                assertThat(outcome.frames()).as("flaw %d, first read %d bytes", flaw, firstRead).hasSize(1);
            }
        }
    }

    private static byte[] ack(final long correlationId)
    {
        final byte[] frame = new byte[FrameDescriptor.HEADER_LENGTH];
        new FrameFlyweight().wrap(new UnsafeBuffer(frame), 0).writeAck(correlationId);
        return frame;
    }

    @FuzzTest(maxDuration = "5m")
    void fuzzFrameReader(final FuzzedDataProvider data)
    {
        final long seed = data.consumeLong();
        checkSameAsOneRead(data.consumeRemainingAsBytes(), seed);
    }

    private FrameReaderHarness.Outcome checkSameAsOneRead(final byte[] bytes, final long seed)
    {
        final FrameReaderHarness.Outcome reference = harness.oneRead(bytes);
        final FrameReaderHarness.Outcome split = harness.randomReads(bytes, new SplittableRandom(seed), 4);
        final String input = HexFormat.of().formatHex(bytes) + " seed " + seed;
        assertThat(split.badFraming()).as(input).isEqualTo(reference.badFraming());
        assertThat(hex(split.frames())).as(input).containsExactlyElementsOf(hex(reference.frames()));
        assertThat(split.pendingBytes()).as(input).isEqualTo(reference.pendingBytes());
        for (final byte[] frame : reference.frames())
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(frame);
            assertThat(FrameFlyweight.validateHeader(buffer, 0, MAX_FRAME_LENGTH_FIELD)).as(input)
                .isEqualTo(ErrorCode.NONE);
            assertThat(new FrameFlyweight().wrap(buffer, 0).encodedLength()).as(input).isEqualTo(frame.length);
        }
        return reference;
    }

    private static List<String> hex(final List<byte[]> frames)
    {
        return frames.stream().map(HexFormat.of()::formatHex).toList();
    }
}
