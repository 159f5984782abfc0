package io.vshard.cli;

import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.examples.EchoEngine;
import io.vshard.node.NodeContext;
import io.vshard.node.VShardNode;
import io.vshard.transport.client.Answer;
import io.vshard.transport.client.QuicClient;
import io.vshard.transport.tls.CertificateAuthority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class StatCommandTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void shouldReadTheCountersOfARunningNode() throws Exception
    {
        final CertificateAuthority ca = CertificateAuthority.create("stat", CertificateAuthority.CA_VALIDITY_DEFAULT);
        final NodeContext ctx = new NodeContext().dir(dir.resolve("node").toFile());
        ctx.transport().bind("127.0.0.1:0").cluster("stat").nodeId(1).nodeCertificate(ca.issue(1));
        new EchoEngine().registerForAllTargets(ctx.pipeline());

        try (VShardNode node = VShardNode.launch(ctx))
        {
            final QuicClient client = node.connect(node.localAddress(), (id, kind, code, envelope) -> { });
            for (int i = 0; i < 10; i++)
            {
                final Answer answer = client.request(0,
                    VShardEnvelope.of(MessageType.VectorScatterRequest, 1, 1, i, new byte[]{1, 2, 3}))
                    .get(10, TimeUnit.SECONDS);
                assertThat(answer.envelope().msgType()).isEqualTo(MessageType.VectorScatterResponse);
            }

            final Cli.Result result = Cli.run("stat", "--dir", dir.resolve("node").toString());

            assertThat(result.exitCode()).isZero();
            assertThat(result.out())
                .containsPattern("target VectorSearch\\s+received=10 handled=10 replied=10")
                .contains("node pid " + ProcessHandle.current().pid())
                .containsPattern("transport\\s+.*frames_in=10");
        }
    }

    @Test
    void shouldSayWhenNoNodeRunsThere()
    {
        final Cli.Result result = Cli.run("stat", "--dir", dir.resolve("nothing").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("no counters file");
    }
}
