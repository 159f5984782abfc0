package io.vshard.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict hand check of the OpenMetrics 1.0.0 text grammar, for what the exporter writes: metric families declared
 * once by {@code # TYPE} before their samples, samples contiguous per family with the suffixes their type allows,
 * names, labels and escapes as the ABNF has them, no repeated label set, and {@code # EOF} last. Returns the samples
 * by {@code name{labels}}.
 */
final class OpenMetricsChecker
{
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern NUMBER = Pattern.compile(
        "[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?Inf|NaN");
    private static final Pattern SAMPLE = Pattern.compile(
        "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");
    private static final Set<String> TYPES = Set.of(
        "counter", "gauge", "summary", "histogram", "gaugehistogram", "stateset", "info", "unknown");

    private OpenMetricsChecker()
    {
    }

    static Map<String, Double> check(final String text)
    {
        if (!text.endsWith("# EOF\n"))
        {
            throw new AssertionError("does not end with '# EOF\\n'");
        }
        final String[] lines = text.substring(0, text.length() - "# EOF\n".length()).split("\n", -1);
        final Map<String, Double> samples = new LinkedHashMap<>();
        final Map<String, String> typeOf = new HashMap<>();
        String family = null;
        final List<String> seenInFamily = new ArrayList<>();
        for (int i = 0; i < lines.length - 1 || (i == lines.length - 1 && !lines[i].isEmpty()); i++)
        {
            final String line = lines[i];
            final String where = "line " + (i + 1) + ": " + line;
            if (line.startsWith("#"))
            {
                final String[] parts = line.split(" ", 4);
                require(parts.length >= 3, where, "a descriptor has a keyword, a name and a value");
                require(NAME.matcher(parts[2]).matches(), where, "metric family name");
                final String rest = line.substring(("# " + parts[1] + " " + parts[2] + " ").length());
                switch (parts[1])
                {
                    case "TYPE" ->
                    {
                        require(!typeOf.containsKey(parts[2]), where, "family declared twice");
                        require(TYPES.contains(rest), where, "known type");
                        family = parts[2];
                        typeOf.put(family, rest);
                        seenInFamily.clear();
                    }
                    case "HELP" -> require(parts[2].equals(family), where, "HELP for the current family");
                    case "UNIT" ->
                    {
                        require(parts[2].equals(family), where, "UNIT for the current family");
                        require(family.endsWith("_" + rest), where, "a family with a unit ends with _unit");
                    }
                    default -> throw new AssertionError(where + ": unknown descriptor");
                }
                continue;
            }
            final Matcher sample = SAMPLE.matcher(line);
            require(sample.matches(), where, "name{labels} value");
            final String name = sample.group(1);
            require(null != family, where, "sample before any TYPE");
            final String type = typeOf.get(family);
            final String suffix = name.startsWith(family) ? name.substring(family.length()) : null;
            require(null != suffix, where, "sample of the current family " + family);
            switch (type)
            {
                case "counter" -> require(suffix.equals("_total") || suffix.equals("_created"), where, "counter suffix");
                case "gauge" -> require(suffix.isEmpty(), where, "gauge has no suffix");
                case "summary" -> require(suffix.isEmpty() || suffix.equals("_sum") || suffix.equals("_count") ||
                    suffix.equals("_created"), where, "summary suffix");
                default -> { }
            }
            final Map<String, String> labels = new LinkedHashMap<>();
            if (null != sample.group(3) && !sample.group(3).isEmpty())
            {
                for (final String pair : splitLabels(sample.group(3), where))
                {
                    final Matcher label = LABEL.matcher(pair);
                    require(label.matches(), where, "label name=\"escaped value\": " + pair);
                    require(LABEL_NAME.matcher(label.group(1)).matches(), where, "label name");
                    require(null == labels.put(label.group(1), label.group(2)), where, "repeated label name");
                }
            }
            final String value = sample.group(4);
            require(NUMBER.matcher(value).matches(), where, "number");
            if ("summary".equals(type) && suffix.isEmpty())
            {
                require(labels.containsKey("quantile"), where, "summary quantile sample has a quantile label");
                final double q = Double.parseDouble(labels.get("quantile"));
                require(q >= 0 && q <= 1, where, "quantile in [0, 1]");
            }
            if (("counter".equals(type) || suffix.equals("_count") || suffix.equals("_sum")) && !value.equals("NaN"))
            {
                require(Double.parseDouble(value) >= 0, where, "counters and summary counts, sums are >= 0");
            }
            final String key = name + (labels.isEmpty() ? "" : labels.toString());
            require(!seenInFamily.contains(key), where, "repeated sample");
            seenInFamily.add(key);
            final String id = name + (null == sample.group(2) ? "" : sample.group(2));
            samples.put(id, value.equals("NaN") ? Double.NaN : Double.parseDouble(value.replace("Inf", "Infinity")));
        }
        return samples;
    }

    private static List<String> splitLabels(final String labels, final String where)
    {
        final List<String> pairs = new ArrayList<>();
        int start = 0;
        boolean quoted = false;
        for (int i = 0; i < labels.length(); i++)
        {
            final char c = labels.charAt(i);
            if ('\\' == c && quoted)
            {
                i++;
            }
            else if ('"' == c)
            {
                quoted = !quoted;
            }
            else if (',' == c && !quoted)
            {
                pairs.add(labels.substring(start, i));
                start = i + 1;
            }
        }
        require(!quoted, where, "closed label value");
        pairs.add(labels.substring(start));
        return pairs;
    }

    private static void require(final boolean condition, final String where, final String what)
    {
        if (!condition)
        {
            throw new AssertionError("not OpenMetrics: " + where + " (expected " + what + ")");
        }
    }
}
