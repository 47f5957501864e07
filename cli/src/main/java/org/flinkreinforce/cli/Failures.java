package org.flinkreinforce.cli;

import java.util.ArrayList;
import java.util.List;

/** A failure as one line for the user: the messages of an exception and its causes. */
final class Failures {

    private Failures() {}

    /**
     * The distinct messages along the cause chain, outermost first, joined by ": "; a message that
     * only repeats its cause's (as wrappers do) is left out.
     */
    static String describe(Throwable error) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message == null || message.isBlank()) {
                continue;
            }
            if (t.getCause() != null && message.equals(t.getCause().toString())) {
                continue;
            }
            String line = oneLine(message);
            if (parts.stream().noneMatch(part -> part.contains(line))) {
                parts.add(line);
            }
        }
        if (parts.isEmpty()) {
            return error.getClass().getSimpleName();
        }
        String joined = String.join(": ", parts.stream().map(Failures::trimDot).toList());
        return joined + ".";
    }

    /** The first line of {@code message}, whitespace collapsed. */
    static String oneLine(String message) {
        if (message == null) {
            return "";
        }
        String first = message.strip().split("\\R", 2)[0];
        return first.replaceAll("\\s+", " ");
    }

    private static String trimDot(String text) {
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }
}
