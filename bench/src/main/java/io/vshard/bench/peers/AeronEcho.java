package io.vshard.bench.peers;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.vshard.bench.BenchFiles;
import io.vshard.bench.BenchJvm;
import io.vshard.bench.quic.QuicEndToEnd;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
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

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Aeron, the fastest JVM messaging, echoing {@code payload}-byte messages over UDP unicast on loopback: one embedded
 * media driver in {@link ThreadingMode#SHARED} mode (conductor, sender and receiver on one thread, the mode for a
 * 2-core machine), its directory in a temporary directory under {@code /dev/shm} (deleted at the end), one client,
 * one publication each way, an echo thread that polls the requests and offers each back. The driver thread, the
 * echo thread and the benchmark thread all wait with the {@code idle} strategy ({@code yielding} by default;
 * {@code backoff} and {@code sleeping} for a shared machine or a smoke test). Aeron does not encrypt: it is the
 * unencrypted ceiling, not a like-for-like peer of the node or of gRPC.
 * <ul>
 * <li>{@code pipelinedEcho}: the benchmark thread polls answers and offers requests while fewer than
 * {@link QuicEndToEnd#WINDOW_PER_STREAM} are unanswered and the publication takes them; aux {@code roundTrips} is
 * the rate, {@code cpuNs} the process CPU per second.</li>
 * <li>{@code pingPong}: one request in flight; the benchmark thread offers it and polls the answer itself (no
 * hand-off, the Aeron way of the callback-driven ping-pong): {@link Mode#SampleTime} percentiles.</li>
 * </ul>
 */
@Fork(value = BenchJvm.FORKS, jvmArgsAppend = {
    BenchJvm.OPENS_MISC, BenchJvm.OPENS_NIO, BenchJvm.OPENS_NIO_CH, BenchJvm.XMS, BenchJvm.XMX, BenchJvm.PRE_TOUCH})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class AeronEcho
{
    private static final int REQUEST_STREAM_ID = 1001;
    private static final int ANSWER_STREAM_ID = 1002;
    private static final int FRAGMENT_LIMIT = 64;
    private static final long COUNT_SAMPLE_MASK = 255;
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    /**
     * Driver, client, the two publications and the echo thread.
     */
    @State(Scope.Benchmark)
    public static class Pair implements FragmentHandler
    {
        /** Message bytes each way. */
        @Param({ "64", "1024" })
        public int payload;

        /** Idle strategy of the driver, the echo thread and the benchmark thread: yielding, backoff or sleeping. */
        @Param({ "yielding" })
        public String idle;

        UnsafeBuffer request;
        ExclusivePublication requests;
        Subscription answers;
        IdleStrategy idleStrategy;
        long sent;
        long answered;
        long invocations;
        private Path dir;
        private MediaDriver driver;
        private Aeron aeron;
        private AgentRunner echo;

        /**
         * Launch the driver, connect both directions, start the echo thread.
         *
         * @throws IOException when the temporary directory cannot be made.
         */
        @Setup(Level.Trial)
        public void start() throws IOException
        {
            final File shm = new File("/dev/shm");
            dir = shm.isDirectory() && shm.canWrite() ?
                Files.createTempDirectory(shm.toPath(), "aeron-echo") : Files.createTempDirectory("aeron-echo");
            final String aeronDir = dir.resolve("driver").toString();
            driver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(aeronDir)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(idleStrategy(idle))
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));

            final Subscription echoRequests = aeron.addSubscription("aeron:udp?endpoint=127.0.0.1:0",
                REQUEST_STREAM_ID);
            answers = aeron.addSubscription("aeron:udp?endpoint=127.0.0.1:0", ANSWER_STREAM_ID);
            requests = aeron.addExclusivePublication(
                "aeron:udp?endpoint=" + resolvedEndpoint(echoRequests), REQUEST_STREAM_ID);
            final ExclusivePublication echoAnswers = aeron.addExclusivePublication(
                "aeron:udp?endpoint=" + resolvedEndpoint(answers), ANSWER_STREAM_ID);
            awaitConnected(requests);
            awaitConnected(echoAnswers);

            request = new UnsafeBuffer(new byte[payload]);
            for (int i = 0; i < payload; i++)
            {
                request.putByte(i, (byte)i);
            }
            idleStrategy = idleStrategy(idle);
            echo = new AgentRunner(idleStrategy(idle), Throwable::printStackTrace, null,
                new EchoAgent(echoRequests, echoAnswers));
            AgentRunner.startOnThread(echo);
            System.out.printf("%n  Aeron %s: UDP unicast on loopback, driver %s, idle %s, no encryption%n",
                io.aeron.AeronVersion.VERSION, ThreadingMode.SHARED, idleStrategy.getClass().getSimpleName());
        }

        /**
         * Stop the echo thread, close client and driver, delete the driver's directory.
         */
        @TearDown(Level.Trial)
        public void stop()
        {
            echo.close();
            aeron.close();
            driver.close();
            BenchFiles.deleteTree(dir);
        }

        /**
         * An answer came back. Benchmark thread, inside a poll.
         *
         * @param buffer holding the answer.
         * @param offset of the answer.
         * @param length of the answer.
         * @param header of the frame.
         */
        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            answered++;
        }

        private static String resolvedEndpoint(final Subscription subscription)
        {
            final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
            String endpoint;
            while (null == (endpoint = subscription.resolvedEndpoint()))
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw new IllegalStateException("subscription endpoint not resolved: " + subscription.channel());
                }
                sleepMs(1);
            }
            return endpoint;
        }

        private static void awaitConnected(final Publication publication)
        {
            final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
            while (!publication.isConnected())
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw new IllegalStateException("publication not connected: " + publication.channel());
                }
                sleepMs(1);
            }
        }
    }

    /**
     * The echo side: polls the requests and offers each back; a back-pressured answer aborts the fragment, which the
     * next poll delivers again.
     */
    static final class EchoAgent implements Agent, ControlledFragmentHandler
    {
        private final Subscription requests;
        private final ExclusivePublication answers;

        EchoAgent(final Subscription requests, final ExclusivePublication answers)
        {
            this.requests = requests;
            this.answers = answers;
        }

        /**
         * {@inheritDoc}
         */
        public int doWork()
        {
            return requests.controlledPoll(this, FRAGMENT_LIMIT);
        }

        /**
         * {@inheritDoc}
         */
        public String roleName()
        {
            return "aeron-echo";
        }

        /**
         * {@inheritDoc}
         */
        public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            return answers.offer(buffer, offset, length) > 0 ? Action.CONTINUE : Action.ABORT;
        }
    }

    /**
     * Pipelined echo: one invocation polls the answers and offers as many requests as the window and the publication
     * take, idling when it did nothing.
     *
     * @param pair     the driver and publications.
     * @param counters aux {@code roundTrips} and {@code cpuNs}.
     * @return work done, for the blackhole.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int pipelinedEcho(final Pair pair, final RoundTripCounters counters)
    {
        int work = pair.answers.poll(pair, FRAGMENT_LIMIT);
        final long window = QuicEndToEnd.WINDOW_PER_STREAM;
        while (pair.sent - pair.answered < window && pair.requests.offer(pair.request, 0, pair.payload) > 0)
        {
            pair.sent++;
            work++;
        }
        if (0 == (pair.invocations++ & COUNT_SAMPLE_MASK))
        {
            counters.update(pair.answered);
        }
        pair.idleStrategy.idle(work);
        return work;
    }

    /**
     * One request and its answer, the benchmark thread polling for it.
     *
     * @param pair the driver and publications.
     * @return answers so far, for the blackhole.
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long pingPong(final Pair pair)
    {
        final IdleStrategy idle = pair.idleStrategy;
        long result;
        while ((result = pair.requests.offer(pair.request, 0, pair.payload)) < 0)
        {
            if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
            {
                throw new IllegalStateException("publication refused the request: " + result);
            }
            idle.idle();
        }
        idle.reset();
        final long expected = pair.answered + 1;
        while (pair.answered < expected)
        {
            idle.idle(pair.answers.poll(pair, 1));
        }
        return pair.answered;
    }

    static IdleStrategy idleStrategy(final String name)
    {
        switch (name)
        {
            case "yielding":
                return new YieldingIdleStrategy();
            case "backoff":
                return new BackoffIdleStrategy();
            case "sleeping":
                return new SleepingIdleStrategy();
            default:
                throw new IllegalArgumentException("unknown idle strategy: idle=" + name);
        }
    }

    private static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }
}
