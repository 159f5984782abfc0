package io.vshard.transport.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/**
 * The identity of a node as carried in its certificate: a URI subject alternative name
 * {@code spiffe://<cluster>/node/<id>} with a decimal unsigned 64-bit id (wire section 3). Immutable; any thread.
 *
 * @param cluster the cluster name.
 * @param nodeId  the node id, unsigned.
 */
public record NodeIdentity(String cluster, long nodeId)
{
    /** URI scheme of node identities. */
    public static final String SCHEME = "spiffe://";

    /** Path element between cluster and node id. */
    public static final String NODE_PATH = "/node/";

    private static final int SAN_TYPE_URI = 6;

    /**
     * An identity.
     *
     * @param cluster the cluster name: letters, digits, '.', '-' and '_'.
     * @param nodeId  the node id.
     * @throws IllegalArgumentException for a malformed cluster name.
     */
    public NodeIdentity
    {
        if (!isValidCluster(cluster))
        {
            throw new IllegalArgumentException("invalid cluster name: cluster=" + cluster);
        }
    }

    /**
     * The URI this identity is written as.
     *
     * @return {@code spiffe://<cluster>/node/<id>}.
     */
    public String uri()
    {
        return SCHEME + cluster + NODE_PATH + Long.toUnsignedString(nodeId);
    }

    /**
     * Parse a node identity URI.
     *
     * @param uri the text.
     * @return the identity, or {@code null} when the text is not a node identity URI.
     */
    public static NodeIdentity parse(final String uri)
    {
        if (null == uri || !uri.startsWith(SCHEME))
        {
            return null;
        }
        final int nodeAt = uri.indexOf(NODE_PATH, SCHEME.length());
        if (nodeAt < 0)
        {
            return null;
        }
        final String cluster = uri.substring(SCHEME.length(), nodeAt);
        final String id = uri.substring(nodeAt + NODE_PATH.length());
        if (!isValidCluster(cluster) || id.isEmpty() || id.length() > 20 || !id.chars().allMatch(Character::isDigit))
        {
            return null;
        }
        try
        {
            return new NodeIdentity(cluster, Long.parseUnsignedLong(id));
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
    }

    /**
     * The node identity of a certificate: its only {@code spiffe://.../node/...} URI SAN.
     *
     * @param certificate to read.
     * @return the identity, or {@code null} when the certificate carries none or more than one.
     */
    public static NodeIdentity of(final X509Certificate certificate)
    {
        final Collection<List<?>> names;
        try
        {
            names = certificate.getSubjectAlternativeNames();
        }
        catch (final CertificateParsingException ex)
        {
            return null;
        }
        if (null == names)
        {
            return null;
        }
        NodeIdentity found = null;
        for (final List<?> name : names)
        {
            if (name.size() == 2 && Integer.valueOf(SAN_TYPE_URI).equals(name.get(0)))
            {
                final NodeIdentity identity = parse(String.valueOf(name.get(1)));
                if (null != identity)
                {
                    if (null != found)
                    {
                        return null;
                    }
                    found = identity;
                }
            }
        }
        return found;
    }

    /**
     * Whether a text is an acceptable cluster name.
     *
     * @param cluster the text.
     * @return true when non-empty and made of letters, digits, '.', '-' and '_'.
     */
    public static boolean isValidCluster(final String cluster)
    {
        if (null == cluster || cluster.isEmpty() || cluster.length() > 200)
        {
            return false;
        }
        for (int i = 0; i < cluster.length(); i++)
        {
            final char c = cluster.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 0x80) && c != '.' && c != '-' && c != '_')
            {
                return false;
            }
        }
        return true;
    }
}
