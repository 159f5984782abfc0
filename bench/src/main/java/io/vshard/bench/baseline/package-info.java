/**
 * What the pipeline is read against, measured the same way: one producer thread reporting the messages of its own
 * that the consumer handled ({@code :handled}), the same ring size, a consumer thread waiting as a lane of the same
 * {@code waitStrategy} does, and a refused offer yielding then retrying, as the pipeline benchmarks do. A bare
 * Disruptor moving a long per event ({@link io.vshard.bench.baseline.DisruptorLongBaseline}), Agrona's
 * {@code OneToOneRingBuffer} copying 64-byte messages ({@link io.vshard.bench.baseline.AgronaOneToOneBaseline}),
 * and the naive port: heap envelope objects through an {@code ArrayBlockingQueue} with a {@code switch} dispatch
 * ({@link io.vshard.bench.baseline.AbqBaseline}).
 */
package io.vshard.bench.baseline;
