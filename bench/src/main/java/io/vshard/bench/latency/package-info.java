/**
 * Latency at an offered rate: envelopes offered on a fixed schedule, each one's latency from its intended publish
 * time to its handler and to its reply recorded in HdrHistograms, written as {@code .hgrm} percentile files.
 */
package io.vshard.bench.latency;
