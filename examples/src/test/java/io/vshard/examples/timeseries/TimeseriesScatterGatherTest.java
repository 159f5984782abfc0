package io.vshard.examples.timeseries;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.pipeline.EnvelopeHandler;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import io.vshard.core.wire.VShardEnvelope;
import io.vshard.node.NodeContext;
import io.vshard.node.VShardNode;
import io.vshard.transport.ClientContext;
import io.vshard.transport.CommonContext;
import io.vshard.transport.client.Answer;
import io.vshard.transport.client.QuicClient;
import io.vshard.transport.tls.CertificateAuthority;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Three nodes with real mutual TLS from the same CA code as {@code vshard certs}, a coordinator scattering a timeseries query across
 * them, and what happens when one of them stops answering.
 */
class TimeseriesScatterGatherTest
{
    private static final String CLUSTER = "sg";
    private static final long COORDINATOR = 100;
    private static final int VSHARDS = 12;
    private static final int POINTS = 5_000;
    private static final long SEED = 11;
    private static final long START_MS = TimeseriesStore.EPOCH_MS + 100_000;
    private static final long END_MS = TimeseriesStore.EPOCH_MS + 4_000_000;
    private static final long BUCKET_MS = 250_000;

    @TempDir
    Path dir;

    private final List<VShardNode> nodes = new ArrayList<>();
    private final Map<Long, QuicClient> clients = new LinkedHashMap<>();
    private final Map<Integer, Long> placement = new TreeMap<>();
    private final CountDownLatch slowEntered = new CountDownLatch(1);
    private final CountDownLatch slowRelease = new CountDownLatch(1);
    private volatile boolean stallNode3;

    @BeforeEach
    void startNodes()
    {
        for (final long id : new long[]{1, 2, 3, COORDINATOR})
        {
            CertificateAuthority.loadOrCreate(dir.resolve("certs"), CLUSTER).issue(id).write(dir.resolve("certs"));
        }
        for (int vshard = 0; vshard < VSHARDS; vshard++)
        {
            placement.put(vshard, (long)(vshard % 3 + 1));
        }
        for (int node = 1; node <= 3; node++)
        {
            final int index = node - 1;
            final int[] held = IntStream.range(0, VSHARDS).filter((v) -> v % 3 == index).toArray();
            final NodeContext ctx = new NodeContext().dir(dir.resolve("node-" + node).toFile());
            identity(ctx.transport(), node).bind("127.0.0.1:0").shutdownTimeoutMs(2_000);
            new TimeseriesEngine(TimeseriesStore.generate(SEED, held, POINTS, 1_000)).register(ctx.pipeline());
            if (3 == node)
            {
                final EnvelopeHandler scan = ctx.pipeline().handler(DispatchTarget.TimeseriesScan);
                ctx.handler(DispatchTarget.TimeseriesScan, (envelope, reply) ->
                {
                    if (stallNode3 && slowEntered.getCount() > 0)
                    {
                        slowEntered.countDown();
                        slowRelease.await(30, TimeUnit.SECONDS);
                    }
                    scan.onEnvelope(envelope, reply);
                });
            }
            nodes.add(VShardNode.launch(ctx));
        }
        for (int node = 1; node <= 3; node++)
        {
            final ClientContext ctx = identity(new ClientContext(), COORDINATOR).requestTimeoutMs(5_000);
            clients.put((long)node, new QuicClient(ctx, nodes.get(node - 1).localAddress(),
                (id, kind, code, envelope) -> { }).connect());
        }
    }

    @AfterEach
    void stopNodes()
    {
        slowRelease.countDown();
        clients.values().forEach(QuicClient::close);
        nodes.forEach(VShardNode::close);
    }

    @Test
    @Timeout(60)
    void shouldMergeToTheDirectAggregateOverRealMutualTls()
    {
        final BucketAggregate merged = coordinator(Duration.ofSeconds(10)).query(placement, START_MS, END_MS,
            BUCKET_MS);

        final BucketAggregate direct = new BucketAggregate();
        final TimeseriesStore all = TimeseriesStore.generate(SEED, IntStream.range(0, VSHARDS).toArray(), POINTS,
            1_000);
        for (int vshard = 0; vshard < VSHARDS; vshard++)
        {
            all.aggregate(vshard, START_MS, END_MS, BUCKET_MS, direct);
        }
        assertThat(merged.bucketCount()).isEqualTo(16);
        assertThat(merged.totalCount()).isEqualTo(VSHARDS * ((END_MS - START_MS) / 1_000));
        assertThat(merged.matches(direct)).isTrue();
    }

    @Test
    @Timeout(60)
    void shouldFailClearlyWithinTheTimeoutWhenANodeStopsMidQuery() throws Exception
    {
        stallNode3 = true;
        final CompletableFuture<BucketAggregate> query = CompletableFuture.supplyAsync(() ->
            coordinator(Duration.ofSeconds(2)).query(placement, START_MS, END_MS, BUCKET_MS));
        assertThat(slowEntered.await(10, TimeUnit.SECONDS)).isTrue();
        final CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> nodes.get(2).close());

        final long t0 = System.nanoTime();
        assertThatThrownBy(() -> query.get(10, TimeUnit.SECONDS))
            .hasCauseInstanceOf(ScatterGatherException.class)
            .hasMessageContaining("on node 3")
            .hasMessageNotContaining("on node 1")
            .hasMessageNotContaining("on node 2");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5_000);
        slowRelease.countDown();
        stopping.get(30, TimeUnit.SECONDS);
    }

    @Test
    @Timeout(60)
    void shouldFailClearlyWhenANodeIsAlreadyDown()
    {
        nodes.get(1).close();

        assertThatThrownBy(() -> coordinator(Duration.ofSeconds(3)).query(placement, START_MS, END_MS, BUCKET_MS))
            .isInstanceOf(ScatterGatherException.class)
            .hasMessageContaining("on node 2")
            .hasMessageContaining("4 of 12 vshards");
    }

    @Test
    @Timeout(60)
    void shouldTrimOnRetentionAndAcknowledge() throws Exception
    {
        final byte[] payload = new byte[TsPayloads.RETENTION_COMMAND_LENGTH];
        new UnsafeBuffer(payload).putLong(0, TimeseriesStore.EPOCH_MS + 1_000_000, LITTLE_ENDIAN);
        final Answer answer = clients.get(1L).request(0, VShardEnvelope.of(MessageType.TsRetentionCommand,
            COORDINATOR, 1, 3, payload)).get(10, TimeUnit.SECONDS);

        assertThat(answer.kind()).isEqualTo((int)FrameDescriptor.KIND_RESPONSE);
        assertThat(answer.envelope().msgType()).isEqualTo(MessageType.TsRetentionAck);
        final UnsafeBuffer ack = new UnsafeBuffer(answer.envelope().payload());
        assertThat(ack.getLong(0, LITTLE_ENDIAN)).isEqualTo(1_000);
        assertThat(ack.getLong(8, LITTLE_ENDIAN)).isEqualTo(POINTS - 1_000);
    }

    private TimeseriesCoordinator coordinator(final Duration timeout)
    {
        return new TimeseriesCoordinator(COORDINATOR, clients, timeout);
    }

    private <T extends CommonContext<T>> T identity(final T ctx, final long nodeId)
    {
        final Path certs = dir.resolve("certs");
        return ctx.cluster(CLUSTER).nodeId(nodeId)
            .tlsCertFile(certs.resolve("node-" + nodeId + ".pem"))
            .tlsKeyFile(certs.resolve("node-" + nodeId + ".key"))
            .tlsCaFile(certs.resolve("ca.pem"));
    }
}
