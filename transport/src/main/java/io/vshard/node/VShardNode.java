package io.vshard.node;

import io.vshard.core.pipeline.Pipeline;
import io.vshard.transport.ClientContext;
import io.vshard.transport.JvmFlags;
import io.vshard.transport.client.AnswerListener;
import io.vshard.transport.client.QuicClient;
import io.vshard.transport.server.QuicServer;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A running node: the pipeline with its lanes and handlers, the QUIC server feeding it, and the clients it opened to
 * other nodes. The entry point for a shard process:
 * <pre>{@code
 * NodeContext ctx = new NodeContext().dir(new File("/var/lib/shard-7"));
 * ctx.transport().bind("0.0.0.0:7420").nodeId(7).cluster("prod")
 *     .tlsCertFile(cert).tlsKeyFile(key).tlsCaFile(ca);
 * ctx.handler(DispatchTarget.TimeseriesScan, (envelope, reply) -> ...);
 * try (VShardNode node = VShardNode.launch(ctx)) { ... }
 * }</pre>
 * Threading: {@link #launch}, {@link #connect} and {@link #close} from control threads.
 */
public final class VShardNode implements AutoCloseable
{
    private final NodeContext ctx;
    private final Pipeline pipeline;
    private final QuicServer server;
    private final List<QuicClient> clients = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private VShardNode(final NodeContext ctx, final Pipeline pipeline, final QuicServer server)
    {
        this.ctx = ctx;
        this.pipeline = pipeline;
        this.server = server;
    }

    /**
     * Launch the pipeline, then the server. On a failure of the server, the pipeline is released again.
     *
     * @param ctx the configuration.
     * @return the running node.
     */
    public static VShardNode launch(final NodeContext ctx)
    {
        JvmFlags.ensure();
        ctx.transport().conclude();
        final Pipeline pipeline = Pipeline.launch(ctx.pipeline());
        try
        {
            final QuicServer server = new QuicServer(pipeline, ctx.transport()).start();
            return new VShardNode(ctx, pipeline, server);
        }
        catch (final RuntimeException ex)
        {
            pipeline.release();
            throw ex;
        }
    }

    /**
     * Open a client to another node with this node's identity and every setting it shares with the server
     * ({@link ClientContext#from}), and the client settings of {@link NodeContext#client()}. The node closes it on
     * {@link #close()}.
     *
     * @param peer     the other node's address.
     * @param listener receives the answers to requests, on the client's I/O thread.
     * @return the connected client.
     */
    public QuicClient connect(final InetSocketAddress peer, final AnswerListener listener)
    {
        final ClientContext clientCtx = ClientContext.from(ctx.transport()).clientSettings(ctx.client());
        final QuicClient client = new QuicClient(clientCtx, peer, listener).connect();
        clients.add(client);
        return client;
    }

    /**
     * This node's id, as in its certificate.
     *
     * @return the node id.
     */
    public long nodeId()
    {
        return ctx.transport().nodeId();
    }

    /**
     * The address the server listens on (useful with port 0).
     *
     * @return the bound address.
     */
    public InetSocketAddress localAddress()
    {
        return server.localAddress();
    }

    /**
     * The pipeline, for in-process offers ({@link Pipeline#offer}) and counters.
     *
     * @return the pipeline.
     */
    public Pipeline pipeline()
    {
        return pipeline;
    }

    /**
     * The QUIC server.
     *
     * @return the server.
     */
    public QuicServer server()
    {
        return server;
    }

    /**
     * The configuration the node was launched with.
     *
     * @return the context.
     */
    public NodeContext context()
    {
        return ctx;
    }

    /**
     * Close in order: stop accepting and answer new frames SHUTTING_DOWN, drain every accepted envelope through its
     * handler, flush the replies, close connections cleanly, close this node's clients, then release the pipeline's
     * memory and counters file.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            server.close();
        }
        finally
        {
            for (final QuicClient client : clients)
            {
                client.close();
            }
            pipeline.release();
        }
    }

    /**
     * For a process's shutdown hook: {@link #close()}, but never longer than the transport's shutdown timeout plus
     * {@code marginMs}. A daemon watchdog halts the JVM ({@link Runtime#halt(int)}, status 1) when the close outlasts
     * that, so that SIGTERM always ends the process; a handler stuck past the timeout is reported by the pipeline and
     * left behind, so the close normally returns in time by itself.
     *
     * @param marginMs time allowed beyond the shutdown timeout before halting.
     */
    public void closeOrHalt(final long marginMs)
    {
        final long limitMs = ctx.transport().shutdownTimeoutMs() + marginMs;
        final Thread watchdog = new Thread(() ->
        {
            try
            {
                Thread.sleep(limitMs);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            System.err.println("vshard node: close still running after " + limitMs + " ms: halting");
            Runtime.getRuntime().halt(1);
        }, "vshard-shutdown-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try
        {
            close();
        }
        finally
        {
            watchdog.interrupt();
        }
    }
}
