package io.vshard.transport.server;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Connections in their handshake, counted apart from the established ones: at most {@code maxTotal} at once, at most
 * {@code maxPerAddress} from one source IP address. A handshake costs the server a TLS exchange and state until it
 * completes or times out, so these limits keep one flooding address from filling either the server's handshake room
 * or its connection limit. Any I/O thread; handshakes are the control plane.
 */
final class HandshakeAdmission
{
    /** Admitted: count it down with {@link #release(InetAddress)} when the handshake ends, whatever its outcome. */
    static final int ADMITTED = 0;

    /** Refused: the server holds its maximum of handshakes. */
    static final int OVER_TOTAL = 1;

    /** Refused: the source address holds its maximum of handshakes. */
    static final int OVER_ADDRESS = 2;

    private final int maxTotal;
    private final int maxPerAddress;
    private final Map<InetAddress, int[]> perAddress = new HashMap<>();
    private int total;

    HandshakeAdmission(final int maxTotal, final int maxPerAddress)
    {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    /**
     * A connection begins its handshake.
     *
     * @param address the peer's IP address, or null when unknown (counted against the total only).
     * @return {@link #ADMITTED}, {@link #OVER_TOTAL} or {@link #OVER_ADDRESS}.
     */
    synchronized int admit(final InetAddress address)
    {
        if (total >= maxTotal)
        {
            return OVER_TOTAL;
        }
        if (null != address)
        {
            final int[] count = perAddress.computeIfAbsent(address, (a) -> new int[1]);
            if (count[0] >= maxPerAddress)
            {
                return OVER_ADDRESS;
            }
            count[0]++;
        }
        total++;
        return ADMITTED;
    }

    /**
     * An admitted handshake ended: completed, failed, timed out or closed.
     *
     * @param address as given to {@link #admit(InetAddress)}.
     */
    synchronized void release(final InetAddress address)
    {
        total--;
        if (null != address)
        {
            final int[] count = perAddress.get(address);
            if (null != count && --count[0] <= 0)
            {
                perAddress.remove(address);
            }
        }
    }

    /**
     * Handshakes in progress.
     *
     * @return the count.
     */
    synchronized int inProgress()
    {
        return total;
    }

    /**
     * Handshakes in progress from one address.
     *
     * @param address the peer's IP address.
     * @return the count.
     */
    synchronized int inProgress(final InetAddress address)
    {
        final int[] count = perAddress.get(address);
        return null == count ? 0 : count[0];
    }
}
