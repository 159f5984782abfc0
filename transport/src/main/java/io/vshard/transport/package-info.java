/**
 * The QUIC transport: configuration ({@link io.vshard.transport.TransportContext}), the native QUIC check and
 * event-loop plumbing shared by the server and the client, and the transport's counters.
 * <p>
 * Sub-packages: {@code tls} (certificates and node identity), {@code server} (frames into the pipeline, replies out),
 * {@code client} (pipelined requests with answers matched by correlation id).
 */
package io.vshard.transport;
