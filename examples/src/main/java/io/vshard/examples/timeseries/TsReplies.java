package io.vshard.examples.timeseries;

import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;

/**
 * Whole timeseries reply envelopes as owned values, off the hot path. On the hot path an engine claims the reply in
 * place with {@link io.vshard.core.pipeline.Reply#claim}, as {@link TimeseriesEngine} does. The payloads are laid
 * out by {@link TsPayloads}.
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
}
