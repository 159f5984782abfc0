package io.vshard.transport.server;

import java.net.SocketAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The connection attempts refused lately, so that each is counted once. A refused peer that has not heard the
 * refusal yet goes on sending Initial packets (a retransmission, an acknowledgement); the codec, which has forgotten
 * the closed connection, takes each for a new one, and the server refuses it again. Those packets carry the peer's
 * address and its own connection id, which name the attempt; quiche mostly drops such a packet and closes the new
 * connection before the server gets to refuse it, when only the address tells it apart from a failed handshake.
 * Attempts and addresses are remembered for {@code windowNs}, at most {@code capacity} of them (the oldest forgotten
 * first, so that a flood of distinct attempts beyond it may count a trailing packet again). The price: a handshake
 * that fails, unrefused, from an address refused within the window is not counted. Any I/O thread; refusals are the
 * control plane.
 */
final class RefusalLog
{
    private final long windowNs;
    private final int capacity;
    private final LinkedHashMap<Object, Long> recent = new LinkedHashMap<>();

    RefusalLog(final long windowNs, final int capacity)
    {
        this.windowNs = windowNs;
        this.capacity = capacity;
    }

    /**
     * Note the close of a connection that never got past its handshake.
     *
     * @param attempt the attempt the server refused, or null when it closed before or without the server's refusal
     *                (a handshake that failed; or a trailing packet of an attempt refused lately, which quiche drops).
     * @param peer    the peer's UDP address, or null when unknown.
     * @param nowNs   the time now.
     * @return true when this is a refusal to count: an attempt not refused within the window, or a failed handshake
     *         from an address with no refusal within the window.
     */
    synchronized boolean countRefusal(final Object attempt, final SocketAddress peer, final long nowNs)
    {
        final Iterator<Map.Entry<Object, Long>> oldestFirst = recent.entrySet().iterator();
        while (oldestFirst.hasNext())
        {
            if (nowNs - oldestFirst.next().getValue() < windowNs)
            {
                break;
            }
            oldestFirst.remove();
        }
        if (null == attempt)
        {
            return null == peer || !recent.containsKey(peer);
        }
        if (recent.containsKey(attempt))
        {
            return false;
        }
        remember(attempt, nowNs);
        if (null != peer)
        {
            recent.remove(peer);
            remember(peer, nowNs);
        }
        return true;
    }

    private void remember(final Object key, final long nowNs)
    {
        if (recent.size() >= capacity)
        {
            final Iterator<Object> oldest = recent.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        recent.put(key, nowNs);
    }
}
