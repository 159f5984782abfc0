package io.vshard.examples;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.pipeline.EnvelopeHandler;
import io.vshard.core.pipeline.PipelineContext;
import io.vshard.core.pipeline.Reply;
import io.vshard.core.wire.EnvelopeView;
import io.vshard.core.wire.MessageType;

/**
 * An example engine for every target: a request type ({@code ...Request}, {@code ...Req}, {@code ...Command}) is
 * answered with its response type ({@code ...Response}, {@code ...Resp}, {@code ...Ack}) carrying the request's
 * payload back; other types (events, acknowledgements, chunks) get no reply, so the sender sees an ACK.
 * Allocates nothing per envelope.
 */
public final class EchoEngine implements EnvelopeHandler
{
    private final MessageType[] replyTypeByCode = new MessageType[MessageType.CODE_LIMIT];

    /**
     * An engine with the reply table built from the type names.
     */
    public EchoEngine()
    {
        for (final MessageType type : MessageType.values())
        {
            replyTypeByCode[type.code()] = replyType(type);
        }
    }

    /**
     * Register this engine for every target, then return the context for further registrations (which replace it).
     *
     * @param ctx the pipeline's context.
     * @return the context.
     */
    public PipelineContext registerForAllTargets(final PipelineContext ctx)
    {
        for (final DispatchTarget target : DispatchTarget.values())
        {
            ctx.handler(target, this);
        }
        return ctx;
    }

    /**
     * The type this engine answers a type with.
     *
     * @param type a request type or not.
     * @return the response type, or {@code null} when the type gets no reply.
     */
    public static MessageType replyType(final MessageType type)
    {
        final String name = type.name();
        final String[][] pairs = {{"Request", "Response"}, {"Req", "Resp"}, {"Command", "Ack"}};
        for (final String[] pair : pairs)
        {
            if (name.endsWith(pair[0]))
            {
                final String replyName = name.substring(0, name.length() - pair[0].length()) + pair[1];
                for (final MessageType candidate : MessageType.values())
                {
                    if (candidate.name().equals(replyName))
                    {
                        return candidate;
                    }
                }
            }
        }
        return null;
    }

    /**
     * {@inheritDoc}
     */
    public void onEnvelope(final EnvelopeView envelope, final Reply reply)
    {
        final MessageType replyType = replyTypeByCode[envelope.msgType()];
        if (null != replyType)
        {
            reply.respond(replyType, envelope.payloadBuffer(), envelope.payloadOffset(), envelope.payloadLength());
        }
    }
}
