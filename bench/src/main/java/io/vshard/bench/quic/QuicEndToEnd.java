package io.vshard.bench.quic;

import io.vshard.bench.BenchFiles;
import io.vshard.bench.BenchJvm;
import io.vshard.bench.ProcessCpu;
import io.vshard.bench.RoundTripRecorder;
import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.pipeline.Pipeline;
import io.vshard.core.pipeline.PipelineContext;
import io.vshard.core.pipeline.Reply;
import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.EnvelopeFlyweight;
import io.vshard.core.wire.EnvelopeView;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.core.wire.MessageType;
import io.vshard.transport.ClientContext;
import io.vshard.transport.ServerContext;
import io.vshard.transport.client.QuicClient;
import io.vshard.transport.server.QuicServer;
import io.vshard.transport.tls.CertificateAuthority;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Envelopes through the whole node over QUIC on loopback (client send queue, QUIC, frame decode, lane, handler,
 * reply, QUIC back), against bare Netty QUIC moving frames of the same size in the same run.
 * <ul>
 * <li>{@code nodeFireAndForget}, {@code nodeRequestReply}: rates. JMH {@link Mode#Throughput} with a producer loop:
 * an invocation is one envelope accepted by the client (it parks 20 us while the client is back-pressured or, for
 * requests, while {@link #WINDOW_PER_STREAM} per stream are unanswered). The primary score is envelopes accepted per
 * second; the {@link AuxCounters} that matter are {@code handled} (envelopes the node's handler ran for) and
 * {@code answered} (answers back at the client), rated per second over the same iteration. We chose this over a
 * fixed-duration {@link Mode#SingleShotTime} harness because JMH then does the timing, warm-up and forking as for
 * any other benchmark, and counting what the node handled (not what was offered) keeps queue-filling out of the
 * figure: an envelope accepted late in an iteration and handled in the next is counted once, in the next.</li>
 * <li>{@code bareQuicBaselineFramesToCountingServer}: the client's I/O thread writes {@link BareQuic#FRAMES_PER_WRITE}
 * frames per buffer as fast as the stream takes them to a server that only counts bytes; aux {@code frames} is the
 * rate. The primary score (1 ms parks of the benchmark thread) means nothing.</li>
 * <li>{@code bareQuicBaselineEcho}: the same client writing to a server that echoes every read back, at most
 * {@link #WINDOW_PER_STREAM} frames per stream in flight, as {@code nodeRequestReply} keeps requests in flight; aux
 * {@code roundTrips} is the rate of frames back at the client.</li>
 * <li>{@code nodeRequestReplyLatency}, {@code bareQuicBaselinePingPong}: one request (frame) in flight, the caller
 * parked until the answer (echo) is back: JMH {@link Mode#SampleTime} percentiles, and the same round trips in an
 * HdrHistogram printed at the end of each fork.</li>
 * <li>{@code nodePingPong}: one request in flight, the next one sent from the answer callback on the client's I/O
 * thread (no hand-off to another thread), as {@code GrpcEcho.bidiPingPong} does for gRPC: aux {@code answered} is
 * the rate (its inverse the mean round trip), the percentiles go to an {@code .hgrm} file. The benchmark thread only
 * samples the count every millisecond.</li>
 * </ul>
 * Aux {@code cpuNs} is the process CPU (client and node) per second; divided by {@code answered} it is the CPU per
 * round trip.
 * Every benchmark also takes {@code busyPoll} (default {@code false}): {@code -p busyPoll=false,true} runs each with
 * the I/O threads of both ends sleeping in epoll and busy-polling ({@code vshard.transport.io.busy.poll}), node and
 * bare alike. The rate benchmarks' aux counters include the server's UDP {@code datagramsIn} and {@code datagramsOut}
 * per second (segmentation-offload writes counted as their segments), so datagrams per envelope is that over
 * {@code handled}, {@code answered}, {@code frames} or {@code roundTrips}; the report prints it.
 * Frames are the same size on both sides: 16 bytes of frame header, 28 of envelope header, then the payload.
 */
@Fork(value = BenchJvm.FORKS, jvmArgsAppend = {
    BenchJvm.OPENS_MISC, BenchJvm.OPENS_NIO, BenchJvm.OPENS_NIO_CH, BenchJvm.XMS, BenchJvm.XMX, BenchJvm.PRE_TOUCH,
    BenchJvm.NO_LEAK_DETECTION})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class QuicEndToEnd
{
    /** Requests a producer keeps unanswered per stream in the request/reply rate benchmark. */
    public static final int WINDOW_PER_STREAM = 4096;

    private static final long BACK_OFF_NS = 20_000;
    // How long a benchmark that only samples the counts (the traffic runs on the I/O threads) waits per invocation.
    private static final long SAMPLE_PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(1);
    // The delivered counts are read every this many envelopes (and while backing off), not on each: they are written
    // by the lane and I/O threads, and reading them on every invocation would move their cache line across cores
    // once per envelope, a cost of the harness, not of the node. An iteration then lags by at most this many
    // envelopes out of millions.
    private static final long COUNT_SAMPLE_MASK = 1023;
    private static final long CLIENT_NODE_ID = 2;
    private static final long SERVER_NODE_ID = 1;

    /**
     * A node (pipeline with lanes, QUIC server) and a client with {@code streams} streams, on loopback.
     */
    @State(Scope.Benchmark)
    public static class Node
    {
        /** Envelope payload bytes. */
        @Param({ "64", "1024" })
        public int payload;

        /** Client streams. */
        @Param({ "1", "4" })
        public int streams;

        /** I/O threads of server and client busy-poll ({@code vshard.transport.io.busy.poll}) instead of sleeping. */
        @Param({ "false" })
        public boolean busyPoll;

        final AtomicLong handled = new AtomicLong();
        final AtomicLong answered = new AtomicLong();
        final Histogram roundTripNs = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final RoundTripRecorder pingPongs = new RoundTripRecorder();
        UnsafeBuffer request;
        UnsafeBuffer event;
        int envelopeLength;
        QuicClient client;
        long sent;
        long answeredSeen;
        volatile long lastAnswered;
        volatile Thread waiter;
        volatile boolean pingPong;
        long pingPongSent;
        String series;
        CertificateAuthority ca;
        QuicServer server;
        private Pipeline pipeline;
        private File dir;

        /**
         * Start the node and connect the client; for {@code nodePingPong}, send the first request.
         *
         * @param params to know which benchmark runs.
         * @throws Exception when QUIC cannot start.
         */
        @Setup(Level.Trial)
        public void setUp(final BenchmarkParams params) throws Exception
        {
            start();
            if (params.getBenchmark().endsWith("nodePingPong"))
            {
                series = "QuicEndToEnd.nodePingPong-payload=" + payload + "-streams=" + streams;
                pingPong = true;
                pingPongs.start();
                if (client.request(0, request, 0, envelopeLength) <= 0)
                {
                    throw new IllegalStateException("first ping-pong request refused");
                }
            }
        }

        /**
         * Start the node and connect the client (the harnesses outside JMH call this).
         *
         * @throws Exception when QUIC cannot start.
         */
        public void start() throws Exception
        {
            dir = Files.createTempDirectory("quic-end-to-end").toFile();
            ca = CertificateAuthority.create("bench", Duration.ofDays(1));
            final PipelineContext pipelineCtx = new PipelineContext().dir(dir);
            for (final DispatchTarget target : DispatchTarget.values())
            {
                pipelineCtx.handler(target, this::onEnvelope);
            }
            pipeline = Pipeline.launch(pipelineCtx);
            server = new QuicServer(pipeline, new ServerContext().bind("127.0.0.1:0").cluster("bench")
                .nodeId(SERVER_NODE_ID).nodeCertificate(ca.issue(SERVER_NODE_ID)).ioBusyPoll(busyPoll)).start();
            client = new QuicClient(new ClientContext().cluster("bench").nodeId(CLIENT_NODE_ID)
                .nodeCertificate(ca.issue(CLIENT_NODE_ID)).clientStreams(streams).ioBusyPoll(busyPoll),
                server.localAddress(),
                this::onAnswer).connect();
            envelopeLength = EnvelopeDescriptor.HEADER_LENGTH + payload;
            request = envelope(MessageType.VectorScatterRequest);
            event = envelope(MessageType.CrossShardEvent);
        }

        /**
         * Start an iteration's ping-pong histogram.
         */
        @Setup(Level.Iteration)
        public void iterationStart()
        {
            pingPongs.iterationStart();
        }

        /**
         * Keep the ping-pong histogram of a measured iteration.
         *
         * @param params to tell warm-up from measurement.
         */
        @TearDown(Level.Iteration)
        public void iterationEnd(final IterationParams params)
        {
            pingPongs.iterationEnd(IterationType.MEASUREMENT == params.getType());
        }

        /**
         * Close client and node, print the round-trip histogram when there is one.
         */
        @TearDown(Level.Trial)
        public void stop()
        {
            if (roundTripNs.getTotalCount() > 0)
            {
                System.out.printf("%n  HdrHistogram round trip (us), %d samples: p50 %.1f  p90 %.1f  p99 %.1f  " +
                    "p99.9 %.1f  max %.1f%n", roundTripNs.getTotalCount(),
                    roundTripNs.getValueAtPercentile(50) / 1e3, roundTripNs.getValueAtPercentile(90) / 1e3,
                    roundTripNs.getValueAtPercentile(99) / 1e3, roundTripNs.getValueAtPercentile(99.9) / 1e3,
                    roundTripNs.getMaxValue() / 1e3);
            }
            pingPong = false;
            if (null != series)
            {
                pingPongs.finish(series);
            }
            client.close();
            server.close();
            pipeline.release();
            BenchFiles.deleteTree(dir.toPath());
        }

        /**
         * Whether {@code window} requests are unanswered. Re-reads the answer count (written by the client's I/O
         * thread) only when the last value read says the window is full, not on every request.
         */
        boolean windowFull(final long window)
        {
            if (sent - answeredSeen < window)
            {
                return false;
            }
            answeredSeen = answered.get();
            return sent - answeredSeen >= window;
        }

        private UnsafeBuffer envelope(final MessageType type)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[envelopeLength]);
            new EnvelopeFlyweight().wrap(buffer, 0).header(type.code(), CLIENT_NODE_ID, SERVER_NODE_ID, 7, payload);
            return buffer;
        }

        private void onEnvelope(final EnvelopeView envelope, final Reply reply)
        {
            handled.incrementAndGet();
            if (reply.expectsAnswer())
            {
                reply.respond(MessageType.VectorScatterResponse, envelope.payloadBuffer(), envelope.payloadOffset(),
                    envelope.payloadLength());
            }
        }

        private void onAnswer(final long correlationId, final int kind, final int errorCode, final EnvelopeView view)
        {
            answered.lazySet(answered.get() + 1);
            lastAnswered = correlationId;
            if (pingPong && FrameDescriptor.KIND_RESPONSE == kind)
            {
                pingPongs.lap();
                client.request((int)(++pingPongSent % streams), request, 0, envelopeLength);
            }
            final Thread thread = waiter;
            if (null != thread)
            {
                LockSupport.unpark(thread);
            }
        }
    }

    /**
     * Bare Netty QUIC with frames of the node's size: a counting server (rates) or an echoing one (latency).
     */
    @State(Scope.Benchmark)
    public static class Bare
    {
        /** Payload bytes of the node envelope the frame size matches. */
        @Param({ "64", "1024" })
        public int payload;

        /** Client streams. */
        @Param({ "1", "4" })
        public int streams;

        /** I/O threads of the bare pair busy-poll instead of sleeping in epoll, as the node's with the same value. */
        @Param({ "false" })
        public boolean busyPoll;

        /** Echo server (ping-pong latency) instead of a counting one. */
        boolean echo;
        final Histogram roundTripNs = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        BareQuic bare;
        int next;

        /**
         * Start the bare server and client.
         *
         * @param params to know which benchmark runs.
         * @throws Exception when QUIC cannot start.
         */
        @Setup(Level.Trial)
        public void start(final BenchmarkParams params) throws Exception
        {
            final String benchmark = params.getBenchmark();
            echo = benchmark.endsWith("PingPong") || benchmark.endsWith("Echo");
            bare = new BareQuic(FrameDescriptor.HEADER_LENGTH + EnvelopeDescriptor.HEADER_LENGTH + payload, streams,
                echo, busyPoll);
            if (!echo)
            {
                bare.start();
            }
            else if (benchmark.endsWith("Echo"))
            {
                bare.start(WINDOW_PER_STREAM);
            }
        }

        /**
         * Close, print the round-trip histogram when there is one.
         */
        @TearDown(Level.Trial)
        public void stop()
        {
            if (roundTripNs.getTotalCount() > 0)
            {
                System.out.printf("%n  HdrHistogram round trip (us), %d samples: p50 %.1f  p90 %.1f  p99 %.1f  " +
                    "p99.9 %.1f  max %.1f%n", roundTripNs.getTotalCount(),
                    roundTripNs.getValueAtPercentile(50) / 1e3, roundTripNs.getValueAtPercentile(90) / 1e3,
                    roundTripNs.getValueAtPercentile(99) / 1e3, roundTripNs.getValueAtPercentile(99.9) / 1e3,
                    roundTripNs.getMaxValue() / 1e3);
            }
            bare.close();
        }
    }

    /**
     * Per-iteration counts of what actually got through, rated per second by JMH.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Delivered
    {
        /** Envelopes the node's handler ran for during the iteration. */
        public long handled;

        /** Answers that came back to the client during the iteration. */
        public long answered;

        /** Nanoseconds of process CPU (client and node) used during the iteration. */
        public long cpuNs;

        /** UDP datagrams the server received during the iteration; per envelope: this over handled or answered. */
        public long datagramsIn;

        /** UDP datagrams the server sent (answers, ACKs) during the iteration, each GSO segment counted. */
        public long datagramsOut;

        private long handledBase;
        private long answeredBase;
        private long cpuNsBase;
        private long datagramsInBase;
        private long datagramsOutBase;

        /**
         * Take the bases of this iteration.
         *
         * @param node the node state.
         */
        @Setup(Level.Iteration)
        public void baseNode(final Node node)
        {
            handledBase = node.handled.get();
            answeredBase = node.answered.get();
            cpuNsBase = ProcessCpu.nanos();
            datagramsInBase = node.server.counters().datagramsIn.get();
            datagramsOutBase = node.server.counters().datagramsOut.get();
            handled = 0;
            answered = 0;
            cpuNs = 0;
            datagramsIn = 0;
            datagramsOut = 0;
        }

        // For the callback-driven benchmarks, whose benchmark thread only samples: wait a sample period, then update.
        Delivered sampleNode(final Node node)
        {
            LockSupport.parkNanos(SAMPLE_PERIOD_NS);
            updateNode(node);
            return this;
        }

        void updateNode(final Node node)
        {
            handled = node.handled.get() - handledBase;
            answered = node.answered.get() - answeredBase;
            cpuNs = ProcessCpu.nanos() - cpuNsBase;
            datagramsIn = node.server.counters().datagramsIn.get() - datagramsInBase;
            datagramsOut = node.server.counters().datagramsOut.get() - datagramsOutBase;
        }
    }

    /**
     * Bare-side counts; a separate state so that node setup does not run for the baseline.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class BareDelivered
    {
        /** Frames the bare server received during the iteration. */
        public long frames;

        /** Frames echoed back to the bare client during the iteration (echo server only). */
        public long roundTrips;

        /** UDP datagrams the bare server received during the iteration. */
        public long datagramsIn;

        /** UDP datagrams the bare server sent during the iteration, each GSO segment counted. */
        public long datagramsOut;

        private long framesBase;
        private long roundTripsBase;
        private long datagramsInBase;
        private long datagramsOutBase;

        /**
         * Take the bases of this iteration.
         *
         * @param bare the bare state.
         */
        @Setup(Level.Iteration)
        public void base(final Bare bare)
        {
            framesBase = bare.bare.framesReceived();
            roundTripsBase = bare.bare.framesEchoed();
            datagramsInBase = bare.bare.serverDatagramsIn();
            datagramsOutBase = bare.bare.serverDatagramsOut();
            frames = 0;
            roundTrips = 0;
            datagramsIn = 0;
            datagramsOut = 0;
        }

        // The benchmark thread only samples the bare pair: wait a sample period, then update.
        BareDelivered sample(final Bare bare)
        {
            LockSupport.parkNanos(SAMPLE_PERIOD_NS);
            frames = bare.bare.framesReceived() - framesBase;
            roundTrips = bare.bare.framesEchoed() - roundTripsBase;
            datagramsIn = bare.bare.serverDatagramsIn() - datagramsInBase;
            datagramsOut = bare.bare.serverDatagramsOut() - datagramsOutBase;
            return this;
        }
    }

    /**
     * One fire-and-forget envelope accepted by the client; aux {@code handled} is the node's rate.
     *
     * @param node      the node.
     * @param delivered the counts.
     * @return the client's result, for the blackhole.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int nodeFireAndForget(final Node node, final Delivered delivered)
    {
        final long sent = node.sent++;
        final int stream = (int)(sent % node.streams);
        int result;
        while ((result = node.client.send(stream, node.event, 0, node.envelopeLength)) == QuicClient.BACK_PRESSURED)
        {
            delivered.updateNode(node);
            LockSupport.parkNanos(BACK_OFF_NS);
        }
        if (0 == (sent & COUNT_SAMPLE_MASK))
        {
            delivered.updateNode(node);
        }
        return result;
    }

    /**
     * One request accepted by the client, at most {@link #WINDOW_PER_STREAM} per stream unanswered; aux
     * {@code answered} is the node's round-trip rate.
     *
     * @param node      the node.
     * @param delivered the counts.
     * @return the correlation id, for the blackhole.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long nodeRequestReply(final Node node, final Delivered delivered)
    {
        final int stream = (int)(node.sent % node.streams);
        long id;
        while (node.windowFull((long)WINDOW_PER_STREAM * node.streams) ||
            (id = node.client.request(stream, node.request, 0, node.envelopeLength)) == QuicClient.BACK_PRESSURED)
        {
            delivered.updateNode(node);
            LockSupport.parkNanos(BACK_OFF_NS);
        }
        if (0 == (node.sent++ & COUNT_SAMPLE_MASK))
        {
            delivered.updateNode(node);
        }
        return id;
    }

    /**
     * One request and its answer, the caller parked until the answer is back (woken by the client's I/O thread).
     *
     * @param node the node.
     * @return the round trip in nanoseconds.
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long nodeRequestReplyLatency(final Node node)
    {
        node.waiter = Thread.currentThread();
        final long startNs = System.nanoTime();
        long id;
        while ((id = node.client.request((int)(node.sent % node.streams), node.request, 0, node.envelopeLength)) <= 0)
        {
            LockSupport.parkNanos(BACK_OFF_NS);
        }
        node.sent++;
        while (node.lastAnswered != id)
        {
            LockSupport.park(node);
        }
        final long roundTripNs = System.nanoTime() - startNs;
        node.roundTripNs.recordValue(Math.min(roundTripNs, node.roundTripNs.getHighestTrackableValue()));
        return roundTripNs;
    }

    /**
     * Callback-driven ping-pong: one request in flight, the next sent from the answer callback on the client's I/O
     * thread; aux {@code answered} is the round-trip rate. The benchmark thread only samples the counts.
     *
     * @param node      the node.
     * @param delivered the counts.
     * @return answers so far in the iteration, for the blackhole.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long nodePingPong(final Node node, final Delivered delivered)
    {
        return delivered.sampleNode(node).answered;
    }

    /**
     * Bare baseline: the rate of frames of the node's size from a bare client to a counting server (aux
     * {@code frames}); the benchmark thread only samples the count.
     *
     * @param bare      the bare pair.
     * @param delivered the counts.
     * @return the frames counted so far, for the blackhole.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long bareQuicBaselineFramesToCountingServer(final Bare bare, final BareDelivered delivered)
    {
        return delivered.sample(bare).frames;
    }

    /**
     * Bare baseline for pipelined request/reply: frames of the node's size from a bare client to a server that echoes
     * every read back, at most {@link #WINDOW_PER_STREAM} frames per stream unechoed; aux {@code roundTrips} is the
     * rate of frames back at the client. The benchmark thread only samples the count.
     *
     * @param bare      the bare pair.
     * @param delivered the counts.
     * @return the frames echoed so far in the iteration, for the blackhole.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long bareQuicBaselineEcho(final Bare bare, final BareDelivered delivered)
    {
        return delivered.sample(bare).roundTrips;
    }

    /**
     * Bare baseline for latency: one frame of the node's request size to an echo server and back, the caller parked
     * until the echo is back.
     *
     * @param bare the bare pair.
     * @return the round trip in nanoseconds.
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long bareQuicBaselinePingPong(final Bare bare)
    {
        final long roundTripNs = bare.bare.pingPong(bare.next++ % bare.streams);
        bare.roundTripNs.recordValue(Math.min(roundTripNs, bare.roundTripNs.getHighestTrackableValue()));
        return roundTripNs;
    }
}
