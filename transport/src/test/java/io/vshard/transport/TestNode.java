package io.vshard.transport;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.pipeline.EnvelopeHandler;
import io.vshard.core.pipeline.Pipeline;
import io.vshard.core.pipeline.PipelineContext;
import io.vshard.core.pipeline.WaitStrategyKind;
import io.vshard.core.wire.EnvelopeFlyweight;
import io.vshard.core.wire.MessageType;
import io.vshard.transport.client.AnswerListener;
import io.vshard.transport.client.QuicClient;
import io.vshard.transport.server.QuicServer;
import io.vshard.transport.tls.CertificateAuthority;
import io.vshard.transport.tls.NodeCertificate;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A node for tests: a cluster CA, a pipeline with handlers, and a QUIC server on 127.0.0.1, plus client factories.
 */
public final class TestNode implements AutoCloseable
{
    public static final String CLUSTER = "test";
    public static final long SERVER_ID = 1;
    public static final long CLIENT_ID = 2;

    public final CertificateAuthority ca = CertificateAuthority.create(CLUSTER, Duration.ofDays(1));
    public final Pipeline pipeline;
    public final QuicServer server;
    public final CopyOnWriteArrayList<Throwable> errors = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<QuicClient> clients = new CopyOnWriteArrayList<>();

    public TestNode(final Path dir, final EnvelopeHandler handler)
    {
        this(dir, handler, (pipelineCtx) -> { }, (transportCtx) -> { });
    }

    public TestNode(
        final Path dir,
        final EnvelopeHandler handler,
        final Consumer<PipelineContext> pipelineConfig,
        final Consumer<ServerContext> transportConfig)
    {
        final PipelineContext pipelineCtx = new PipelineContext()
            .dir(dir.toFile())
            .waitStrategy(WaitStrategyKind.BLOCKING)
            .errorHandler(errors::add);
        for (final DispatchTarget target : DispatchTarget.values())
        {
            pipelineCtx.handler(target, handler);
        }
        pipelineConfig.accept(pipelineCtx);
        pipeline = Pipeline.launch(pipelineCtx);
        final ServerContext ctx = new ServerContext()
            .bind("127.0.0.1:0")
            .nodeCertificate(ca.issue(SERVER_ID))
            .errorHandler(errors::add)
            .shutdownTimeoutMs(3_000);
        transportConfig.accept(ctx);
        server = new QuicServer(pipeline, ctx).start();
    }

    public ClientContext clientContext(final NodeCertificate certificate)
    {
        return new ClientContext().nodeCertificate(certificate).requestTimeoutMs(10_000)
            .handshakeTimeoutMs(3_000).errorHandler(errors::add);
    }

    public QuicClient client(final ClientContext ctx, final AnswerListener listener)
    {
        final QuicClient client = new QuicClient(ctx, server.localAddress(), listener);
        clients.add(client);
        return client.connect();
    }

    public QuicClient client(final AnswerListener listener)
    {
        return client(clientContext(ca.issue(CLIENT_ID)), listener);
    }

    /** An envelope from the test client, written into a buffer. */
    public static int envelope(
        final UnsafeBuffer buffer, final MessageType type, final long source, final int vshardId, final int payload)
    {
        new EnvelopeFlyweight().wrap(buffer, 0).header(type.code(), source, SERVER_ID, vshardId, payload);
        return 28 + payload;
    }

    public void close()
    {
        for (final QuicClient client : clients)
        {
            client.close();
        }
        server.close();
        pipeline.release();
    }
}
