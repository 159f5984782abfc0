package io.vshard.cli;

import io.vshard.core.wire.MessageType;
import io.vshard.load.LoadOptions;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Options of a load run, shared by {@code load} and {@code demo}.
 */
final class LoadOptionsMixin
{
    /** The default mix: request types of four engines and one event type, answered by the example engines. */
    static final String TYPES_DEFAULT =
        "VectorScatterRequest,GraphAlgoSuperstep,ArrayShardSliceReq,CrossShardEvent,SpatialScatterRequest";

    @Option(names = "--streams", defaultValue = "4", description = "Streams (default ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--rate", defaultValue = "0",
        description = "Envelopes/s; 0 = as fast as flow control allows (default ${DEFAULT-VALUE}).")
    long rate;

    @Option(names = "--seconds", defaultValue = "10", description = "How long to send (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--count", description = "Send this many envelopes instead of for --seconds.")
    Long count;

    @Option(names = "--payload", defaultValue = "64", description = "Payload bytes (default ${DEFAULT-VALUE}).")
    int payload;

    @Option(names = "--types", defaultValue = TYPES_DEFAULT, split = ",",
        description = "Message types sent round-robin (default ${DEFAULT-VALUE}).")
    List<String> types;

    @Option(names = "--fire-and-forget", description = "Do not wait for answers (default: --request).")
    boolean fireAndForget;

    @Option(names = "--request", description = "Wait for an answer to every envelope (the default).")
    boolean request;

    @Option(names = "--vshards", defaultValue = "16",
        description = "Spread over vshards 0..N-1 (default ${DEFAULT-VALUE}).")
    int vshards;

    @Option(names = "--window", defaultValue = "4096",
        description = "Most requests in flight, up to 65536 (default ${DEFAULT-VALUE}): unpaced latency is mostly this "
            + "queue divided by the throughput.")
    int window;

    @Option(names = "--json", description = "Write the summary as JSON to this file.")
    File json;

    @Option(names = "--hgrm", description = "Write the latency percentile distribution (.hgrm) to this file.")
    File hgrm;

    @Option(names = "--quiet", description = "No progress lines.")
    boolean quiet;

    LoadOptions toOptions(final long sourceNode, final long targetNode)
    {
        if (fireAndForget && request)
        {
            throw new IllegalArgumentException("--request and --fire-and-forget exclude each other");
        }
        final List<MessageType> messageTypes = Arrays.asList(types.stream().map(MessageType::byName)
            .toArray(MessageType[]::new));
        final long durationNs = null != count ? 0 : (long)(seconds * TimeUnit.SECONDS.toNanos(1));
        return new LoadOptions(streams, rate, durationNs, null != count ? count : 0, payload, messageTypes,
            !fireAndForget, sourceNode, targetNode, vshards, !quiet, window);
    }
}
