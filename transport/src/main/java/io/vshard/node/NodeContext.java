package io.vshard.node;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.pipeline.EnvelopeHandler;
import io.vshard.core.pipeline.PipelineContext;
import io.vshard.transport.ClientContext;
import io.vshard.transport.ServerContext;

import java.io.File;
import java.util.Properties;

/**
 * Configuration of a {@link VShardNode}: the pipeline's settings, the server's, the settings of the clients the node
 * opens, and the handlers. Each part keeps its own Aeron-style context ({@code vshard.*} and
 * {@code vshard.transport.*} properties); this class only carries them together and sets what they share. Every
 * client the node opens takes all the common settings of {@link #transport()} (identity, TLS, QUIC windows and
 * timeouts, UDP, error handler) and the client settings of {@link #client()}. Control plane: build on one thread,
 * then {@link VShardNode#launch}.
 */
public final class NodeContext
{
    private final PipelineContext pipeline = new PipelineContext();
    private final ServerContext transport = new ServerContext();
    private final ClientContext client = new ClientContext();

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
     * The transport's settings: the server's (bind address, I/O threads, limits) and those its clients share with it
     * (TLS and identity, QUIC windows and timeouts, UDP, error handler).
     *
     * @return the server context.
     */
    public ServerContext transport()
    {
        return transport;
    }

    /**
     * The client settings of the clients the node opens: streams, request timeout, send queue, reconnect delays.
     * Only these are taken from it; every common setting comes from {@link #transport()}.
     *
     * @return the client context the node's clients take their client settings from.
     */
    public ClientContext client()
    {
        return client;
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
     * The node's directory, for its counters file. The development CA lives elsewhere, in a directory shared by the
     * user's dev-mode nodes ({@link ServerContext#devCaDir(java.nio.file.Path)}), so nodes with their own
     * directories still trust each other. Created owner-only when missing; an existing one must be the current
     * user's, not a link, and writable by neither group nor others, else {@link VShardNode#launch} refuses
     * ({@link io.vshard.core.status.PrivateDirectory}).
     *
     * @param dir the directory.
     * @return this for a fluent API.
     */
    public NodeContext dir(final File dir)
    {
        pipeline.dir(dir);
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
        client.apply(properties);
        return this;
    }
}
