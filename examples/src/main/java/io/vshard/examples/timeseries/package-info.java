/**
 * Example engines, clearly examples and not a database: an in-memory timeseries per vshard that answers scatter
 * scans with partial aggregates per bucket and trims on retention commands, and the coordinator side that scatters a
 * query to several nodes, gathers every answer and merges the partials.
 * <p>
 * Payloads, all little-endian:
 * <pre>
 * TsScatterRequest   : i64 start_ms, i64 end_ms (exclusive), i64 bucket_ms                     (24 bytes)
 * TsScatterResponse  : u32 bucket_count, then per non-empty bucket, in time order:
 *                      i64 bucket_start_ms, i64 count, f64 sum, f64 min, f64 max              (4 + 40n bytes)
 * TsRetentionCommand : i64 before_ms: drop points older than this                             (8 bytes)
 * TsRetentionAck     : i64 dropped, i64 remaining                                             (16 bytes)
 * </pre>
 */
package io.vshard.examples.timeseries;
