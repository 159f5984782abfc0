/**
 * The wire codec on one thread, in nanoseconds per operation: envelope decode (validate and read every header field)
 * and encode, frame decode, and the dispatch look-up from wire code to target.
 */
package io.vshard.bench.codec;
