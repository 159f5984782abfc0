package io.vshard.transport;

import io.netty.util.internal.PlatformDependent;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * The {@code --add-opens} flags the JVM needs for the node and the transport, checked once at start-up, the way
 * {@link QuicRuntime#ensureAvailable()} checks the native part.
 * <ul>
 *   <li>{@value #AGRONA_FLAG} is required: Agrona 2 reaches {@code jdk.internal.misc.Unsafe}, and without the flag
 *   the first buffer fails with {@code IllegalAccessError: class org.agrona.UnsafeApi ... does not export
 *   jdk.internal.misc}. Missing, {@link #ensure()} throws with a message naming it.</li>
 *   <li>{@value #NETTY_NIO_FLAG} and {@value #NETTY_NIO_CH_FLAG} let Netty reach direct buffers without fallbacks;
 *   missing, one warning names them and the node runs.</li>
 * </ul>
 * Control plane; any thread.
 */
public final class JvmFlags
{
    /** Required by Agrona 2 on Java 17 and later. */
    public static final String AGRONA_FLAG = "--add-opens java.base/jdk.internal.misc=ALL-UNNAMED";

    /** Used by Netty for direct buffers. */
    public static final String NETTY_NIO_FLAG = "--add-opens java.base/java.nio=ALL-UNNAMED";

    /** Used by Netty for direct buffers and channels. */
    public static final String NETTY_NIO_CH_FLAG = "--add-opens java.base/sun.nio.ch=ALL-UNNAMED";

    private static final System.Logger LOG = System.getLogger("io.vshard.transport");
    private static volatile boolean checked;

    private JvmFlags()
    {
    }

    /**
     * Check the flags once per JVM: throw when a required one is missing, warn once when a recommended one is.
     *
     * @throws IllegalStateException naming every missing flag when a required one is missing.
     */
    public static void ensure()
    {
        if (checked)
        {
            return;
        }
        synchronized (JvmFlags.class)
        {
            if (checked)
            {
                return;
            }
            final String warning = check((pkg, module) -> Object.class.getModule().isOpen(pkg, module),
                UnsafeBuffer.class.getModule(), PlatformDependent.class.getModule());
            if (null != warning)
            {
                LOG.log(System.Logger.Level.WARNING, warning);
            }
            checked = true;
        }
    }

    /**
     * The check, with how to ask whether a {@code java.base} package is open to a module.
     *
     * @param isOpen       whether {@code java.base} opens a package to a module.
     * @param agronaModule the module Agrona's classes are in.
     * @param nettyModule  the module Netty's classes are in.
     * @return a warning to log for missing recommended flags, or null when all are present.
     * @throws IllegalStateException naming every missing flag when a required one is missing.
     */
    static String check(final BiPredicate<String, Module> isOpen, final Module agronaModule, final Module nettyModule)
    {
        final List<String> missing = new ArrayList<>(3);
        final boolean agrona = isOpen.test("jdk.internal.misc", agronaModule);
        if (!agrona)
        {
            missing.add(AGRONA_FLAG);
        }
        if (!isOpen.test("java.nio", nettyModule))
        {
            missing.add(NETTY_NIO_FLAG);
        }
        if (!isOpen.test("sun.nio.ch", nettyModule))
        {
            missing.add(NETTY_NIO_CH_FLAG);
        }
        if (!agrona)
        {
            throw new IllegalStateException("the JVM lacks flags vshard needs (Agrona 2 reaches jdk.internal.misc, " +
                "Netty java.nio and sun.nio.ch); start java with: " + String.join(" ", missing));
        }
        return missing.isEmpty() ? null : "the JVM lacks flags Netty uses for direct buffers (it falls back, " +
            "slower); start java with: " + String.join(" ", missing);
    }
}
