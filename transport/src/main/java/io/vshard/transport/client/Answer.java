package io.vshard.transport.client;

import io.vshard.core.wire.VShardEnvelope;

/**
 * A request's outcome as a value, for the {@link java.util.concurrent.CompletableFuture} API. Immutable.
 *
 * @param correlationId the request's id.
 * @param kind          as in {@link AnswerListener#onAnswer}.
 * @param errorCode     the error code of an ERROR answer, else 0.
 * @param envelope      the reply envelope of a RESPONSE, else {@code null}.
 */
public record Answer(long correlationId, int kind, int errorCode, VShardEnvelope envelope)
{
}
