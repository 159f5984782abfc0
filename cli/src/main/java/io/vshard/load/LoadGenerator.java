package io.vshard.load;

import io.vshard.core.wire.EnvelopeDescriptor;
import io.vshard.core.wire.EnvelopeFlyweight;
import io.vshard.core.wire.EnvelopeView;
import io.vshard.core.wire.ErrorCode;
import io.vshard.core.wire.FrameDescriptor;
import io.vshard.transport.client.AnswerListener;
import io.vshard.transport.client.QuicClient;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives one client connection with envelopes and measures what comes back.
 * <p>
 * Latency: the sender records when each request was meant to go (its slot in the schedule when a rate is set, which
 * corrects for coordinated omission; the moment of sending otherwise); the client's I/O thread records when its
 * outcome came; the sender pairs the two in order and records the difference in an HdrHistogram. At most
 * {@link LoadOptions#window()} requests (never more than {@link #WINDOW}) are in flight: beyond that the sender
 * waits, so memory stays bounded and nothing is allocated per envelope.
 * <p>
 * Threading: {@link #run} on one sending thread; {@link #listener()} is called on the client's I/O thread.
 */
public final class LoadGenerator
{
    /** The largest window of requests in flight a run may ask for. */
    public static final int WINDOW = 1 << 16;

    private static final int MASK = WINDOW - 1;
    // Waiting for room parks rather than yields: a yielding sender keeps a core busy and, on a small machine, takes
    // it from the very I/O threads that would make the room.
    private static final long BACK_OFF_NS = 20_000;
    private static final long NOT_ANSWERED = 0;
    private static final long FAILED_MARK = Long.MIN_VALUE;

    private final LoadOptions options;
    private final long[] intendedNs = new long[WINDOW];
    private final AtomicLongArray outcomeNs = new AtomicLongArray(WINDOW);
    private final AtomicLong responses = new AtomicLong();
    private final AtomicLong acks = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLongArray errorsByCode = new AtomicLongArray(ErrorCode.values().length + 2);
    private final Histogram latencyNs = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final AnswerListener listener = this::onAnswer;
    private volatile boolean stopRequested;
    private long firstId;
    private long collected;

    /**
     * A generator for a run.
     *
     * @param options what to send.
     */
    public LoadGenerator(final LoadOptions options)
    {
        this.options = options;
    }

    /**
     * The listener to give the client at construction.
     *
     * @return the answer listener.
     */
    public AnswerListener listener()
    {
        return listener;
    }

    /**
     * Ask a {@link #run} in progress to stop sending (Ctrl-C): it waits briefly for the answers outstanding and
     * returns a summary marked interrupted. Any thread.
     */
    public void stop()
    {
        stopRequested = true;
    }

    /**
     * Send as the options say, wait for the outstanding answers, and summarise.
     *
     * @param client   connected, built with {@link #listener()}.
     * @param progress where progress lines go (when the options ask for them).
     * @return the summary.
     */
    public LoadSummary run(final QuicClient client, final PrintStream progress)
    {
        final int envelopeLength = EnvelopeDescriptor.HEADER_LENGTH + options.payloadLength();
        final UnsafeBuffer[] envelopes = new UnsafeBuffer[options.types().size()];
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < envelopes.length; i++)
        {
            envelopes[i] = new UnsafeBuffer(new byte[envelopeLength]);
            final byte[] payload = new byte[options.payloadLength()];
            random.nextBytes(payload);
            new EnvelopeFlyweight().wrap(envelopes[i], 0)
                .header(options.types().get(i).code(), options.sourceNode(), options.targetNode(), 0,
                    options.payloadLength())
                .payload(new UnsafeBuffer(payload), 0, payload.length);
        }

        final long periodNs = options.rate() > 0 ? TimeUnit.SECONDS.toNanos(1) / options.rate() : 0;
        final long startNs = System.nanoTime();
        final long endNs = options.durationNs() > 0 ? startNs + options.durationNs() : Long.MAX_VALUE;
        final long limit = options.durationNs() > 0 ? Long.MAX_VALUE : options.count();
        long sent = 0;
        long lastId = 0;
        long backPressured = 0;
        long nextProgressNs = startNs + TimeUnit.SECONDS.toNanos(1);
        long lastSendNs = startNs;

        while (sent < limit && !stopRequested)
        {
            final long intended = periodNs > 0 ? startNs + sent * periodNs : System.nanoTime();
            long now = System.nanoTime();
            if (intended >= endNs || now >= endNs)
            {
                break;
            }
            while (now < intended && !stopRequested)
            {
                LockSupport.parkNanos(Math.min(intended - now, 50_000));
                now = System.nanoTime();
            }
            if (options.request() && sent - collected >= options.window())
            {
                collect(lastId);
                LockSupport.parkNanos(BACK_OFF_NS);
                continue;
            }

            final int which = (int)(sent % envelopes.length);
            final UnsafeBuffer envelope = envelopes[which];
            EnvelopeDescriptor.vshardId(envelope, 0, (int)(sent % options.vshards()));
            final int stream = (int)(sent % options.streams());
            if (options.request())
            {
                final long id = client.request(stream, envelope, 0, envelopeLength);
                if (id > 0)
                {
                    if (0 == firstId)
                    {
                        firstId = id;
                        collected = 0;
                    }
                    intendedNs[(int)(id & MASK)] = periodNs > 0 ? intended : now;
                    lastId = id;
                    sent++;
                }
                else if (QuicClient.BACK_PRESSURED == id)
                {
                    backPressured++;
                    collect(lastId);
                    LockSupport.parkNanos(BACK_OFF_NS);
                }
                else
                {
                    failed.incrementAndGet();
                    break;
                }
                collect(lastId);
            }
            else
            {
                final int result = client.send(stream, envelope, 0, envelopeLength);
                if (QuicClient.SENT == result)
                {
                    sent++;
                }
                else if (QuicClient.BACK_PRESSURED == result)
                {
                    backPressured++;
                    LockSupport.parkNanos(BACK_OFF_NS);
                }
                else
                {
                    break;
                }
            }
            lastSendNs = System.nanoTime();

            if (options.progress() && lastSendNs >= nextProgressNs)
            {
                nextProgressNs += TimeUnit.SECONDS.toNanos(1);
                progress.printf("  %5.1f s  sent %,d  answered %,d  rate %,.0f/s  errors %,d  back-pressured %,d%n",
                    (lastSendNs - startNs) / 1e9, sent, answered(), sent * 1e9 / (lastSendNs - startNs),
                    errors(), backPressured);
            }
        }

        long finishNs = lastSendNs;
        final boolean interrupted = stopRequested;
        if (options.request())
        {
            final long waitUntilNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(interrupted ? 2 : 30);
            while (collected < sent && System.nanoTime() < waitUntilNs)
            {
                collect(lastId);
                LockSupport.parkNanos(100_000);
            }
            finishNs = System.nanoTime();
        }

        final Map<String, Long> errors = new LinkedHashMap<>();
        for (int code = 1; code < errorsByCode.length(); code++)
        {
            final long count = errorsByCode.get(code);
            if (count > 0)
            {
                errors.put(LoadSummary.errorName(code), count);
            }
        }
        return new LoadSummary(sent, options.request() ? answered() : 0, responses.get(), acks.get(), errors,
            failed.get() + (options.request() ? sent - collected : 0), finishNs - startNs, options.request(),
            options.rate(), latencyNs, interrupted);
    }

    private long answered()
    {
        return responses.get() + acks.get() + errors();
    }

    private long errors()
    {
        long total = 0;
        for (int i = 0; i < errorsByCode.length(); i++)
        {
            total += errorsByCode.get(i);
        }
        return total;
    }

    private void collect(final long lastId)
    {
        if (0 == firstId)
        {
            return;
        }
        long id = firstId + collected;
        while (id <= lastId)
        {
            final int slot = (int)(id & MASK);
            final long outcome = outcomeNs.getAcquire(slot);
            if (NOT_ANSWERED == outcome)
            {
                return;
            }
            if (FAILED_MARK != outcome)
            {
                final long latency = outcome - intendedNs[slot];
                latencyNs.recordValue(Math.max(0, Math.min(latency, latencyNs.getHighestTrackableValue())));
            }
            outcomeNs.setRelease(slot, NOT_ANSWERED);
            collected++;
            id++;
        }
    }

    private void onAnswer(final long correlationId, final int kind, final int errorCode, final EnvelopeView envelope)
    {
        final long now = System.nanoTime();
        switch (kind)
        {
            case FrameDescriptor.KIND_RESPONSE -> responses.incrementAndGet();
            case FrameDescriptor.KIND_ACK -> acks.incrementAndGet();
            case FrameDescriptor.KIND_ERROR ->
                errorsByCode.incrementAndGet(errorCode > 0 && errorCode < errorsByCode.length() ? errorCode : 0);
            default -> failed.incrementAndGet();
        }
        final boolean answered = kind > 0;
        outcomeNs.setRelease((int)(correlationId & MASK), answered ? Math.max(1, now) : FAILED_MARK);
    }
}
