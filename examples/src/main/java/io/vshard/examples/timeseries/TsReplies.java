package io.vshard.examples.timeseries;

import io.vshard.core.wire.EnvelopeFlyweight;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import org.agrona.DirectBuffer;

/**
 * Whole timeseries reply envelopes, as an owned value (off the hot path) or written in place through an
 * {@link EnvelopeFlyweight} (no allocation). The payloads themselves are laid out by {@link TsPayloads}.
 * <p>
 * Stateless; any thread.
 */
public final class TsReplies
{
    private TsReplies()
    {
    }

    /**
     * A timeseries scatter response carrying partial aggregates.
     *
     * @param source   the answering node.
     * @param target   the coordinator.
     * @param vshardId the virtual shard scanned.
     * @param payload  the partials.
     * @return the envelope.
     */
    public static VShardEnvelope scatterResponse(
        final long source, final long target, final int vshardId, final byte[] payload)
    {
        return VShardEnvelope.of(MessageType.TsScatterResponse, source, target, vshardId, payload);
    }

    /**
     * A timeseries retention acknowledgement.
     *
     * @param source   the acknowledging node.
     * @param target   the coordinator.
     * @param vshardId the virtual shard trimmed.
     * @param payload  the acknowledgement body.
     * @return the envelope.
     */
    public static VShardEnvelope retentionAck(
        final long source, final long target, final int vshardId, final byte[] payload)
    {
        return VShardEnvelope.of(MessageType.TsRetentionAck, source, target, vshardId, payload);
    }

    /**
     * Write a whole timeseries scatter response (partial aggregates from a shard to the coordinator) where
     * {@code out} is wrapped.
     *
     * @param out           wrapped where the envelope goes, with room for the header and payload.
     * @param sourceNode    the answering node.
     * @param targetNode    the coordinator.
     * @param vshardId      the virtual shard scanned.
     * @param payload       holding the partials.
     * @param payloadOffset of the first byte.
     * @param payloadLength of the partials.
     * @return {@code out} for a fluent API.
     */
    public static EnvelopeFlyweight scatterResponse(
        final EnvelopeFlyweight out,
        final long sourceNode,
        final long targetNode,
        final int vshardId,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        return write(out, MessageType.TsScatterResponse, sourceNode, targetNode, vshardId, payload, payloadOffset,
            payloadLength);
    }

    /**
     * Write a whole timeseries retention acknowledgement where {@code out} is wrapped.
     *
     * @param out           wrapped where the envelope goes, with room for the header and payload.
     * @param sourceNode    the acknowledging node.
     * @param targetNode    the coordinator.
     * @param vshardId      the virtual shard trimmed.
     * @param payload       holding the acknowledgement body.
     * @param payloadOffset of the first byte.
     * @param payloadLength of the body.
     * @return {@code out} for a fluent API.
     */
    public static EnvelopeFlyweight retentionAck(
        final EnvelopeFlyweight out,
        final long sourceNode,
        final long targetNode,
        final int vshardId,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        return write(out, MessageType.TsRetentionAck, sourceNode, targetNode, vshardId, payload, payloadOffset,
            payloadLength);
    }

    private static EnvelopeFlyweight write(
        final EnvelopeFlyweight out,
        final MessageType type,
        final long sourceNode,
        final long targetNode,
        final int vshardId,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        return out.header(type.code(), sourceNode, targetNode, vshardId, payloadLength)
            .payload(payload, payloadOffset, payloadLength);
    }
}
