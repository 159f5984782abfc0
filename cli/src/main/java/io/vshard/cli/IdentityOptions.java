package io.vshard.cli;

import io.vshard.transport.CommonContext;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.Properties;

/**
 * The options that say who a process is on the cluster and how it proves it: shared by {@code node}, {@code load}.
 * None has a default here: an option left unset leaves what the context already holds (its default, a system
 * property or a {@code --config} file's value).
 */
final class IdentityOptions
{
    @Option(names = "--cluster", description = "Cluster name (default: vshard.transport.cluster, else vshard).")
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
     * Apply what was given to a transport context, after its {@code --config} settings.
     *
     * @param ctx    the context.
     * @param nodeId this process's node id, or null to leave the context's.
     * @param config the settings the context was given from a file (empty when none), to tell whether it names the
     *               TLS material.
     * @throws IllegalArgumentException when neither the options nor the settings give a TLS identity, or when
     *                                  {@code --dev} is mixed with certificate files.
     */
    void applyTo(final CommonContext<?> ctx, final Long nodeId, final Properties config)
    {
        if (null != cluster)
        {
            ctx.cluster(cluster);
        }
        if (null != nodeId)
        {
            ctx.nodeId(nodeId);
        }
        final boolean files = null != cert || null != key || null != ca;
        if (dev && files)
        {
            throw new IllegalArgumentException("--dev and --cert/--key/--ca exclude each other");
        }
        if (null != cert)
        {
            ctx.tlsCertFile(cert.toPath());
        }
        if (null != key)
        {
            ctx.tlsKeyFile(key.toPath());
        }
        if (null != ca)
        {
            ctx.tlsCaFile(ca.toPath());
        }
        if (dev)
        {
            ctx.dev(true);
        }
        if (null != devCaDir)
        {
            ctx.devCaDir(devCaDir.toPath());
        }
        if (!files && !ctx.dev() && !namesTlsMaterial(config))
        {
            throw new IllegalArgumentException("no TLS identity: give --cert, --key and --ca (see 'vshard certs'), "
                + "or the vshard.transport.tls.*.file settings in --config, or --dev for loopback development");
        }
    }

    /**
     * Whether development mode is on, by option or by setting.
     *
     * @param ctx the context, after {@link #applyTo}.
     * @return true in development mode.
     */
    boolean dev(final CommonContext<?> ctx)
    {
        return dev || ctx.dev();
    }

    private static boolean namesTlsMaterial(final Properties config)
    {
        for (final String name : new String[]{
            CommonContext.TLS_CERT_FILE_PROP_NAME, CommonContext.TLS_KEY_FILE_PROP_NAME,
            CommonContext.TLS_CA_FILE_PROP_NAME})
        {
            if (null != config.getProperty(name) || null != System.getProperty(name))
            {
                return true;
            }
        }
        return false;
    }
}
