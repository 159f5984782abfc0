package io.vshard.transport.hardening;

import io.vshard.core.pipeline.EnvelopeHandler;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Engine handlers for the hardening tests.
 */
public final class Handlers
{
    private Handlers()
    {
    }

    /**
     * Answers every envelope with a reply of the same type and payload.
     *
     * @return the handler.
     */
    public static EnvelopeHandler echo()
    {
        return (envelope, reply) -> reply.respond(
            envelope.messageType(), envelope.payloadBuffer(), envelope.payloadOffset(), envelope.payloadLength());
    }

    /**
     * An echo that takes its time: parks for a while before answering, as a slow engine would.
     *
     * @param delayUs time per envelope.
     * @param handled counts envelopes handled.
     * @return the handler.
     */
    public static EnvelopeHandler slowEcho(final long delayUs, final AtomicLong handled)
    {
        final long delayNs = TimeUnit.MICROSECONDS.toNanos(delayUs);
        final EnvelopeHandler echo = echo();
        return (envelope, reply) ->
        {
            LockSupport.parkNanos(delayNs);
            handled.incrementAndGet();
            echo.onEnvelope(envelope, reply);
        };
    }
}
