/**
 * JMH benchmarks of vshard and what they share: the fork flags every benchmark runs with ({@link
 * io.vshard.bench.BenchJvm}), envelope fixtures, a pipeline fixture, handled-envelope counters and the padded
 * single-writer counter they use.
 * <p>
 * Layout in the manner of JCTools' {@code jctools-benchmarks}: {@code throughput} (offered as fast as possible,
 * counted where handled), {@code latency} (offered at a fixed rate, recorded per envelope), {@code baseline} (the bare
 * rings and the naive queue that the pipeline is read against), {@code codec} (the flyweights and the dispatch
 * table) and {@code report} (the summary, ratios and plots made from a run's JSON).
 */
package io.vshard.bench;
