package io.vshard.core.pipeline;

import io.vshard.core.wire.EnvelopeDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.util.Properties;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PipelineContextTest
{
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 100, -4})
    void shouldRefuseARingSizeThatIsNotAPowerOfTwo(final int ringSize)
    {
        assertRefused((ctx) -> ctx.laneRingSize(ringSize), Configuration.LANE_RING_SIZE_PROP_NAME);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 32, 100, 255, -64})
    void shouldRefuseASlotLengthThatIsNotAMultipleOf64(final int slotLength)
    {
        assertRefused((ctx) -> ctx.slotLength(slotLength), Configuration.SLOT_LENGTH_PROP_NAME);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, EnvelopeDescriptor.MAX_PAYLOAD_LENGTH_LIMIT + 1, Integer.MAX_VALUE})
    void shouldRefuseAMaxPayloadOutside64MiB(final int maxPayloadLength)
    {
        assertRefused((ctx) -> ctx.maxPayloadLength(maxPayloadLength), Configuration.MAX_PAYLOAD_LENGTH_PROP_NAME);
    }

    @Test
    void shouldRefuseAResumeMarkAboveTheRingAndAnEmptyPool()
    {
        assertRefused((ctx) -> ctx.laneRingSize(64).laneResumeFreeSlots(65),
            Configuration.LANE_RESUME_FREE_SLOTS_PROP_NAME);
        assertRefused((ctx) -> ctx.spillPoolClassBytes(0), Configuration.SPILL_POOL_CLASS_BYTES_PROP_NAME);
    }

    @Test
    void shouldAcceptTheLimitsAndDeriveTheResumeMark()
    {
        final PipelineContext ctx = new PipelineContext()
            .laneRingSize(2)
            .slotLength(64)
            .maxPayloadLength(EnvelopeDescriptor.MAX_PAYLOAD_LENGTH_LIMIT)
            .conclude();

        assertThat(ctx.laneResumeFreeSlots()).as("half the ring by default").isEqualTo(1);
    }

    @Test
    void shouldApplyProperties()
    {
        final Properties properties = new Properties();
        properties.setProperty(Configuration.LANES_PROP_NAME, "Migration@1/blocking;*");
        properties.setProperty(Configuration.LANE_RING_SIZE_PROP_NAME, " 128 ");
        properties.setProperty(Configuration.SLOT_LENGTH_PROP_NAME, "512");
        properties.setProperty(Configuration.MAX_PAYLOAD_LENGTH_PROP_NAME, "1048576");
        properties.setProperty(Configuration.LANE_WAIT_STRATEGY_PROP_NAME, "yielding");
        properties.setProperty(Configuration.LANE_RESUME_FREE_SLOTS_PROP_NAME, "32");
        properties.setProperty(Configuration.SPILL_POOL_CLASS_BYTES_PROP_NAME, "4096");
        properties.setProperty(Configuration.DIR_PROP_NAME, "/tmp/vshard-test-dir");
        properties.setProperty("unrelated.key", "ignored");

        final PipelineContext ctx = new PipelineContext().apply(properties).conclude();

        assertThat(ctx.laneLayout().describe()).startsWith("Migration@1/blocking;");
        assertThat(ctx.laneRingSize()).isEqualTo(128);
        assertThat(ctx.slotLength()).isEqualTo(512);
        assertThat(ctx.maxPayloadLength()).isEqualTo(1 << 20);
        assertThat(ctx.waitStrategy()).isEqualTo(WaitStrategyKind.YIELDING);
        assertThat(ctx.laneResumeFreeSlots()).isEqualTo(32);
        assertThat(ctx.spillPoolClassBytes()).isEqualTo(4096);
        assertThat(ctx.dir()).isEqualTo(new File("/tmp/vshard-test-dir"));
    }

    @Test
    void shouldRefuseUnknownOrMalformedPipelineProperties()
    {
        assertThatThrownBy(() -> new PipelineContext().apply(properties("vshard.lane.ring.sise", "64")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("vshard.lane.ring.sise=64");
        assertThatThrownBy(() -> new PipelineContext().apply(properties(Configuration.SLOT_LENGTH_PROP_NAME, "big")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(Configuration.SLOT_LENGTH_PROP_NAME + "=big");
        assertThatThrownBy(() -> new PipelineContext().apply(properties(Configuration.LANES_PROP_NAME, "Ghost")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("target in no lane");
    }

    private static Properties properties(final String key, final String value)
    {
        final Properties properties = new Properties();
        properties.setProperty(key, value);
        return properties;
    }

    private static void assertRefused(final UnaryOperator<PipelineContext> setting, final String propertyName)
    {
        assertThatThrownBy(() -> setting.apply(new PipelineContext()).conclude())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(propertyName);
    }
}
