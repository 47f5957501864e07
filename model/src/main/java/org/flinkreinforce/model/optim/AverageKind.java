package org.flinkreinforce.model.optim;

import org.flinkreinforce.model.util.SettingNames;

/** Which average of the optimizer's iterates is published in place of the last iterate. */
public enum AverageKind {
    /** No average: the last iterate itself. */
    NONE,
    /**
     * The arithmetic mean of the iterates from update {@code start} on (Polyak and Juditsky 1992).
     */
    POLYAK,
    /**
     * An exponential moving average of the iterates from update {@code start} on, bias-corrected.
     */
    EMA,
    /**
     * Polynomial-decay averaging (Shamir and Zhang 2013) with {@code eta = 3}, floored into an
     * exponential moving average: early iterates are forgotten fast, like a tail average, and no
     * iterate counts less than the moving average's weight {@code 1 - delta}.
     */
    POLY;

    @Override
    public String toString() {
        return SettingNames.name(this);
    }
}
