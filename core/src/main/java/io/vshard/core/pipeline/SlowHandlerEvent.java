package io.vshard.core.pipeline;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * Java Flight Recorder event: a handler call that took longer than {@code vshard.slow.handler.threshold.ns}. Emitted
 * on the lane thread after the call, only while a recording enables it ({@code jfr print --events
 * io.vshard.SlowHandler}); with JFR off nothing is created. The event's own start time and duration are those of
 * its commit; the handler's duration is {@link #handlerDuration}.
 */
@Name(SlowHandlerEvent.NAME)
@Label("Slow Handler")
@Category({"vshard", "Pipeline"})
@Description("A handler call over the slow-handler threshold")
@StackTrace(false)
final class SlowHandlerEvent extends Event
{
    /** The event's name in recordings. */
    static final String NAME = "io.vshard.SlowHandler";

    /** Registered once; its {@link EventType#isEnabled()} is the cheap check before creating an event. */
    static final EventType TYPE = EventType.getEventType(SlowHandlerEvent.class);

    @Label("Target")
    @Description("The dispatch target whose handler was slow")
    String target;

    @Label("Message Type")
    @Description("Wire code of the envelope's msg_type")
    int msgType;

    @Label("VShard")
    @Description("The envelope's vshard_id, unsigned")
    long vshard;

    @Label("Handler Duration")
    @Timespan(Timespan.NANOSECONDS)
    long handlerDuration;

    @Label("Exact")
    @Description("False when the call was timed within a run of cheap calls and its envelope is the run's last")
    boolean exact;

    /**
     * Emit an event when a recording wants it. Lane thread; allocates only then.
     */
    static void emit(
        final String target, final int msgType, final long vshard, final long handlerDurationNs, final boolean exact)
    {
        if (TYPE.isEnabled())
        {
            final SlowHandlerEvent event = new SlowHandlerEvent();
            if (event.shouldCommit())
            {
                event.target = target;
                event.msgType = msgType;
                event.vshard = vshard;
                event.handlerDuration = handlerDurationNs;
                event.exact = exact;
                event.commit();
            }
        }
    }
}
