package org.flinkreinforce.model;

import java.io.Serializable;

/**
 * Settings of the REINFORCE estimator.
 *
 * @param importanceWeightCap the cap {@code c} of {@code min(pi(a|x) / mu, c)} for off-policy
 *     events (Chen et al. 2019); {@code +Infinity} leaves the weights uncapped (unbiased, higher
 *     variance)
 * @param entropyBonus the weight {@code beta >= 0} of the entropy bonus added to the objective
 */
public record EstimatorSettings(double importanceWeightCap, double entropyBonus)
        implements Serializable {

    /** Cap 10, no entropy bonus. */
    public static final EstimatorSettings DEFAULT = new EstimatorSettings(10.0, 0.0);

    public EstimatorSettings {
        if (!(importanceWeightCap >= 1.0)) {
            throw new IllegalArgumentException(
                    "Invalid value "
                            + importanceWeightCap
                            + " for the importance weight cap: it must be at least 1"
                            + " (or Infinity for no cap).");
        }
        if (!(entropyBonus >= 0.0) || Double.isInfinite(entropyBonus)) {
            throw new IllegalArgumentException(
                    "Invalid value "
                            + entropyBonus
                            + " for the entropy bonus: it must be finite and not negative.");
        }
    }
}
