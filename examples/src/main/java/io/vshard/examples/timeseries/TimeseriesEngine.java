package io.vshard.examples.timeseries;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.pipeline.EnvelopeHandler;
import io.vshard.core.pipeline.PipelineContext;
import io.vshard.core.pipeline.Reply;
import io.vshard.core.wire.EnvelopeView;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.MessageType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The example timeseries engine: answers TsScatterRequest with partial aggregates per bucket and TsRetentionCommand
 * with a TsRetentionAck. Scans allocate nothing: a first pass counts the buckets so the reply can be claimed at its
 * exact size, a second writes them in place.
 */
public final class TimeseriesEngine
{
    private final TimeseriesStore store;
    private final EnvelopeHandler scanHandler = this::onScatterRequest;
    private final EnvelopeHandler retentionHandler = this::onRetentionCommand;

    /**
     * An engine over a store.
     *
     * @param store the data.
     */
    public TimeseriesEngine(final TimeseriesStore store)
    {
        this.store = store;
    }

    /**
     * Register the engine's handlers for {@link DispatchTarget#TimeseriesScan} and
     * {@link DispatchTarget#TimeseriesRetention}.
     *
     * @param ctx the pipeline's context.
     * @return the context.
     */
    public PipelineContext register(final PipelineContext ctx)
    {
        return ctx.handler(DispatchTarget.TimeseriesScan, scanHandler)
            .handler(DispatchTarget.TimeseriesRetention, retentionHandler);
    }

    private void onScatterRequest(final EnvelopeView envelope, final Reply reply)
    {
        final DirectBuffer payload = envelope.payloadBuffer();
        final int offset = envelope.payloadOffset();
        if (TsPayloads.SCATTER_REQUEST_LENGTH != envelope.payloadLength())
        {
            reply.error(ErrorCode.HANDLER_FAILED, "TsScatterRequest payload must be 24 bytes");
            return;
        }
        final long startMs = TsPayloads.requestStartMs(payload, offset);
        final long endMs = TsPayloads.requestEndMs(payload, offset);
        final long bucketMs = TsPayloads.requestBucketMs(payload, offset);
        if (bucketMs <= 0 || endMs < startMs)
        {
            reply.error(ErrorCode.HANDLER_FAILED, "TsScatterRequest needs bucket_ms > 0 and end_ms >= start_ms");
            return;
        }
        final TimeseriesStore.Series series = store.series(envelope.vshardId());
        if (null == series)
        {
            reply.error(ErrorCode.HANDLER_FAILED, "vshard not held by this node");
            return;
        }

        final int from = series.firstIndexAtOrAfter(startMs);
        int to = from;
        int buckets = 0;
        long bucket = Long.MIN_VALUE;
        while (to < series.length() && series.timestampMs(to) < endMs)
        {
            final long b = TimeseriesStore.bucketStart(series.timestampMs(to), bucketMs);
            if (b != bucket)
            {
                bucket = b;
                buckets++;
            }
            to++;
        }

        final MutableDirectBuffer out = reply.claim(
            MessageType.TsScatterResponse, TsPayloads.scatterResponseLength(buckets));
        final int outOffset = reply.payloadOffset();
        out.putInt(outOffset, buckets, LITTLE_ENDIAN);
        int written = 0;
        int i = from;
        while (i < to)
        {
            final long b = TimeseriesStore.bucketStart(series.timestampMs(i), bucketMs);
            long count = 0;
            double sum = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            while (i < to && TimeseriesStore.bucketStart(series.timestampMs(i), bucketMs) == b)
            {
                final double v = series.value(i++);
                count++;
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            TsPayloads.putBucket(out, TsPayloads.bucketOffset(outOffset, written++), b, count, sum, min, max);
        }
        reply.commit();
    }

    private void onRetentionCommand(final EnvelopeView envelope, final Reply reply)
    {
        if (TsPayloads.RETENTION_COMMAND_LENGTH != envelope.payloadLength())
        {
            reply.error(ErrorCode.HANDLER_FAILED, "TsRetentionCommand payload must be 8 bytes");
            return;
        }
        final TimeseriesStore.Series series = store.series(envelope.vshardId());
        if (null == series)
        {
            reply.error(ErrorCode.HANDLER_FAILED, "vshard not held by this node");
            return;
        }
        final long beforeMs = envelope.payloadBuffer().getLong(envelope.payloadOffset(), LITTLE_ENDIAN);
        final int dropped = series.dropBefore(beforeMs);
        final MutableDirectBuffer out = reply.claim(MessageType.TsRetentionAck, TsPayloads.RETENTION_ACK_LENGTH);
        out.putLong(reply.payloadOffset(), dropped, LITTLE_ENDIAN);
        out.putLong(reply.payloadOffset() + 8, series.retained(), LITTLE_ENDIAN);
        reply.commit();
    }
}
