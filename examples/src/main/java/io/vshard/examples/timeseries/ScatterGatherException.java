package io.vshard.examples.timeseries;

/**
 * A scatter/gather query did not get exactly one good answer from every shard it asked: it names which.
 */
public final class ScatterGatherException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * An exception for a failed gather.
     *
     * @param message what was missing, duplicated or refused.
     */
    public ScatterGatherException(final String message)
    {
        super(message);
    }
}
