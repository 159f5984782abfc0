package io.vshard.cli;

import io.vshard.transport.CommonContext;
import picocli.CommandLine.Option;

import java.io.File;

/**
 * The options that say who a process is on the cluster and how it proves it: shared by {@code node}, {@code load}.
 */
final class IdentityOptions
{
    @Option(names = "--cluster", defaultValue = "vshard", description = "Cluster name (default ${DEFAULT-VALUE}).")
    String cluster;

    @Option(names = "--cert", description = "PEM certificate of this node (from 'vshard certs').")
    File cert;

    @Option(names = "--key", description = "PEM private key of this node.")
    File key;

    @Option(names = "--ca", description = "PEM certificate of the cluster CA.")
    File ca;

    @Option(names = "--dev", description = "Development mode: a throwaway CA shared by your dev-mode nodes and "
        + "clients (see --dev-ca-dir), certificates issued from it. Loopback use only.")
    boolean dev;

    @Option(names = "--dev-ca-dir", description = "With --dev: the development CA directory, yours and writable by "
        + "no one else (default $TMPDIR/vshard-dev-ca-$USER).")
    File devCaDir;

    /**
     * Apply to a transport context.
     *
     * @param ctx    the context.
     * @param nodeId this process's node id.
     */
    void applyTo(final CommonContext<?> ctx, final long nodeId)
    {
        ctx.cluster(cluster).nodeId(nodeId);
        if (null != cert || null != key || null != ca)
        {
            if (null == cert || null == key || null == ca)
            {
                throw new IllegalArgumentException("give all of --cert, --key and --ca, or --dev");
            }
            ctx.tlsCertFile(cert.toPath()).tlsKeyFile(key.toPath()).tlsCaFile(ca.toPath());
        }
        else if (dev)
        {
            ctx.dev(true);
            if (null != devCaDir)
            {
                ctx.devCaDir(devCaDir.toPath());
            }
        }
        else
        {
            throw new IllegalArgumentException("no TLS identity: give --cert, --key and --ca (see 'vshard certs'), "
                + "or --dev for loopback development");
        }
    }
}
