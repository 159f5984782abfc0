/**
 * The node: the one object a shard process embeds. It owns the pipeline, the QUIC server and the clients used to
 * reach other nodes, and closes them in order with the drain. The command line's {@code vshard node} is one user
 * of it.
 */
package io.vshard.node;
