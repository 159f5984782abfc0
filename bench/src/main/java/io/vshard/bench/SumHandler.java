package io.vshard.bench;

import io.vshard.core.pipeline.EnvelopeHandler;
import io.vshard.core.pipeline.Reply;
import io.vshard.core.wire.EnvelopeView;
import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The throughput benchmarks' engine: sums a field of each payload and counts the envelopes it handled per producer
 * (the producer's index is in the payload), so that each producer thread can report the envelopes of its own that
 * were handled, not merely offered. Fire-and-forget: it answers nothing.
 * <p>
 * Threading: {@link #onEnvelope} on one lane thread only; {@link #handled(int)} and {@link #sum()} from any thread.
 */
public final class SumHandler implements EnvelopeHandler
{
    /** Most producer threads a benchmark may run. */
    public static final int MAX_PRODUCERS = 8;

    private final PaddedCounter[] handled = new PaddedCounter[MAX_PRODUCERS];
    private final PaddedCounter sum = new PaddedCounter();

    /**
     * A handler with all counts at zero.
     */
    public SumHandler()
    {
        for (int i = 0; i < MAX_PRODUCERS; i++)
        {
            handled[i] = new PaddedCounter();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onEnvelope(final EnvelopeView envelope, final Reply reply)
    {
        final DirectBuffer buffer = envelope.payloadBuffer();
        final int offset = envelope.payloadOffset();
        sum.addRelease(buffer.getLong(offset + Envelopes.VALUE_FIELD_OFFSET, LITTLE_ENDIAN));
        handled[buffer.getInt(offset + Envelopes.PRODUCER_FIELD_OFFSET, LITTLE_ENDIAN)].incrementRelease();
    }

    /**
     * Envelopes of one producer handled so far. Any thread.
     *
     * @param producer index written in the payload.
     * @return the count.
     */
    public long handled(final int producer)
    {
        return handled[producer].getAcquire();
    }

    /**
     * The sum of the value fields handled so far. Any thread.
     *
     * @return the sum.
     */
    public long sum()
    {
        return sum.getAcquire();
    }
}
