package io.vshard.transport.hardening;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@link ChildNodeMain} in a JVM of its own (same java, same class path) and waits for its port; can kill it
 * with SIGKILL or stop it gracefully. Its output goes to a log file in the node directory.
 */
public final class ChildNode implements AutoCloseable
{
    private final Process process;
    private final int port;

    private ChildNode(final Process process, final int port)
    {
        this.process = process;
        this.port = port;
    }

    /**
     * Start a child node and wait until it serves.
     *
     * @param nodeDir   its directory (counters file).
     * @param caDir     holding the cluster CA.
     * @param timeoutMs how long to wait for its port.
     * @return the running child.
     */
    public static ChildNode start(final Path nodeDir, final Path caDir, final long timeoutMs)
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx256m");
        command.add("--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
        command.add("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ChildNodeMain.class.getName());
        command.add(nodeDir.toString());
        command.add(caDir.toString());
        try
        {
            final File log = nodeDir.resolveSibling(nodeDir.getFileName() + "-child.log").toFile();
            final Process process = new ProcessBuilder(command).redirectError(log).start();
            final BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            String line;
            while (null != (line = out.readLine()))
            {
                if (line.startsWith(ChildNodeMain.PORT_PREFIX))
                {
                    return new ChildNode(process, Integer.parseInt(line.substring(ChildNodeMain.PORT_PREFIX.length())));
                }
                if (System.nanoTime() > deadlineNs)
                {
                    break;
                }
            }
            process.destroyForcibly();
            throw new IllegalStateException("child node did not start; see " + log);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Where it serves.
     *
     * @return 127.0.0.1 and its port.
     */
    public InetSocketAddress address()
    {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /**
     * Its process id.
     *
     * @return the pid.
     */
    public long pid()
    {
        return process.pid();
    }

    /**
     * kill -9: no shutdown hook, no drain, no unmapping.
     *
     * @return the exit code.
     */
    public int kill()
    {
        process.destroyForcibly();
        return waitFor();
    }

    /**
     * Stop gracefully: close its input, wait for it to drain and exit; kill it if it does not in time.
     */
    public void close()
    {
        if (!process.isAlive())
        {
            return;
        }
        try
        {
            process.getOutputStream().close();
            if (!process.waitFor(15, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
            }
        }
        catch (final IOException ex)
        {
            process.destroyForcibly();
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private int waitFor()
    {
        try
        {
            return process.waitFor();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
