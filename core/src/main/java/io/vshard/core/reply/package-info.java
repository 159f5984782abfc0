/**
 * Where answers go once a handler has written them: a {@link io.vshard.core.reply.ReplyDestination} per source of
 * envelopes. The transport drains an {@link io.vshard.core.reply.OutboundQueue} (a many-to-one ring written by lane
 * threads, read by one I/O thread); an in-process caller gets its answer through a
 * {@link io.vshard.core.reply.CallbackReplyDestination} calling its {@link io.vshard.core.reply.ReplyCallback} on the
 * lane thread. {@link io.vshard.core.reply.ReplyClaim} is a claimed region of a destination a handler writes its
 * reply into in place.
 */
package io.vshard.core.reply;
