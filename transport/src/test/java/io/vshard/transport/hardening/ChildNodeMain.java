package io.vshard.transport.hardening;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.pipeline.Pipeline;
import io.vshard.core.pipeline.PipelineContext;
import io.vshard.core.pipeline.WaitStrategyKind;
import io.vshard.transport.TestNode;
import io.vshard.transport.ServerContext;
import io.vshard.transport.server.QuicServer;
import io.vshard.transport.tls.CertificateAuthority;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A node in a process of its own, for tests that kill it: pipeline and QUIC server on 127.0.0.1 with an echo handler
 * for every target, the counters file in the node directory, a certificate issued by the CA kept in the CA directory.
 * Prints {@code PORT <port>} once serving, then runs until its standard input closes (so it never outlives the test
 * that started it), and closes gracefully.
 * <p>
 * Arguments: node directory, CA directory.
 */
public final class ChildNodeMain
{
    /** The line prefix announcing the port. */
    public static final String PORT_PREFIX = "PORT ";

    private ChildNodeMain()
    {
    }

    /**
     * Run the node.
     *
     * @param args node directory, CA directory.
     * @throws IOException when standard input fails.
     */
    public static void main(final String[] args) throws IOException
    {
        final PipelineContext pipelineCtx = new PipelineContext()
            .dir(new File(args[0]))
            .waitStrategy(WaitStrategyKind.BLOCKING)
            .errorHandler(Throwable::printStackTrace);
        for (final DispatchTarget target : DispatchTarget.values())
        {
            pipelineCtx.handler(target, Handlers.echo());
        }
        final Pipeline pipeline = Pipeline.launch(pipelineCtx);
        final QuicServer server = new QuicServer(pipeline, new ServerContext()
            .bind("127.0.0.1:0")
            .nodeCertificate(CertificateAuthority.load(Path.of(args[1]), TestNode.CLUSTER).issue(TestNode.SERVER_ID)))
            .start();
        System.out.println(PORT_PREFIX + server.localAddress().getPort());
        System.out.flush();
        while (System.in.read() >= 0)
        {
            // Runs until the parent closes our input or dies.
        }
        server.close();
        pipeline.release();
    }
}
