package io.vshard.transport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Development mode announces itself: resolving a certificate from the development CA logs a WARNING naming the CA
 * directory and the cluster, on the server and on the client side; a node with its own certificate logs none. The
 * {@code System.Logger} of {@code io.vshard.transport} goes to {@code java.util.logging} here (no other backend on
 * the test class path), where a handler captures it.
 */
class DevModeWarningTest
{
    @TempDir
    Path dir;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger("io.vshard.transport");
    private final Handler capture = new Handler()
    {
        public void publish(final LogRecord record)
        {
            records.add(record);
        }

        public void flush()
        {
        }

        public void close()
        {
        }
    };

    @BeforeEach
    void setUp()
    {
        capture.setLevel(Level.ALL);
        logger.addHandler(capture);
    }

    @AfterEach
    void tearDown()
    {
        logger.removeHandler(capture);
    }

    @Test
    void shouldWarnLoudlyWhenAServerUsesTheDevelopmentCa()
    {
        final Path caDir = dir.resolve("dev-ca");
        final ServerContext ctx = new ServerContext().dev(true).devCaDir(caDir).cluster("devwarn").nodeId(3).conclude();

        assertThat(ctx.nodeCertificate().identity().uri()).isEqualTo("spiffe://devwarn/node/3");
        assertThat(developmentWarnings()).singleElement().satisfies((record) ->
        {
            assertThat(record.getLevel()).isEqualTo(Level.WARNING);
            assertThat(record.getMessage())
                .contains("DEVELOPMENT MODE", "throwaway CA in " + caDir, "cluster 'devwarn'", "Loopback use only");
        });
    }

    @Test
    void shouldWarnLoudlyWhenAClientUsesTheDevelopmentCa()
    {
        final Path caDir = dir.resolve("dev-ca");
        new ClientContext().dev(true).devCaDir(caDir).cluster("devwarn").nodeId(4).conclude();

        assertThat(developmentWarnings()).singleElement()
            .satisfies((record) -> assertThat(record.getLevel()).isEqualTo(Level.WARNING));
    }

    @Test
    void shouldNotWarnWithACertificateOfItsOwn()
    {
        final Path caDir = dir.resolve("dev-ca");
        final var issued = new ServerContext().dev(true).devCaDir(caDir).cluster("devwarn").nodeId(5).conclude()
            .nodeCertificate();
        records.clear();

        new ServerContext().nodeCertificate(issued).conclude();

        assertThat(developmentWarnings()).isEmpty();
    }

    private List<LogRecord> developmentWarnings()
    {
        return records.stream().filter((r) -> null != r.getMessage() && r.getMessage().contains("DEVELOPMENT"))
            .toList();
    }
}
