/**
 * The report of a benchmark run: {@link io.vshard.bench.report.Report} reads the JMH JSON files and the latency
 * {@code .hgrm} files of a results directory and writes a Markdown summary (tables, ratios against the baselines,
 * the bars of issue #3) and PNG plots drawn with Java2D, so it runs wherever a JDK does.
 */
package io.vshard.bench.report;
