/**
 * The QUIC path measured end to end: envelopes through a whole node over loopback ({@link
 * io.vshard.bench.quic.QuicEndToEnd}) against bare Netty QUIC moving frames of the same size ({@link
 * io.vshard.bench.quic.BareQuic}) in the same run.
 */
package io.vshard.bench.quic;
