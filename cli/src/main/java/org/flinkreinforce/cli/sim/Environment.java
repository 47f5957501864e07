package org.flinkreinforce.cli.sim;

import java.time.Duration;
import java.util.OptionalDouble;
import java.util.Random;
import org.flinkreinforce.model.PolicyParameters;
import org.flinkreinforce.model.PolicySpec;

/**
 * A simulated world a policy acts in, with rewards the learner does not know but the simulator can
 * score exactly: the expected reward of any parameters, and the best achievable.
 */
public interface Environment {

    /** The policy shape this environment needs, with the given id. */
    PolicySpec spec(String policyId);

    /** The next context to decide for (empty when the policy has no features). */
    float[] context(Random random);

    /** A noisy reward for acting with {@code actions} in {@code context}. */
    double reward(float[] context, int[] actions, Random random);

    /**
     * What an application sees of acting with {@code actions} in {@code context}: a reward, or none
     * ({@link Outcome#observed()} false: e.g. no click), which counts as {@link
     * #unobservedReward()}. Its expected value is that of {@link #reward} for every action.
     */
    Outcome outcome(float[] context, int[] actions, Random random);

    /**
     * What an outcome without a reward is worth, where it is worth something (a recommendation
     * nobody clicked: 0); empty where it is not to be learned from (an architecture whose training
     * never reported).
     */
    OptionalDouble unobservedReward();

    /** The typical time from a decision to its reward. */
    Duration typicalRewardDelay();

    /** The delays of rewards, of the law of this environment, around {@code typical}. */
    RewardDelay rewardDelay(Duration typical);

    /**
     * An outcome: the reward an application learns of, where {@code observed}, else nothing (then
     * {@code reward} is the environment's {@link #unobservedReward()}, or 0).
     */
    record Outcome(double reward, boolean observed) {}

    /** The expected reward of the policy with these parameters. */
    double expectedReward(PolicyParameters parameters);

    /** The expected reward of the best policy. */
    double optimalReward();

    /** A short description for logs. */
    String describe();

    /** The probability that the {@code recs} scenario's user clicks a recommendation. */
    double CLICK_PROBABILITY = 0.5;

    /** The environment of a scenario name: {@code recs} or {@code nas}. */
    static Environment of(String scenario, long seed) {
        switch (scenario) {
            case "recs":
                return new RecommenderEnvironment(16, 10, 0.5, CLICK_PROBABILITY, seed);
            case "nas":
                return new NasEnvironment(new int[] {6, 6, 4, 4}, 0.01, seed);
            default:
                throw new IllegalArgumentException(
                        "Invalid scenario '" + scenario + "': expected recs or nas.");
        }
    }
}
