package io.vshard.core.wire;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vshard.core.fuzz.ByteMutator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzing of the frame and envelope decoders against {@link WireInvariants}.
 * <p>
 * The {@code should...} tests are a short, deterministic, seeded mutation run (a few seconds) that is part of every
 * build. The {@link FuzzTest}s are Jazzer's coverage-guided fuzz targets: a normal build runs them over their seed
 * corpus ({@code WireFuzzTestInputs/} in the test resources, made from the shared vectors); with {@code JAZZER_FUZZ=1}
 * they fuzz (see RELIABILITY.md for the command). A crash Jazzer finds is written to that directory, and so becomes a
 * regression input of every later build.
 */
class WireFuzzTest
{
    private static final long SEED = 0x5EED_0008L;
    private static final int MAX_ITERATIONS = 400_000;
    private static final long BUDGET_NS = TimeUnit.SECONDS.toNanos(3);

    @Test
    @Timeout(30)
    void shouldKeepDecoderInvariantsOnSeededMutationsOfTheVectors()
    {
        final ByteMutator mutator = new ByteMutator(SEED, seeds(), 256);
        final TreeMap<Integer, Integer> envelopeOutcomes = new TreeMap<>();
        final TreeMap<Integer, Integer> frameOutcomes = new TreeMap<>();
        final long deadlineNs = System.nanoTime() + BUDGET_NS;
        int iterations = 0;
        while (iterations < MAX_ITERATIONS && System.nanoTime() < deadlineNs)
        {
            final byte[] input = mutator.next();
            envelopeOutcomes.merge(WireInvariants.checkEnvelope(input), 1, Integer::sum);
            frameOutcomes.merge(WireInvariants.checkFrame(input), 1, Integer::sum);
            iterations++;
        }

        System.out.println("wire fuzz: iterations=" + iterations + " envelope outcomes=" + envelopeOutcomes +
            " frame outcomes=" + frameOutcomes);
        assertThat(iterations).isGreaterThan(10_000);
        // The run must reach every outcome, or it explores too little to mean anything.
        assertThat(envelopeOutcomes).containsKeys(ErrorCode.NONE, ErrorCode.MALFORMED.value(),
            ErrorCode.UNSUPPORTED_VERSION.value(), ErrorCode.UNKNOWN_TYPE.value(), ErrorCode.TOO_LARGE.value());
        assertThat(frameOutcomes).containsKeys(ErrorCode.NONE, ErrorCode.MALFORMED.value(),
            ErrorCode.UNSUPPORTED_VERSION.value(), ErrorCode.UNKNOWN_TYPE.value());
    }

    @Test
    void shouldKeepDecoderInvariantsOnEveryVector()
    {
        for (final byte[] seed : seeds())
        {
            WireInvariants.checkEnvelope(seed);
            WireInvariants.checkFrame(seed);
        }
    }

    @FuzzTest(maxDuration = "5m")
    void fuzzEnvelopeDecoders(final FuzzedDataProvider data)
    {
        WireInvariants.checkEnvelope(data.consumeRemainingAsBytes());
    }

    @FuzzTest(maxDuration = "5m")
    void fuzzFrameDecoders(final FuzzedDataProvider data)
    {
        WireInvariants.checkFrame(data.consumeRemainingAsBytes());
    }

    /**
     * Every vector, and every valid envelope vector also wrapped in an ENVELOPE frame.
     */
    static List<byte[]> seeds()
    {
        final List<byte[]> seeds = new ArrayList<>();
        for (final WireVectors.Vector vector : WireVectors.envelopes())
        {
            seeds.add(vector.bytes());
            if (vector.ok())
            {
                seeds.add(envelopeFrame(77, vector.bytes()));
            }
        }
        for (final WireVectors.Vector vector : WireVectors.frames())
        {
            seeds.add(vector.bytes());
        }
        return seeds;
    }

    private static byte[] envelopeFrame(final long correlationId, final byte[] envelope)
    {
        return ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH + envelope.length).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(FrameDescriptor.MIN_FRAME_LENGTH + envelope.length)
            .put(FrameDescriptor.KIND_ENVELOPE).put((byte)0).putShort((short)0)
            .putLong(correlationId)
            .put(envelope)
            .array();
    }
}
