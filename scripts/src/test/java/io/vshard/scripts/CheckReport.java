package io.vshard.scripts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The output of {@code tune-host.sh check} taken apart: the table rows in order, and the text after the table.
 *
 * @param rows knob mapped to its row, in the order printed.
 * @param tail everything after the table: notes and summary.
 */
record CheckReport(Map<String, Row> rows, String tail)
{
    /**
     * One row of the table.
     *
     * @param current     the value found on the host.
     * @param recommended the recommendation.
     * @param verdict     OK, CHANGE or MANUAL.
     */
    record Row(String current, String recommended, String verdict)
    {
    }

    /**
     * Parses the output of {@code tune-host.sh check}. Columns are separated by two or more spaces, which no value
     * contains.
     *
     * @param stdout what the check printed.
     * @return the report.
     */
    static CheckReport parse(final String stdout)
    {
        final Map<String, Row> rows = new LinkedHashMap<>();
        final List<String> lines = stdout.lines().toList();
        int i = 0;
        while (i < lines.size() && !lines.get(i).startsWith("KNOB "))
        {
            i++;
        }
        if (i == lines.size())
        {
            throw new AssertionError("no table in:\n" + stdout);
        }
        for (i++; i < lines.size() && !lines.get(i).isBlank(); i++)
        {
            final String[] columns = lines.get(i).split(" {2,}");
            if (columns.length != 4)
            {
                throw new AssertionError("not four columns: '" + lines.get(i) + "'");
            }
            if (rows.put(columns[0], new Row(columns[1], columns[2], columns[3])) != null)
            {
                throw new AssertionError("knob twice: " + columns[0]);
            }
        }
        return new CheckReport(rows, String.join("\n", lines.subList(i, lines.size())));
    }

    /**
     * The row of one knob.
     *
     * @param knob the knob as printed in the first column.
     * @return its row.
     */
    Row row(final String knob)
    {
        final Row row = rows.get(knob);
        if (row == null)
        {
            throw new AssertionError("no row '" + knob + "' among " + rows.keySet());
        }
        return row;
    }

    /**
     * The knobs whose verdict is the one given, in table order.
     *
     * @param verdict OK, CHANGE or MANUAL.
     * @return the knobs.
     */
    List<String> knobs(final String verdict)
    {
        final List<String> knobs = new ArrayList<>();
        rows.forEach((knob, row) ->
        {
            if (row.verdict().equals(verdict))
            {
                knobs.add(knob);
            }
        });
        return knobs;
    }
}
