package io.vshard.core.flow;

import io.vshard.core.pipeline.Pipeline;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared result vocabulary: distinct negative values, each with its own name, and the aliases of the API surfaces
 * that use it.
 */
class FlowResultTest
{
    private static final int[] ALL = { FlowResult.NOT_CONNECTED, FlowResult.BACK_PRESSURED, FlowResult.CLOSED,
        FlowResult.TIMED_OUT, FlowResult.CONNECTION_CLOSED };

    @Test
    void shouldGiveEachConditionADistinctNegativeValueAndName()
    {
        final Set<Integer> values = new java.util.HashSet<>();
        final Set<String> names = new java.util.HashSet<>();
        for (final int result : ALL)
        {
            assertThat(result).isNegative();
            assertThat(FlowResult.isFlowCondition(result)).isTrue();
            values.add(result);
            names.add(FlowResult.name(result));
        }
        assertThat(values).hasSize(ALL.length);
        assertThat(names).hasSize(ALL.length).doesNotContain("OK", "UNKNOWN");
        assertThat(FlowResult.name(FlowResult.BACK_PRESSURED)).isEqualTo("BACK_PRESSURED");
    }

    @Test
    void shouldNameSuccessAndUnknownValues()
    {
        assertThat(FlowResult.name(0)).isEqualTo("OK");
        assertThat(FlowResult.name(42L)).isEqualTo("OK");
        assertThat(FlowResult.name(-99)).isEqualTo("UNKNOWN");
        assertThat(FlowResult.name(Long.MIN_VALUE)).isEqualTo("UNKNOWN");
        assertThat(FlowResult.isFlowCondition(0)).isFalse();
        assertThat(FlowResult.isFlowCondition(-99)).isFalse();
    }

    @Test
    void shouldBeWhatThePipelineAnswers()
    {
        assertThat(Pipeline.BACK_PRESSURED).isEqualTo(FlowResult.BACK_PRESSURED);
        assertThat(Pipeline.CLOSED).isEqualTo(FlowResult.CLOSED);
        assertThat(Pipeline.ACCEPTED).isZero();
    }
}
