package io.vshard.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs every benchmark of the jar once, briefly, in one fork with the flags of its {@code @Fork}, so that none rots:
 * it asserts that each ran and produced a score, never how fast. Benchmarks added later (the QUIC ones) are picked
 * up by the pattern; {@code -Dvshard.bench.smoke.exclude=REGEX} leaves some out. One payload size and the batched
 * offer keep it short (the latency benchmark covers the single offer), and so do one stream, one lane and one
 * offered rate (each of the latency harness's rings still runs). The Aeron peer's threads sleep when idle instead of
 * yielding, so that the run never spins on a shared machine.
 */
class BenchmarksSmokeTest
{
    private static final String INCLUDE = "io\\.vshard\\.bench\\..*";
    private static final String EXCLUDE = System.getProperty("vshard.bench.smoke.exclude", "");

    @Test
    void shouldRunEveryBenchmarkOnce() throws RunnerException
    {
        final OptionsBuilder builder = new OptionsBuilder();
        builder.include(INCLUDE)
            .forks(1)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(100))
            .param("payloadBytes", "64")
            .param("offerBatch", "64")
            .param("payload", "64")
            .param("streams", "1")
            .param("lanes", "1")
            .param("ratePerSecond", "100000")
            .param("idle", "sleeping")
            .jvmArgsPrepend(
                "-D" + BenchJvm.SMOKE_PROP_NAME + "=true",
                "-D" + BenchJvm.RESULTS_DIR_PROP_NAME + "=target/smoke-results")
            .shouldFailOnError(true)
            .verbosity(VerboseMode.SILENT);
        if (!EXCLUDE.isEmpty())
        {
            builder.exclude(EXCLUDE);
        }
        final Options options = builder.build();

        final Collection<RunResult> results = new Runner(options).run();

        final Set<String> expected = benchmarks();
        final Set<String> ran = results.stream()
            .filter((result) -> null != result.getPrimaryResult() && !Double.isNaN(result.getPrimaryResult().getScore()))
            .map((result) -> result.getParams().getBenchmark())
            .collect(Collectors.toSet());
        assertThat(expected).isNotEmpty();
        assertThat(ran).containsAll(expected);
    }

    private static Set<String> benchmarks()
    {
        final List<String> excludes = EXCLUDE.isEmpty() ? List.of() : List.of(EXCLUDE);
        final SortedSet<BenchmarkListEntry> entries = BenchmarkList.defaultList().find(
            OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT), List.of(INCLUDE), excludes);
        return entries.stream().map(BenchmarkListEntry::getUsername).collect(Collectors.toSet());
    }
}
