/**
 * Live counters in a memory-mapped file (Agrona {@link org.agrona.concurrent.status.CountersManager}), written by
 * the node's threads and read by any process, the way AeronStat reads Aeron's counters.
 */
package io.vshard.core.status;
