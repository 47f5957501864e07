package org.flinkreinforce.cli.learning;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A named set of learner options in their text form (as in docs/configuration.md), applied over the
 * learner's defaults.
 *
 * @param name how tables, the summary and the plot call it
 * @param options learner option keys and values, in the order given
 */
public record Variant(String name, Map<String, String> options) {

    /**
     * The first release's learner settings, written out, so that later defaults do not move it:
     * REINFORCE with the running mean, Adam at a constant 0.05, the last iterate published.
     */
    public static final Variant RELEASE_0_1 =
            new Variant(
                    "release-0.1",
                    Map.of(
                            "estimator", "reinforce",
                            "baseline", "mean",
                            "learning-rate", "0.05",
                            "learning-rate.schedule", "constant",
                            "average", "none"));

    /** The learner's defaults, whatever they are in this build. */
    public static final Variant DEFAULT = new Variant("default", Map.of());

    /** The variants {@code --variants} can name. */
    public static final List<Variant> BUILT_IN = List.of(RELEASE_0_1, DEFAULT);

    public Variant {
        if (name.isBlank() || name.contains(":")) {
            throw new IllegalArgumentException(
                    "A variant needs a name without ':', e.g. slow:learning-rate=0.01; got '"
                            + name
                            + "'.");
        }
        options = Map.copyOf(options);
    }

    /**
     * Parses {@code name:key=value,key=value} ({@code name:} or {@code name} alone: the defaults).
     */
    public static Variant parse(String text) {
        int colon = text.indexOf(':');
        String name = (colon < 0 ? text : text.substring(0, colon)).trim();
        Map<String, String> options = new LinkedHashMap<>();
        String rest = colon < 0 ? "" : text.substring(colon + 1).trim();
        if (!rest.isEmpty()) {
            for (String pair : rest.split(",")) {
                int equals = pair.indexOf('=');
                if (equals <= 0) {
                    throw new IllegalArgumentException(
                            "A variant's options are key=value pairs separated by commas, e.g."
                                    + " slow:learning-rate=0.01,batch.size=64; got '"
                                    + pair
                                    + "' in '"
                                    + text
                                    + "'.");
                }
                options.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
            }
        }
        return new Variant(name, options);
    }

    /** The built-in variant of that name. */
    public static Variant builtIn(String name) {
        for (Variant variant : BUILT_IN) {
            if (variant.name().equals(name)) {
                return variant;
            }
        }
        throw new IllegalArgumentException(
                "Unknown built-in variant '" + name + "'; there are release-0.1 and default.");
    }

    /** {@code key=value, ...} in key order, or "(defaults)". */
    public String describe() {
        if (options.isEmpty()) {
            return "(defaults)";
        }
        return options.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(entry -> entry.getKey() + "=" + entry.getValue())
                .collect(Collectors.joining(", "));
    }
}
