/**
 * The QUIC transport: configuration ({@link io.vshard.transport.CommonContext} with
 * {@link io.vshard.transport.ServerContext} and {@link io.vshard.transport.ClientContext}), the native QUIC check and
 * event-loop plumbing shared by the server and the client, and the transport's counters.
 * <p>
 * Sub-packages: {@code tls} (certificates and node identity), {@code server} (frames into the pipeline, replies out),
 * {@code client} (pipelined requests with answers matched by correlation id).
 */
package io.vshard.transport;
