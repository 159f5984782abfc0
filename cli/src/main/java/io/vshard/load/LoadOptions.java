package io.vshard.load;

import io.vshard.core.wire.MessageType;

import java.util.List;

/**
 * What a load run sends.
 *
 * @param streams       streams of the client connection, used round-robin.
 * @param rate          envelopes per second, 0 for as fast as flow control allows.
 * @param durationNs    how long to send, or 0 to send {@code count} envelopes.
 * @param count         how many envelopes to send when {@code durationNs} is 0.
 * @param payloadLength bytes of payload per envelope.
 * @param types         the message types sent, round-robin.
 * @param request       true to wait for answers (request/reply), false for fire-and-forget.
 * @param sourceNode    the client's node id, as in its certificate.
 * @param targetNode    the server's node id.
 * @param vshards       vshard ids are spread over {@code [0, vshards)}.
 * @param progress      print a progress line every second.
 * @param window        most requests in flight, in [1, {@link LoadGenerator#WINDOW}].
 */
public record LoadOptions(
    int streams,
    long rate,
    long durationNs,
    long count,
    int payloadLength,
    List<MessageType> types,
    boolean request,
    long sourceNode,
    long targetNode,
    int vshards,
    boolean progress,
    int window)
{
    /**
     * Validating constructor.
     *
     * @param streams       at least 1.
     * @param rate          at least 0.
     * @param durationNs    at least 0.
     * @param count         at least 1 when durationNs is 0.
     * @param payloadLength at least 0.
     * @param types         not empty.
     * @param request       mode.
     * @param sourceNode    client id.
     * @param targetNode    server id.
     * @param vshards       at least 1.
     * @param progress      progress lines.
     * @param window        most requests in flight.
     */
    public LoadOptions
    {
        if (streams < 1 || rate < 0 || durationNs < 0 || payloadLength < 0 || vshards < 1)
        {
            throw new IllegalArgumentException("invalid load options: streams=" + streams + " rate=" + rate +
                " durationNs=" + durationNs + " payload=" + payloadLength + " vshards=" + vshards);
        }
        if (0 == durationNs && count < 1)
        {
            throw new IllegalArgumentException("give a duration or a count >= 1: count=" + count);
        }
        if (window < 1 || window > LoadGenerator.WINDOW)
        {
            throw new IllegalArgumentException("window must be in [1, " + LoadGenerator.WINDOW + "]: " + window);
        }
        if (types.isEmpty())
        {
            throw new IllegalArgumentException("at least one message type is needed");
        }
        types = List.copyOf(types);
    }
}
