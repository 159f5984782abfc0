package io.vshard.examples.timeseries;

import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.transport.client.Answer;
import io.vshard.transport.client.AnswerListener;
import io.vshard.transport.client.QuicClient;
import org.agrona.concurrent.UnsafeBuffer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The coordinator side of a timeseries query: scatter a TsScatterRequest to every vshard's node, gather exactly one
 * TsScatterResponse per vshard within a timeout, and merge the partial aggregates. A missing, refused or duplicate
 * answer fails the whole query with a {@link ScatterGatherException}: never a silent partial result.
 * Control path: allocates; any thread.
 */
public final class TimeseriesCoordinator
{
    private final long selfNodeId;
    private final Map<Long, QuicClient> clientsByNode;
    private final Duration timeout;

    /**
     * A coordinator.
     *
     * @param selfNodeId    this node's id: the source of the requests, as in its certificate.
     * @param clientsByNode a connected client per node id.
     * @param timeout       for the whole gather.
     */
    public TimeseriesCoordinator(
        final long selfNodeId, final Map<Long, QuicClient> clientsByNode, final Duration timeout)
    {
        this.selfNodeId = selfNodeId;
        this.clientsByNode = Map.copyOf(clientsByNode);
        this.timeout = timeout;
    }

    /**
     * Query every vshard of a placement and merge the answers.
     *
     * @param placement node id per vshard.
     * @param startMs   first timestamp included.
     * @param endMs     first timestamp excluded.
     * @param bucketMs  bucket width.
     * @return the merged aggregate.
     * @throws ScatterGatherException naming every vshard that did not answer exactly once with a response.
     */
    public BucketAggregate query(
        final Map<Integer, Long> placement, final long startMs, final long endMs, final long bucketMs)
    {
        final byte[] payload = new byte[TsPayloads.SCATTER_REQUEST_LENGTH];
        TsPayloads.putScatterRequest(new UnsafeBuffer(payload), 0, startMs, endMs, bucketMs);
        final Map<Long, Long> unmatchedBefore = new TreeMap<>();
        clientsByNode.forEach((node, client) -> unmatchedBefore.put(node, client.unmatchedAnswers()));
        final Map<Integer, CompletableFuture<Answer>> pending = new TreeMap<>();
        for (final Map.Entry<Integer, Long> shard : placement.entrySet())
        {
            final QuicClient client = clientsByNode.get(shard.getValue());
            if (null == client)
            {
                throw new IllegalArgumentException("no client for node " + shard.getValue());
            }
            pending.put(shard.getKey(), client.request(0, VShardEnvelope.of(
                MessageType.TsScatterRequest, selfNodeId, shard.getValue(), shard.getKey(), payload)));
        }

        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        final BucketAggregate merged = new BucketAggregate();
        final List<String> failures = new ArrayList<>();
        for (final Map.Entry<Integer, CompletableFuture<Answer>> entry : pending.entrySet())
        {
            final int vshard = entry.getKey();
            final long node = placement.get(vshard);
            try
            {
                final Answer answer = entry.getValue().get(
                    Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
                final String problem = check(answer, vshard, node);
                if (null != problem)
                {
                    failures.add("vshard " + vshard + " on node " + node + ": " + problem);
                    continue;
                }
                final byte[] partial = answer.envelope().payload();
                TsPayloads.mergeScatterResponse(new UnsafeBuffer(partial), 0, partial.length, merged);
            }
            catch (final TimeoutException ex)
            {
                failures.add("vshard " + vshard + " on node " + node + ": no answer within " + timeout.toMillis() +
                    " ms");
            }
            catch (final ExecutionException ex)
            {
                failures.add("vshard " + vshard + " on node " + node + ": " + ex.getCause().getMessage());
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new ScatterGatherException("interrupted while gathering");
            }
            catch (final IllegalArgumentException ex)
            {
                failures.add("vshard " + vshard + " on node " + node + ": " + ex.getMessage());
            }
        }
        clientsByNode.forEach((node, client) ->
        {
            final long extra = client.unmatchedAnswers() - unmatchedBefore.get(node);
            if (extra > 0)
            {
                failures.add("node " + node + ": " + extra + " duplicate or late answers");
            }
        });
        if (!failures.isEmpty())
        {
            throw new ScatterGatherException("scatter/gather failed for " + failures.size() + " of " +
                placement.size() + " vshards: " + String.join("; ", failures));
        }
        return merged;
    }

    private static String check(final Answer answer, final int vshard, final long node)
    {
        switch (answer.kind())
        {
            case FrameDescriptor.KIND_RESPONSE:
                final VShardEnvelope reply = answer.envelope();
                if (MessageType.TsScatterResponse != reply.msgType())
                {
                    return "unexpected reply type " + reply.msgType();
                }
                if (reply.vshardId() != vshard || reply.sourceNode() != node)
                {
                    return "reply for vshard " + reply.vshardId() + " from node " + reply.sourceNode();
                }
                return null;
            case FrameDescriptor.KIND_ERROR:
                final ErrorCode code = ErrorCode.get(answer.errorCode());
                return "error " + (null == code ? answer.errorCode() : code.name());
            case FrameDescriptor.KIND_ACK:
                return "acknowledged without partials";
            case AnswerListener.TIMED_OUT:
                return "timed out";
            case AnswerListener.CONNECTION_CLOSED:
                return "connection closed before the answer";
            default:
                return "unknown outcome " + answer.kind();
        }
    }
}
