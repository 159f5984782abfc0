package io.vshard.transport.hardening;

import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.EnvelopeFlyweight;
import io.vshard.core.wire.MessageType;
import io.vshard.transport.TestNode;
import io.vshard.transport.client.QuicClient;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends the requests of a {@link RequestLedger} through a {@link QuicClient}, pipelined over its streams, waiting
 * (parked, never spinning) while the client's send queues are full or it reconnects.
 */
public final class LedgerTraffic
{
    private static final long BACK_OFF_NS = TimeUnit.MICROSECONDS.toNanos(50);

    private LedgerTraffic()
    {
    }

    /**
     * Send requests {@code from..to} of a ledger.
     *
     * @param client     connected.
     * @param ledger     books them.
     * @param from       first request number, 1-based.
     * @param to         last request number, inclusive.
     * @param type       message type of every request (its target decides the lane).
     * @param source     source node: the client's certificate id.
     * @param deadlineNs give up (return early) after this {@link System#nanoTime()}.
     * @return the last request number sent.
     */
    public static int send(
        final QuicClient client,
        final RequestLedger ledger,
        final int from,
        final int to,
        final MessageType type,
        final long source,
        final long deadlineNs)
    {
        return send(client, ledger, from, to, type, source, deadlineNs, Integer.MAX_VALUE, RequestLedger.PAYLOAD_LENGTH);
    }

    /**
     * Send requests {@code from..to} of a ledger, at most {@code maxInFlight} without an outcome at any time.
     *
     * @param client      connected.
     * @param ledger      books them.
     * @param from        first request number, 1-based.
     * @param to          last request number, inclusive.
     * @param type        message type of every request (its target decides the lane).
     * @param source      source node: the client's certificate id.
     * @param deadlineNs  give up (return early) after this {@link System#nanoTime()}.
     * @param maxInFlight requests sent and not yet reported, at most.
     * @param payloadLength of each request, at least {@link RequestLedger#PAYLOAD_LENGTH}.
     * @return the last request number sent.
     */
    public static int send(
        final QuicClient client,
        final RequestLedger ledger,
        final int from,
        final int to,
        final MessageType type,
        final long source,
        final long deadlineNs,
        final int maxInFlight,
        final int payloadLength)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[EnvelopeDescriptor.HEADER_LENGTH + payloadLength]);
        final EnvelopeFlyweight envelope = new EnvelopeFlyweight().wrap(buffer, 0);
        final int streams = client.streamCount();
        for (int i = from; i <= to; i++)
        {
            envelope.header(type.code(), source, TestNode.SERVER_ID, i, payloadLength);
            RequestLedger.payload(buffer, envelope.payloadOffset(), i);
            while (i - from - ledger.outcomes() >= maxInFlight)
            {
                if (System.nanoTime() > deadlineNs)
                {
                    return i - 1;
                }
                LockSupport.parkNanos(BACK_OFF_NS);
            }
            long id;
            while ((id = client.request(i % streams, buffer, 0, buffer.capacity())) < 0)
            {
                if (QuicClient.CLOSED == id || System.nanoTime() > deadlineNs)
                {
                    return i - 1;
                }
                LockSupport.parkNanos(BACK_OFF_NS);
            }
            ledger.sent(i, id);
        }
        return to;
    }
}
