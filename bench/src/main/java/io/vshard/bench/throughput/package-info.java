/**
 * Throughput: producers offer as fast as the consumer takes, and each reports the envelopes of its own that were
 * handled per second ({@code :handled}), beside back-pressured retries ({@code :backPressured}). Read every figure
 * against the {@link io.vshard.bench.baseline} benchmarks of the same run.
 */
package io.vshard.bench.throughput;
