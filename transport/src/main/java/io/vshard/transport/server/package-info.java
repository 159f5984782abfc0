/**
 * The QUIC server: {@link io.vshard.transport.server.QuicServer} binds one UDP socket per I/O thread, admits
 * connections of the cluster only, cuts each stream's bytes into frames that go straight into the pipeline's lane
 * slots, stops reading a stream while its lane is full, and writes the lanes' answers back in batches.
 * <p>
 * Threading: each connection and its streams live on one I/O thread (a Netty event loop) together with that thread's
 * {@link io.vshard.core.reply.OutboundQueue} of replies; lane threads only write into the queue and wake the loop.
 */
package io.vshard.transport.server;
