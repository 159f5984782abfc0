package io.vshard.node;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.pipeline.EnvelopeHandler;
import io.vshard.core.pipeline.PipelineContext;
import io.vshard.transport.TransportContext;

import java.io.File;
import java.util.Properties;

/**
 * Configuration of a {@link VShardNode}: the pipeline's settings, the transport's, and the handlers. Each part keeps
 * its own Aeron-style context ({@code vshard.*} and {@code vshard.transport.*} properties); this class only carries
 * them together and sets what they share. Control plane: build on one thread, then {@link VShardNode#launch}.
 */
public final class NodeContext
{
    private final PipelineContext pipeline = new PipelineContext();
    private final TransportContext transport = new TransportContext();

    /**
     * The pipeline's settings: lanes, rings, slots, wait strategies, handlers.
     *
     * @return the pipeline context.
     */
    public PipelineContext pipeline()
    {
        return pipeline;
    }

    /**
     * The transport's settings: bind address, I/O threads, TLS and identity, limits.
     *
     * @return the transport context.
     */
    public TransportContext transport()
    {
        return transport;
    }

    /**
     * Register the handler for a target.
     *
     * @param target  the engine.
     * @param handler called on the target's lane thread.
     * @return this for a fluent API.
     */
    public NodeContext handler(final DispatchTarget target, final EnvelopeHandler handler)
    {
        pipeline.handler(target, handler);
        return this;
    }

    /**
     * The node's directory: counters file, and in development mode its throwaway CA.
     *
     * @param dir the directory.
     * @return this for a fluent API.
     */
    public NodeContext dir(final File dir)
    {
        pipeline.dir(dir);
        transport.devDir(dir.toPath());
        return this;
    }

    /**
     * Name used in thread names and logs.
     *
     * @param name of the node.
     * @return this for a fluent API.
     */
    public NodeContext name(final String name)
    {
        pipeline.name(name);
        return this;
    }

    /**
     * Apply {@code vshard.*} and {@code vshard.transport.*} settings, for example from a properties file.
     *
     * @param properties the settings.
     * @return this for a fluent API.
     */
    public NodeContext apply(final Properties properties)
    {
        pipeline.apply(properties);
        transport.apply(properties);
        return this;
    }
}
