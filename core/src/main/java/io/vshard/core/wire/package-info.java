/**
 * The wire format: NodeDB cluster wire v2 envelopes and this project's QUIC frames.
 * <p>
 * Flyweights ({@link io.vshard.core.wire.EnvelopeFlyweight}, {@link io.vshard.core.wire.FrameFlyweight}) read and
 * write the bytes in place over Agrona buffers without allocating; the layout arithmetic lives in
 * {@link io.vshard.core.wire.EnvelopeDescriptor} and {@link io.vshard.core.wire.FrameDescriptor}.
 * {@link io.vshard.core.wire.VShardEnvelope} is the owned value type for code off the hot path.
 */
package io.vshard.core.wire;
