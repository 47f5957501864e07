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
    EMA;

    @Override
    public String toString() {
        return SettingNames.name(this);
    }
}
