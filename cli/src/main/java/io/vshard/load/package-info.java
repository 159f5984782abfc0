/**
 * The load generator behind {@code vshard load} and {@code vshard demo}: paced or flow-controlled sending over the
 * client, latency histograms (HdrHistogram) corrected for coordinated omission when a rate is set, and summaries.
 */
package io.vshard.load;
