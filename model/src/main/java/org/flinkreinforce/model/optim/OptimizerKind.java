package org.flinkreinforce.model.optim;

import java.util.Locale;

/** The update rule of the policy parameters. */
public enum OptimizerKind {
    /** Stochastic gradient ascent, with optional heavy-ball momentum. */
    SGD,
    /** Adam (Kingma and Ba 2015), for ascent. */
    ADAM;

    /** Parses {@code sgd|adam}, case-insensitively. */
    public static OptimizerKind parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Invalid optimizer '" + text + "': expected one of sgd, adam.", e);
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
