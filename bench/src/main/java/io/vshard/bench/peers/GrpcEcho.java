package io.vshard.bench.peers;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.vshard.bench.BenchJvm;
import io.vshard.bench.RoundTripRecorder;
import io.vshard.bench.quic.QuicEndToEnd;
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
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * gRPC-java, what most Java services already use between nodes, echoing {@code payload}-byte messages over loopback
 * with mutual TLS (BoringSSL, certificates from vshard's CA, {@link PeerTls}). One server and one channel (one HTTP/2
 * connection), Netty's epoll transport when it loads, and {@code directExecutor()} on both sides: callbacks run on
 * the Netty event loops, the fastest configuration gRPC offers (the default executor costs a thread hand-off per
 * callback). No protobuf: a {@code MethodDescriptor<byte[], byte[]>} with {@link ByteArrayMarshaller}.
 * <ul>
 * <li>{@code bidiStreamingEcho}: {@code streams} bidi calls, each sending from its on-ready handler and from each
 * answer's callback as long as {@code isReady()} and fewer than {@link QuicEndToEnd#WINDOW_PER_STREAM} requests are
 * unanswered on it (the window {@code QuicEndToEnd.nodeRequestReply} keeps). The server echoes each message on its
 * call. Aux {@code roundTrips} is the rate; the benchmark thread only samples it every millisecond.</li>
 * <li>{@code unaryBlocking}: one request in flight, the caller blocked in {@code blockingUnaryCall} until the answer
 * (the answer handed from the event loop to the caller): {@link Mode#SampleTime} percentiles.</li>
 * <li>{@code bidiPingPong}: one request in flight on one bidi call, the next request sent from the answer's callback
 * on the client's event loop (no hand-off). Aux {@code roundTrips} is the rate (its inverse the mean round trip);
 * percentiles go to an {@code .hgrm} file ({@link RoundTripRecorder}).</li>
 * </ul>
 * Aux {@code cpuNs} is the process CPU (client and server) per second; divided by {@code roundTrips} it is the CPU
 * per round trip.
 */
@Fork(value = BenchJvm.FORKS, jvmArgsAppend = {
    BenchJvm.OPENS_MISC, BenchJvm.OPENS_NIO, BenchJvm.OPENS_NIO_CH, BenchJvm.XMS, BenchJvm.XMX, BenchJvm.PRE_TOUCH,
    BenchJvm.NO_LEAK_DETECTION, BenchJvm.GRPC_NO_LEAK_DETECTION})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class GrpcEcho
{
    private static final String SERVICE = "vshard.bench.Echo";

    static final MethodDescriptor<byte[], byte[]> BIDI = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Stream"))
        .setRequestMarshaller(ByteArrayMarshaller.INSTANCE)
        .setResponseMarshaller(ByteArrayMarshaller.INSTANCE)
        .build();

    static final MethodDescriptor<byte[], byte[]> UNARY = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Unary"))
        .setRequestMarshaller(ByteArrayMarshaller.INSTANCE)
        .setResponseMarshaller(ByteArrayMarshaller.INSTANCE)
        .build();

    private static final long SAMPLE_PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long SHUTDOWN_TIMEOUT_MS = 5_000;

    /**
     * A gRPC server with the echo service and a channel to it, both with {@code directExecutor()}.
     */
    @State(Scope.Benchmark)
    public static class Pair
    {
        /** Message bytes each way. */
        @Param({ "64", "1024" })
        public int payload;

        byte[] request;
        ManagedChannel channel;
        private Server server;

        /**
         * Start the server and connect the channel (the TLS handshake is done before the first iteration).
         *
         * @throws Exception when gRPC cannot start.
         */
        @Setup(Level.Trial)
        public void start() throws Exception
        {
            final PeerTls tls = PeerTls.create();
            request = new byte[payload];
            for (int i = 0; i < payload; i++)
            {
                request[i] = (byte)i;
            }
            final ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(BIDI, ServerCalls.asyncBidiStreamingCall(EchoStream::new))
                .addMethod(UNARY, ServerCalls.asyncUnaryCall(GrpcEcho::echoUnary))
                .build();
            server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sslContext(tls.grpcServer())
                .directExecutor()
                .addService(service)
                .build()
                .start();
            channel = NettyChannelBuilder.forAddress(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getPort()))
                .sslContext(tls.grpcClient())
                .directExecutor()
                .build();
            final byte[] answer = ClientCalls.blockingUnaryCall(channel, UNARY, CallOptions.DEFAULT, request);
            if (answer.length != payload)
            {
                throw new IllegalStateException("echo of " + payload + " bytes came back as " + answer.length);
            }
            System.out.printf("%n  gRPC: TLS %s, epoll %b, directExecutor on client and server%n",
                PeerTls.version(), Epoll.isAvailable());
        }

        /**
         * Close channel and server.
         *
         * @throws InterruptedException when interrupted while waiting for them.
         */
        @TearDown(Level.Trial)
        public void stop() throws InterruptedException
        {
            channel.shutdownNow().awaitTermination(SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            server.shutdownNow().awaitTermination(SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * {@code streams} bidi calls on the pair's channel, each kept full by {@link PipelinedCall}.
     */
    @State(Scope.Benchmark)
    public static class Pipelined
    {
        /** Concurrent bidi calls (HTTP/2 streams) on the one connection. */
        @Param({ "1", "4" })
        public int streams;

        private PipelinedCall[] calls;

        /**
         * Open the calls; they start sending as soon as gRPC says they are ready.
         *
         * @param pair the server and channel.
         */
        @Setup(Level.Trial)
        public void start(final Pair pair)
        {
            calls = new PipelinedCall[streams];
            for (int i = 0; i < streams; i++)
            {
                calls[i] = new PipelinedCall(pair.request, QuicEndToEnd.WINDOW_PER_STREAM);
                ClientCalls.asyncBidiStreamingCall(pair.channel.newCall(BIDI, CallOptions.DEFAULT), calls[i]);
            }
        }

        /**
         * Stop sending and cancel the calls.
         */
        @TearDown(Level.Trial)
        public void stop()
        {
            for (final PipelinedCall call : calls)
            {
                call.stop();
            }
        }

        long roundTrips()
        {
            long sum = 0;
            for (final PipelinedCall call : calls)
            {
                sum += call.answered();
            }
            return sum;
        }
    }

    /**
     * One bidi call with one request in flight, the next sent from the answer callback.
     */
    @State(Scope.Benchmark)
    public static class PingPong
    {
        private final RoundTripRecorder recorder = new RoundTripRecorder();
        private PingPongCall call;
        private String series;

        /**
         * Open the call and send the first request.
         *
         * @param pair the server and channel.
         */
        @Setup(Level.Trial)
        public void start(final Pair pair)
        {
            series = "GrpcEcho.bidiPingPong-payload=" + pair.payload;
            call = new PingPongCall(pair.request, recorder);
            ClientCalls.asyncBidiStreamingCall(pair.channel.newCall(BIDI, CallOptions.DEFAULT), call);
            call.first();
        }

        /**
         * Start an iteration's histogram.
         */
        @Setup(Level.Iteration)
        public void iterationStart()
        {
            recorder.iterationStart();
        }

        /**
         * Keep the histogram of a measured iteration.
         *
         * @param params to tell warm-up from measurement.
         */
        @TearDown(Level.Iteration)
        public void iterationEnd(final IterationParams params)
        {
            recorder.iterationEnd(IterationType.MEASUREMENT == params.getType());
        }

        /**
         * Stop the ping-pong, print and write the histogram.
         */
        @TearDown(Level.Trial)
        public void stop()
        {
            call.stop();
            recorder.finish(series);
        }
    }

    /**
     * Pipelined bidi echo: the benchmark thread samples the round trips every millisecond; the calls run on the
     * event loop.
     *
     * @param pipelined the calls.
     * @param counters  aux {@code roundTrips} and {@code cpuNs}.
     * @return round trips in the iteration so far, for the blackhole.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long bidiStreamingEcho(final Pipelined pipelined, final RoundTripCounters counters)
    {
        counters.update(pipelined.roundTrips());
        LockSupport.parkNanos(SAMPLE_PERIOD_NS);
        counters.update(pipelined.roundTrips());
        return counters.roundTrips;
    }

    /**
     * One unary call, the caller blocked until its answer.
     *
     * @param pair the channel.
     * @return the answer's length, for the blackhole.
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int unaryBlocking(final Pair pair)
    {
        return ClientCalls.blockingUnaryCall(pair.channel, UNARY, CallOptions.DEFAULT, pair.request).length;
    }

    /**
     * Callback-driven bidi ping-pong: the benchmark thread samples the round trips every millisecond.
     *
     * @param pingPong the call.
     * @param counters aux {@code roundTrips} and {@code cpuNs}.
     * @return round trips in the iteration so far, for the blackhole.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long bidiPingPong(final PingPong pingPong, final RoundTripCounters counters)
    {
        counters.update(pingPong.recorder.roundTrips());
        LockSupport.parkNanos(SAMPLE_PERIOD_NS);
        counters.update(pingPong.recorder.roundTrips());
        return counters.roundTrips;
    }

    private static void echoUnary(final byte[] request, final StreamObserver<byte[]> responses)
    {
        responses.onNext(request);
        responses.onCompleted();
    }

    /**
     * Server side of a bidi call: every message straight back on the same call, on the event loop. The client's
     * window bounds what can queue here.
     */
    static final class EchoStream implements StreamObserver<byte[]>
    {
        private final StreamObserver<byte[]> responses;

        EchoStream(final StreamObserver<byte[]> responses)
        {
            this.responses = responses;
        }

        /**
         * {@inheritDoc}
         */
        public void onNext(final byte[] message)
        {
            responses.onNext(message);
        }

        /**
         * {@inheritDoc}
         */
        public void onError(final Throwable error)
        {
        }

        /**
         * {@inheritDoc}
         */
        public void onCompleted()
        {
            responses.onCompleted();
        }
    }

    /**
     * Client side of a pipelined bidi call. Every callback runs on the channel's event loop ({@code directExecutor})
     * one at a time, so {@code sent} needs no synchronisation; {@code answered} is read by the benchmark thread.
     */
    static final class PipelinedCall implements ClientResponseObserver<byte[], byte[]>, Runnable
    {
        private final byte[] request;
        private final long window;
        private final AtomicLong answered = new AtomicLong();
        private ClientCallStreamObserver<byte[]> requests;
        private long sent;
        private volatile boolean running = true;

        PipelinedCall(final byte[] request, final long window)
        {
            this.request = request;
            this.window = window;
        }

        /**
         * {@inheritDoc}
         */
        public void beforeStart(final ClientCallStreamObserver<byte[]> requests)
        {
            this.requests = requests;
            requests.setOnReadyHandler(this);
        }

        /**
         * On ready: send what the window and gRPC's flow control allow.
         */
        public void run()
        {
            fill();
        }

        /**
         * {@inheritDoc}
         */
        public void onNext(final byte[] answer)
        {
            answered.lazySet(answered.get() + 1);
            fill();
        }

        /**
         * {@inheritDoc}
         */
        public void onError(final Throwable error)
        {
            running = false;
        }

        /**
         * {@inheritDoc}
         */
        public void onCompleted()
        {
            running = false;
        }

        long answered()
        {
            return answered.get();
        }

        void stop()
        {
            running = false;
            requests.cancel("benchmark over", null);
        }

        private void fill()
        {
            final long answeredNow = answered.get();
            while (running && sent - answeredNow < window && requests.isReady())
            {
                requests.onNext(request);
                sent++;
            }
        }
    }

    /**
     * Client side of the ping-pong: each answer's callback (on the event loop) records the round trip and sends the
     * next request.
     */
    static final class PingPongCall implements ClientResponseObserver<byte[], byte[]>
    {
        private final byte[] request;
        private final RoundTripRecorder recorder;
        private ClientCallStreamObserver<byte[]> requests;
        private volatile boolean running = true;

        PingPongCall(final byte[] request, final RoundTripRecorder recorder)
        {
            this.request = request;
            this.recorder = recorder;
        }

        /**
         * {@inheritDoc}
         */
        public void beforeStart(final ClientCallStreamObserver<byte[]> requests)
        {
            this.requests = requests;
        }

        /**
         * {@inheritDoc}
         */
        public void onNext(final byte[] answer)
        {
            if (running)
            {
                recorder.lap();
                requests.onNext(request);
            }
        }

        /**
         * {@inheritDoc}
         */
        public void onError(final Throwable error)
        {
            running = false;
        }

        /**
         * {@inheritDoc}
         */
        public void onCompleted()
        {
            running = false;
        }

        void first()
        {
            recorder.start();
            requests.onNext(request);
        }

        void stop()
        {
            running = false;
            requests.cancel("benchmark over", null);
        }
    }
}
