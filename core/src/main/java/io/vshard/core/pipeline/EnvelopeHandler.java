package io.vshard.core.pipeline;

import io.vshard.core.wire.EnvelopeView;

/**
 * The engine side of the pipeline: one handler is registered per {@link io.vshard.core.dispatch.DispatchTarget}.
 * <p>
 * Called on the lane thread of its target, one envelope at a time. The envelope view and the reply object are
 * reused: neither may be kept past the call. The handler answers in one of three ways, as the original
 * {@code HandleResult}: a reply envelope ({@link Reply#respond} or {@link Reply#claim} and {@link Reply#commit}),
 * nothing (the sender gets an ACK when it waits for an answer), or an error ({@link Reply#error}). A handler that
 * throws is answered HANDLER_FAILED, counted, and the lane goes on.
 */
@FunctionalInterface
public interface EnvelopeHandler
{
    /**
     * Handle one envelope.
     *
     * @param envelope the envelope, valid only during this call.
     * @param reply    the way to answer it, valid only during this call.
     * @throws Exception to fail the envelope with HANDLER_FAILED.
     */
    void onEnvelope(EnvelopeView envelope, Reply reply) throws Exception;
}
