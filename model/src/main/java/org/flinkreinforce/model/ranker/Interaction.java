package org.flinkreinforce.model.ranker;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A cross of a shared namespace with a candidate namespace ({@code user:item}), {@code *} matching
 * any namespace on its side ({@code *:*} crosses all, as VW's {@code -q ::}). Every feature of the
 * shared namespace is crossed with every feature of the candidate's.
 *
 * @param shared the shared namespace's name, or {@code *}
 * @param candidate the candidate namespace's name, or {@code *}
 */
public record Interaction(String shared, String candidate) implements Serializable {

    public static final String ANY = "*";

    public Interaction {
        requireName(shared);
        requireName(candidate);
    }

    /** {@code shared:candidate}, several separated by commas ({@code user:item,*:category}). */
    public static List<Interaction> parseList(String text) {
        List<Interaction> interactions = new ArrayList<>();
        if (text.isBlank()) {
            return interactions;
        }
        for (String part : text.split(",")) {
            String[] sides = part.strip().split(":", -1);
            if (sides.length != 2) {
                throw new IllegalArgumentException(
                        "Invalid interaction '"
                                + part.strip()
                                + "': it must be SHARED:CANDIDATE (namespace names, or * for any).");
            }
            interactions.add(new Interaction(sides[0].strip(), sides[1].strip()));
        }
        return interactions;
    }

    @Override
    public String toString() {
        return shared + ":" + candidate;
    }

    private static void requireName(String name) {
        Objects.requireNonNull(name, "A namespace of an interaction must not be null.");
        if (name.isEmpty() || name.contains(":") || name.contains(",")) {
            throw new IllegalArgumentException(
                    "Invalid namespace '"
                            + name
                            + "' in an interaction: it must be non-empty, without ':' or ','.");
        }
    }
}
