package io.vshard.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * {@code vshard exporter}: a separate process beside a node that serves the node's counters file as OpenMetrics text
 * on {@code /metrics}, with the JDK's built-in HTTP server (no dependency, and the node itself opens no port). Each
 * scrape maps the file afresh, so a restarted node is picked up; a node that does not run is reported as
 * {@code vshard_up 0}.
 */
@Command(
    name = "exporter",
    mixinStandardHelpOptions = true,
    description = "Serve a node's counters and latency as OpenMetrics (Prometheus) text on http://LISTEN/metrics.")
public final class ExporterCommand implements Callable<Integer>
{
    @Option(names = "--dir", required = true, description = "The node's --dir.")
    File dir;

    @Option(names = "--listen", defaultValue = "127.0.0.1:9420", description = "host:port (default ${DEFAULT-VALUE}).")
    String listen;

    private volatile HttpServer server;
    private final CountDownLatch started = new CountDownLatch(1);

    /**
     * Serve until the process is stopped.
     *
     * @return never, but 0 when interrupted.
     * @throws Exception when the address cannot be bound.
     */
    public Integer call() throws Exception
    {
        final int colon = listen.lastIndexOf(':');
        if (colon < 1)
        {
            throw new IllegalArgumentException("--listen must be host:port: listen=" + listen);
        }
        final InetSocketAddress address = new InetSocketAddress(
            listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1)));
        final HttpServer http = HttpServer.create(address, 16);
        http.createContext("/metrics", this::metrics);
        http.setExecutor(Executors.newSingleThreadExecutor((r) ->
        {
            final Thread thread = new Thread(r, "vshard-exporter");
            thread.setDaemon(true);
            return thread;
        }));
        http.start();
        server = http;
        System.out.println("vshard exporter: serving " + dir + " on http://" + listen.substring(0, colon) + ":" +
            http.getAddress().getPort() + "/metrics");
        System.out.flush();
        started.countDown();
        try
        {
            new CountDownLatch(1).await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            http.stop(0);
        }
        return 0;
    }

    /**
     * The bound port once serving, for tests that listen on port 0.
     *
     * @return the port.
     * @throws InterruptedException when interrupted while waiting for the start.
     */
    int awaitPort() throws InterruptedException
    {
        started.await();
        return server.getAddress().getPort();
    }

    private void metrics(final HttpExchange exchange) throws IOException
    {
        try (exchange)
        {
            if (!"GET".equals(exchange.getRequestMethod()))
            {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            NodeStatus status;
            try
            {
                status = NodeStatus.read(dir);
            }
            catch (final RuntimeException noFileOrNotYetWritten)
            {
                status = null;
            }
            final byte[] body = OpenMetricsFormat.format(status).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", OpenMetricsFormat.CONTENT_TYPE);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(body);
            }
        }
    }
}
