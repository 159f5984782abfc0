/**
 * The QUIC client: {@link io.vshard.transport.client.QuicClient} keeps one connection with long-lived streams to a
 * node, pipelines frames written by application threads, batches them per stream on its I/O thread, matches answers
 * by correlation id and delivers them to an {@link io.vshard.transport.client.AnswerListener} (no allocation) or a
 * {@link java.util.concurrent.CompletableFuture} (convenience). It reconnects with backoff; requests pending on a
 * lost connection fail, they are never re-sent.
 */
package io.vshard.transport.client;
