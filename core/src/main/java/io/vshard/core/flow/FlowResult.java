package io.vshard.core.flow;

/**
 * The negative results of every non-blocking call in the project, defined once so that one value means one thing
 * wherever it comes back: {@code Pipeline.offer}, {@code ExclusivePublisher.offer}, {@code QuicClient.send} and
 * {@code request}, and the locally produced outcome kinds of the client's {@code AnswerListener}. As Aeron's
 * {@code Publication}: zero or a positive value is the call's success (a position, a correlation id, a wire code of
 * its own vocabulary, as each method documents), a negative value is one of the flow conditions below. A caller
 * retries on {@link #BACK_PRESSURED} and {@link #NOT_CONNECTED}, gives up on {@link #CLOSED}. Methods returning
 * {@code long} widen these {@code int} values.
 * <p>
 * No other negative value is ever returned: library codes of the structures underneath (Agrona's
 * {@code INSUFFICIENT_CAPACITY}, say) are translated at the boundary.
 */
public final class FlowResult
{
    /** Nothing to send on: not connected yet, or reconnecting. Retry later. */
    public static final int NOT_CONNECTED = -1;

    /** The queue, ring or lane is full: the caller keeps the bytes and retries after room is signalled. */
    public static final int BACK_PRESSURED = -2;

    /** The receiver is closing or closed and takes nothing more, for good. */
    public static final int CLOSED = -3;

    /** An outcome produced locally: no answer came within the request timeout. */
    public static final int TIMED_OUT = -4;

    /** An outcome produced locally: the connection or stream closed before an answer came. */
    public static final int CONNECTION_CLOSED = -5;

    private FlowResult()
    {
    }

    /**
     * Whether a value is one of the flow conditions above.
     *
     * @param result a result.
     * @return true for a known negative result.
     */
    public static boolean isFlowCondition(final long result)
    {
        return result <= NOT_CONNECTED && result >= CONNECTION_CLOSED;
    }

    /**
     * The short name of a result, for logs and reports. Allocates nothing.
     *
     * @param result a result.
     * @return the constant's name, {@code "OK"} for zero or positive values, {@code "UNKNOWN"} for any other value.
     */
    public static String name(final long result)
    {
        if (result >= 0)
        {
            return "OK";
        }
        return switch ((int)Math.max(result, Integer.MIN_VALUE))
        {
            case NOT_CONNECTED -> "NOT_CONNECTED";
            case BACK_PRESSURED -> "BACK_PRESSURED";
            case CLOSED -> "CLOSED";
            case TIMED_OUT -> "TIMED_OUT";
            case CONNECTION_CLOSED -> "CONNECTION_CLOSED";
            default -> "UNKNOWN";
        };
    }
}
