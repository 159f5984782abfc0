package io.vshard.bench;

/**
 * The JVM flags every benchmark fork runs with: those the node's launch scripts pass (Agrona on Java 17 needs the
 * {@code --add-opens}), a fixed, pre-touched heap so that heap sizing never shows in a figure, and the ring size
 * shared by the pipeline and its baselines. Annotation values must be constants, hence one constant per flag:
 * <pre>
 * &#64;Fork(value = 2, jvmArgsAppend = {
 *     BenchJvm.OPENS_MISC, BenchJvm.OPENS_NIO, BenchJvm.OPENS_NIO_CH, BenchJvm.XMS, BenchJvm.XMX, BenchJvm.PRE_TOUCH})
 * </pre>
 * Add system properties to forks from the command line with {@code -jvmArgsPrepend}: a {@code -jvmArgsAppend} given
 * there replaces these.
 */
public final class BenchJvm
{
    /** Agrona's off-heap access. */
    public static final String OPENS_MISC = "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED";

    /** Direct buffer addresses. */
    public static final String OPENS_NIO = "--add-opens=java.base/java.nio=ALL-UNNAMED";

    /** Buffer freeing. */
    public static final String OPENS_NIO_CH = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";

    /** Fixed initial heap. */
    public static final String XMS = "-Xms1g";

    /** Fixed maximum heap. */
    public static final String XMX = "-Xmx1g";

    /** Touch the heap at start so that first-use page faults do not land in a measurement. */
    public static final String PRE_TOUCH = "-XX:+AlwaysPreTouch";

    /**
     * Netty's buffer leak detector off: by default it records a stack trace for one buffer in 128, which costs the
     * QUIC benchmarks (bare and node alike) a few percent and some allocation. Tests run it at PARANOID instead.
     */
    public static final String NO_LEAK_DETECTION = "-Dio.netty.leakDetection.level=disabled";

    /**
     * The same for the Netty inside {@code grpc-netty-shaded}, whose relocated classes read their properties under
     * the relocated prefix: the gRPC peer runs without the leak detector, as the node does.
     */
    public static final String GRPC_NO_LEAK_DETECTION =
        "-Dio.grpc.netty.shaded.io.netty.leakDetection.level=disabled";

    /** Forks per benchmark: figures move between JVMs on this kind of machine, so never fewer than two. */
    public static final int FORKS = 2;

    /** Slots in every ring: the pipeline's lanes ({@code vshard.lane.ring.size} default) and the baselines. */
    public static final int RING_SIZE = 4096;

    /** System property: shorten harness runs to a smoke test (a few milliseconds), for the CI smoke test. */
    public static final String SMOKE_PROP_NAME = "vshard.bench.smoke";

    /** Hot toggle, read once per fork. */
    public static final boolean SMOKE = Boolean.getBoolean(SMOKE_PROP_NAME);

    /** System property: directory the latency harness writes its {@code .hgrm} files into. */
    public static final String RESULTS_DIR_PROP_NAME = "vshard.bench.results";

    /** Default results directory, relative to the working directory (the repository root). */
    public static final String RESULTS_DIR_DEFAULT = "bench/results/latest";

    private BenchJvm()
    {
    }
}
