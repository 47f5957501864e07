package org.flinkreinforce.model.optim;

import org.flinkreinforce.model.util.SettingNames;

/**
 * How the step size changes with the number of applied updates {@code t} ({@link
 * OptimizerState#steps} before the update, so the first update uses the learning rate {@code lr0}
 * itself), given the decay horizon {@code t0} ({@link OptimizerSettings#decayUpdates()}).
 */
public enum LearningRateSchedule {
    /** {@code lr_t = lr0}. */
    CONSTANT,
    /**
     * {@code lr_t = lr0 / sqrt(1 + t / t0)}: {@code lr0 / sqrt(2)} after {@code t0} updates, then
     * falling as {@code 1 / sqrt(t)}. This is Vowpal Wabbit's {@code lr (t0 / (t0 + t))^power_t}
     * with {@code initial_t = t0} and {@code power_t = 0.5}.
     */
    INVERSE_SQRT;

    @Override
    public String toString() {
        return SettingNames.name(this);
    }
}
