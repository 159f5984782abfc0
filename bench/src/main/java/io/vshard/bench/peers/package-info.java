/**
 * What users would pick instead of vshard, measured in the same run with the same payloads (issue #16): gRPC-java over
 * mutual TLS ({@link io.vshard.bench.peers.GrpcEcho}: bidi-streaming echo pipelined under gRPC's flow control,
 * blocking unary, callback-driven bidi ping-pong) and Aeron over UDP unicast with an embedded media driver
 * ({@link io.vshard.bench.peers.AeronEcho}: pipelined echo and ping-pong; Aeron does not encrypt, so it is the
 * unencrypted ceiling, not a like-for-like peer). Figures are read beside {@code QuicEndToEnd}'s by the report.
 * <p>
 * The only vshard classes used here are the certificate authority and trust manager, in {@link
 * io.vshard.bench.peers.PeerTls}, so that the gRPC peer pays for the same mutual TLS as the node.
 */
package io.vshard.bench.peers;
