/**
 * The pipeline: per-lane Disruptor rings of pre-allocated off-heap slots, one consumer thread per lane calling the
 * handler registered for each envelope's {@link io.vshard.core.dispatch.DispatchTarget}, and the reply path back to
 * where the envelope came from.
 * <p>
 * Threading: any thread may {@link io.vshard.core.pipeline.Pipeline#offer offer} (I/O threads, in-process callers);
 * each lane has one consumer thread, optionally pinned to a CPU; replies are written by lane threads into a
 * {@link io.vshard.core.reply.ReplyDestination}, which the transport drains on its own threads.
 */
package io.vshard.core.pipeline;
