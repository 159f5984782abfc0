package io.vshard.examples;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.node.NodeContext;
import io.vshard.node.VShardNode;
import io.vshard.transport.client.Answer;
import io.vshard.transport.client.QuicClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A complete shard process that embeds a node: development certificates, loopback, the echo engine for every target
 * and a handler of its own for one, a few requests over QUIC to itself, then a clean close. Start it with
 * {@code java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED
 * --add-opens java.base/sun.nio.ch=ALL-UNNAMED -cp ... io.vshard.examples.EmbeddedShard}.
 */
public final class EmbeddedShard
{
    private EmbeddedShard()
    {
    }

    /**
     * Launch, ask, print, close.
     *
     * @param args none.
     * @throws Exception when the node cannot start or an answer does not come.
     */
    public static void main(final String[] args) throws Exception
    {
        final Path dir = Files.createTempDirectory("shard-7");     // counters file and the development CA
        final NodeContext ctx = new NodeContext().dir(dir.toFile()).name("shard-7");
        ctx.transport()
            .bind("127.0.0.1:0")                                    // loopback, any free port
            .cluster("example").nodeId(7)
            .dev(true);                                             // a real shard: tlsCertFile, tlsKeyFile, tlsCaFile
        new EchoEngine().registerForAllTargets(ctx.pipeline());    // every request answered with its response type
        ctx.handler(DispatchTarget.TimeseriesScan,                  // then a handler of our own for one target
            (envelope, reply) -> reply.error(ErrorCode.HANDLER_FAILED, "no timeseries held here"));

        try (VShardNode node = VShardNode.launch(ctx))
        {
            System.out.println("shard 7 listening on " + node.localAddress());
            final QuicClient client = node.connect(node.localAddress(), (id, kind, code, envelope) -> { });
            final byte[] payload = "hello".getBytes(StandardCharsets.UTF_8);
            for (final MessageType type : new MessageType[]{
                MessageType.VectorScatterRequest, MessageType.CrossShardEvent, MessageType.TsScatterRequest})
            {
                final Answer answer = client.request(0, VShardEnvelope.of(type, 7, 7, 3, payload))
                    .get(10, TimeUnit.SECONDS);
                System.out.println(type + " -> " + FrameDescriptor.kindName(answer.kind()) +
                    (null != answer.envelope() ? " " + answer.envelope().msgType() : "") +
                    (0 != answer.errorCode() ? " " + ErrorCode.get(answer.errorCode()) : ""));
            }
        }
        finally
        {
            try (Stream<Path> files = Files.walk(dir))
            {
                files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
            }
        }
    }
}
