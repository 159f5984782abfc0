package io.vshard.core.status;

import org.agrona.concurrent.status.CountersReader;

import java.util.ArrayList;
import java.util.List;

import static io.vshard.core.status.CountersFileDescriptor.LABEL_SEPARATOR;

/**
 * One counter as a reader sees it.
 *
 * @param typeId the counter's type, one of the {@code *_TYPE_ID} of {@link CountersFileDescriptor}.
 * @param scope  what it counts for, for example {@code lane 0} or {@code target TimeseriesScan}.
 * @param metric what it counts, for example {@code received}.
 * @param value  the current value.
 */
public record CounterRow(int typeId, String scope, String metric, long value)
{
    /**
     * Read every allocated counter. Allocates: for tools, not the hot path.
     *
     * @param reader over a counters file.
     * @return the rows in counter-id order.
     */
    public static List<CounterRow> readAll(final CountersReader reader)
    {
        final List<CounterRow> rows = new ArrayList<>();
        reader.forEach((value, counterId, label) ->
        {
            final int split = label.lastIndexOf(LABEL_SEPARATOR);
            final String scope = split < 0 ? "" : label.substring(0, split);
            final String metric = split < 0 ? label : label.substring(split + LABEL_SEPARATOR.length());
            rows.add(new CounterRow(reader.getCounterTypeId(counterId), scope, metric, value));
        });
        return rows;
    }
}
