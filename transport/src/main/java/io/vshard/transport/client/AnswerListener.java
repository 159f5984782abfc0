package io.vshard.transport.client;

import io.vshard.core.flow.FlowResult;
import io.vshard.core.wire.EnvelopeView;

/**
 * Receives the outcome of every request, exactly once per correlation id. Called on the client's I/O thread: must not
 * block and must not keep the envelope view past the call. The kinds produced locally are negative values of the shared
 * {@link FlowResult} vocabulary, so they never collide with a frame kind.
 */
@FunctionalInterface
public interface AnswerListener
{
    /** Kind of an outcome produced locally: no answer came within the request timeout. */
    int TIMED_OUT = FlowResult.TIMED_OUT;

    /** Kind of an outcome produced locally: the connection or stream closed before an answer came. */
    int CONNECTION_CLOSED = FlowResult.CONNECTION_CLOSED;

    /**
     * One request's outcome.
     *
     * @param correlationId the id {@link QuicClient#request} returned.
     * @param kind          {@code FrameDescriptor.KIND_RESPONSE}, {@code KIND_ACK}, {@code KIND_ERROR},
     *                      {@link #TIMED_OUT} or {@link #CONNECTION_CLOSED}.
     * @param errorCode     the {@code ErrorCode.value()} of an ERROR answer, else 0. A RESPONSE that is not one valid
     *                      envelope (a broken or malicious server) comes as an ERROR with the validation code
     *                      ({@code MALFORMED}, {@code UNSUPPORTED_VERSION} or {@code UNKNOWN_TYPE}) and no envelope.
     * @param envelope      the reply envelope of a RESPONSE, valid during the call only; else {@code null}.
     */
    void onAnswer(long correlationId, int kind, int errorCode, EnvelopeView envelope);
}
