package org.flinkreinforce.formats.ranker;

import java.util.Objects;
import org.flinkreinforce.model.ranker.Features;

/**
 * One candidate of a ranker decision, as an application offers it: an optional id (for people, and
 * for the application to know what it chose; not a feature unless also given as one) and its
 * features.
 */
public record Candidate(String id, Features features) {

    public Candidate {
        Objects.requireNonNull(features, "features");
    }

    /** A candidate without an id. */
    public static Candidate of(Features features) {
        return new Candidate(null, features);
    }
}
