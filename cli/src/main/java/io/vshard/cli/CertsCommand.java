package io.vshard.cli;

import io.vshard.transport.tls.CertificateAuthority;
import io.vshard.transport.tls.NodeCertificate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code vshard certs}: create a cluster CA (or reuse the one in the output directory) and issue a node certificate
 * with the SPIFFE URI SAN, for real mutual TLS between nodes.
 */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    description = {
        "Issue a node certificate from the cluster CA in --out, creating the CA first if needed.",
        "Writes ca.pem, ca.key (keep it safe), node-<id>.pem and node-<id>.key; run once per node id."})
public final class CertsCommand implements Callable<Integer>
{
    @Option(names = "--cluster", required = true, description = "Cluster name.")
    String cluster;

    @Option(names = "--node-id", required = true, description = "Node id to issue a certificate for.")
    long nodeId;

    @Option(names = "--out", required = true, description = "Directory of the CA and the node files.")
    File out;

    /**
     * Issue the certificate.
     *
     * @return the exit status.
     */
    public Integer call()
    {
        final Path dir = out.toPath();
        final CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, cluster);
        final NodeCertificate node = ca.issue(nodeId);
        final Path certFile = node.write(dir);
        System.out.println("node " + node.identity().uri() + ":");
        System.out.println("  --cert " + certFile);
        System.out.println("  --key  " + dir.resolve(NodeCertificate.baseName(nodeId) + NodeCertificate.KEY_SUFFIX));
        System.out.println("  --ca   " + dir.resolve(CertificateAuthority.CA_CERT_FILE));
        return 0;
    }
}
