package io.vshard.core.pipeline;

import io.vshard.core.dispatch.DispatchTarget;
import io.vshard.core.dispatch.LaneLayout;
import io.vshard.core.dispatch.LaneSpec;
import io.vshard.core.status.CountersFileDescriptor;
import io.vshard.core.wire.ErrorCode;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.util.function.Consumer;

import static io.vshard.core.status.CountersFileDescriptor.LABEL_SEPARATOR;

/**
 * The pipeline's counters in the counters file: pipeline-wide errors by code, per lane, and per target.
 * Allocated once at launch; lane counters are written only by their lane thread (release stores), except those
 * marked as shared, which publishers bump atomically on rare events.
 */
final class PipelineCounters
{
    /** Errors by {@link ErrorCode#value()}, whichever thread met them (shared, atomic). */
    final AtomicCounter[] errorsByCode = new AtomicCounter[ErrorCode.values().length + 1];
    final Lane[] lanes;
    final Target[] targets = new Target[DispatchTarget.COUNT];

    PipelineCounters(final CountersManager manager, final LaneLayout layout)
    {
        for (final ErrorCode code : ErrorCode.values())
        {
            errorsByCode[code.value()] = counter(
                manager, CountersFileDescriptor.PIPELINE_TYPE_ID, 0, "pipeline", "errors " + code.name());
        }
        lanes = new Lane[layout.laneCount()];
        for (int laneId = 0; laneId < lanes.length; laneId++)
        {
            lanes[laneId] = new Lane(manager, laneId, layout.lanes().get(laneId));
        }
        for (final DispatchTarget target : DispatchTarget.values())
        {
            targets[target.ordinal()] = new Target(manager, target);
        }
    }

    static AtomicCounter counter(
        final CountersManager manager, final int typeId, final int key, final String scope, final String metric)
    {
        final Consumer<MutableDirectBuffer> keyWriter = (buffer) -> buffer.putInt(0, key);
        return manager.newCounter(scope + LABEL_SEPARATOR + metric, typeId, keyWriter);
    }

    /**
     * Counters of one lane.
     */
    static final class Lane
    {
        final AtomicCounter received;
        final AtomicCounter handled;
        final AtomicCounter bytes;
        final AtomicCounter spilled;
        final AtomicCounter responses;
        final AtomicCounter acks;
        final AtomicCounter errors;
        final AtomicCounter noHandler;
        final AtomicCounter handlerFailed;
        final AtomicCounter repliesDropped;
        final AtomicCounter replyBackPressured;
        /** Errors caught at the lane loop's boundary, outside a handler call. */
        final AtomicCounter loopErrors;
        /** Shared: bumped by publishers when the lane is full. */
        final AtomicCounter backPressured;

        Lane(final CountersManager manager, final int laneId, final LaneSpec spec)
        {
            final String scope = "lane " + laneId;
            final int type = CountersFileDescriptor.LANE_TYPE_ID;
            received = counter(manager, type, laneId, scope, "received");
            handled = counter(manager, type, laneId, scope, "handled");
            bytes = counter(manager, type, laneId, scope, "bytes");
            spilled = counter(manager, type, laneId, scope, "spilled");
            responses = counter(manager, type, laneId, scope, "responses");
            acks = counter(manager, type, laneId, scope, "acks");
            errors = counter(manager, type, laneId, scope, "errors");
            noHandler = counter(manager, type, laneId, scope, "errors NO_HANDLER");
            handlerFailed = counter(manager, type, laneId, scope, "errors HANDLER_FAILED");
            repliesDropped = counter(manager, type, laneId, scope, "replies dropped");
            replyBackPressured = counter(manager, type, laneId, scope, "reply back-pressured");
            loopErrors = counter(manager, type, laneId, scope, "errors loop");
            backPressured = counter(manager, type, laneId, scope, "back-pressured");
        }
    }

    /**
     * Counters of one target, written only by the thread of the lane that hosts it.
     */
    static final class Target
    {
        final AtomicCounter received;
        final AtomicCounter handled;
        final AtomicCounter replied;
        final AtomicCounter errors;
        final AtomicCounter bytes;
        /** Handler calls over the slow-handler threshold (counted only while latency is recorded). */
        final AtomicCounter slow;

        Target(final CountersManager manager, final DispatchTarget target)
        {
            final String scope = "target " + target.name();
            final int type = CountersFileDescriptor.TARGET_TYPE_ID;
            final int key = target.ordinal();
            received = counter(manager, type, key, scope, "received");
            handled = counter(manager, type, key, scope, "handled");
            replied = counter(manager, type, key, scope, "replied");
            errors = counter(manager, type, key, scope, "errors");
            bytes = counter(manager, type, key, scope, "bytes");
            slow = counter(manager, type, key, scope, "slow");
        }
    }
}
