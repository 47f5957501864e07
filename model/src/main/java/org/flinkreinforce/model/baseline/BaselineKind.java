package org.flinkreinforce.model.baseline;

import org.flinkreinforce.model.util.SettingNames;

/** Which running reward baseline a key keeps. */
public enum BaselineKind {
    /** No baseline: the advantage is the reward itself. */
    NONE,
    /** An exponential moving average of the rewards, bias-corrected as in Adam. */
    EMA,
    /** The running mean and variance of all rewards of the key (Welford 1962). */
    MEAN,
    /**
     * A linear baseline of the context, {@code b(x) = v . x + c} per policy, fitted online after
     * the batch it served ({@code ReinforceEstimator}); the running baseline of the key passes the
     * reward through.
     */
    LINEAR;

    @Override
    public String toString() {
        return SettingNames.name(this);
    }
}
