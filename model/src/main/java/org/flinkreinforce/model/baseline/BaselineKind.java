package org.flinkreinforce.model.baseline;

import java.util.Locale;

/** Which running reward baseline a key keeps. */
public enum BaselineKind {
    /** No baseline: the advantage is the reward itself. */
    NONE,
    /** An exponential moving average of the rewards, bias-corrected as in Adam. */
    EMA,
    /** The running mean and variance of all rewards of the key (Welford 1962). */
    MEAN;

    /** Parses {@code none|ema|mean}, case-insensitively. */
    public static BaselineKind parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Invalid baseline '" + text + "': expected one of none, ema, mean.", e);
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
