package org.flinkreinforce.model;

import static org.flinkreinforce.model.util.SettingChecks.require;

import java.io.Serializable;
import java.util.Objects;

/**
 * Settings of the REINFORCE estimator.
 *
 * @param importanceWeightCap the cap {@code c} of {@code min(pi(a|x) / mu, c)} for off-policy
 *     events (Chen et al. 2019); {@code +Infinity} leaves the weights uncapped (unbiased, higher
 *     variance)
 * @param entropyBonus the weight {@code beta >= 0} of the entropy bonus added to the objective
 * @param kind REINFORCE or doubly robust
 * @param rewardModelLearningRate AdaGrad's step size for the doubly robust reward model, positive
 * @param exactActions the most actions a head may have for its doubly robust all-action term to be
 *     exact (the reward model's value of every action); at least 1
 * @param sampledActions the number {@code K} of actions drawn from the policy for the all-action
 *     term of a head with more than {@code exactActions} actions ({@link ReinforceEstimator}); at
 *     least 1
 */
public record EstimatorSettings(
        double importanceWeightCap,
        double entropyBonus,
        EstimatorKind kind,
        double rewardModelLearningRate,
        int exactActions,
        int sampledActions)
        implements Serializable {

    /** The default of {@link #exactActions}. */
    public static final int DEFAULT_EXACT_ACTIONS = 64;

    /** The default of {@link #sampledActions}. */
    public static final int DEFAULT_SAMPLED_ACTIONS = 8;

    /** Cap 10, no entropy bonus, REINFORCE. */
    public static final EstimatorSettings DEFAULT = new EstimatorSettings(10.0, 0.0);

    /** REINFORCE with the given cap and entropy bonus. */
    public EstimatorSettings(double importanceWeightCap, double entropyBonus) {
        this(importanceWeightCap, entropyBonus, EstimatorKind.REINFORCE, 0.1);
    }

    /** These settings with {@link #DEFAULT_EXACT_ACTIONS} and {@link #DEFAULT_SAMPLED_ACTIONS}. */
    public EstimatorSettings(
            double importanceWeightCap,
            double entropyBonus,
            EstimatorKind kind,
            double rewardModelLearningRate) {
        this(
                importanceWeightCap,
                entropyBonus,
                kind,
                rewardModelLearningRate,
                DEFAULT_EXACT_ACTIONS,
                DEFAULT_SAMPLED_ACTIONS);
    }

    public EstimatorSettings {
        Objects.requireNonNull(kind, "The estimator kind must not be null.");
        require(
                rewardModelLearningRate > 0 && !Double.isInfinite(rewardModelLearningRate),
                "reward model's learning rate",
                rewardModelLearningRate,
                "it must be positive and finite");
        require(
                exactActions >= 1,
                "number of actions of an exact all-action term",
                exactActions,
                "it must be at least 1");
        require(
                sampledActions >= 1,
                "number of sampled actions",
                sampledActions,
                "it must be at least 1");
        require(
                importanceWeightCap >= 1.0,
                "importance weight cap",
                importanceWeightCap,
                "it must be at least 1 (or Infinity for no cap)");
        require(
                entropyBonus >= 0.0 && !Double.isInfinite(entropyBonus),
                "entropy bonus",
                entropyBonus,
                "it must be finite and not negative");
    }

    /** These settings with the doubly robust estimator and its reward model's learning rate. */
    public EstimatorSettings doublyRobust(double learningRate) {
        return new EstimatorSettings(
                importanceWeightCap,
                entropyBonus,
                EstimatorKind.DOUBLY_ROBUST,
                learningRate,
                exactActions,
                sampledActions);
    }

    /** These settings with another {@link #exactActions} and {@link #sampledActions}. */
    public EstimatorSettings withAllActionTerm(int exact, int sampled) {
        return new EstimatorSettings(
                importanceWeightCap, entropyBonus, kind, rewardModelLearningRate, exact, sampled);
    }
}
