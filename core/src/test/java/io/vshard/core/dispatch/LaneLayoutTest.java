package io.vshard.core.dispatch;

import io.vshard.core.pipeline.Configuration;
import io.vshard.core.pipeline.WaitStrategyKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LaneLayoutTest
{
    @Test
    void shouldParseTargetsCpusAndWaitStrategies()
    {
        final LaneLayout layout = LaneLayout.parse("TimeseriesScan,TimeseriesRetention@2;VectorSearch@3/busy-spin;*");

        assertThat(layout.laneCount()).isEqualTo(3);
        assertThat(layout.lanes().get(0)).isEqualTo(new LaneSpec(
            EnumSet.of(DispatchTarget.TimeseriesScan, DispatchTarget.TimeseriesRetention), 2, null));
        assertThat(layout.lanes().get(1)).isEqualTo(
            new LaneSpec(Set.of(DispatchTarget.VectorSearch), 3, WaitStrategyKind.BUSY_SPIN));
        assertThat(layout.lanes().get(2).targets()).hasSize(DispatchTarget.COUNT - 3)
            .doesNotContain(DispatchTarget.TimeseriesScan, DispatchTarget.TimeseriesRetention,
                DispatchTarget.VectorSearch);
        assertThat(layout.lanes().get(2).cpu()).isEqualTo(LaneSpec.NO_CPU);
        assertThat(layout.laneOf(DispatchTarget.TimeseriesRetention)).isZero();
        assertThat(layout.laneOf(DispatchTarget.VectorSearch)).isEqualTo(1);
        assertThat(layout.laneOf(DispatchTarget.Migration)).isEqualTo(2);
    }

    @Test
    void shouldPlaceEveryTargetInExactlyOneLane()
    {
        final LaneLayout layout = LaneLayout.parse(Configuration.LANES_DEFAULT);

        final EnumSet<DispatchTarget> seen = EnumSet.noneOf(DispatchTarget.class);
        for (final LaneSpec lane : layout.lanes())
        {
            for (final DispatchTarget target : lane.targets())
            {
                assertThat(seen.add(target)).as("%s in two lanes", target).isTrue();
            }
        }
        assertThat(seen).containsExactlyInAnyOrder(DispatchTarget.values());
    }

    @Test
    void shouldReadItsOwnDescriptionBack()
    {
        final LaneLayout layout = LaneLayout.parse(" ghost , migration @1 / blocking ; * /sleeping");

        assertThat(LaneLayout.parse(layout.describe()).lanes()).isEqualTo(layout.lanes());
        assertThat(layout.lanes().get(0).waitStrategy()).isEqualTo(WaitStrategyKind.BLOCKING);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "GraphBsp;GraphBsp;*                 | target in two lanes: target=GraphBsp",
        "GraphBsp,Ghost;Ghost;*              | target in two lanes: target=Ghost",
        "GraphBsp                            | target in no lane",
        "*;*                                 | '*' used twice",
        "GraphBsp;;*                         | empty lane",
        "NoSuchTarget;*                      | unknown dispatch target: name=NoSuchTarget",
        "GraphBsp@x;*                        | bad cpu in lane: lane=GraphBsp@x",
        "GraphBsp@-2;*                       | cpu must be >= 0",
        "GraphBsp/fast;*                     | unknown wait strategy: value=fast",
    })
    void shouldRefuseABadLayoutNamingWhatIsWrong(final String text, final String message)
    {
        assertThatThrownBy(() -> LaneLayout.parse(text))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(message);
    }

    @Test
    void shouldRefuseAWildcardWithNothingLeft()
    {
        final StringBuilder all = new StringBuilder();
        for (final DispatchTarget target : DispatchTarget.values())
        {
            all.append(all.length() > 0 ? "," : "").append(target.name());
        }

        assertThat(LaneLayout.parse(all.toString()).laneCount()).isEqualTo(1);
        assertThatThrownBy(() -> LaneLayout.parse(all + ";*"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("no targets left");
    }
}
