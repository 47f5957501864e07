package org.flinkreinforce.cli.learning;

import java.util.Random;
import org.flinkreinforce.cli.sim.RecommenderEnvironment;
import org.flinkreinforce.model.PolicyParameters;
import org.flinkreinforce.model.SoftmaxPolicy;

/**
 * A fixed set of held-out contexts with the exact expected reward {@code r(x, a) = theta_a . x} of
 * every action, on which policies are scored without sampling: the greedy policy earns {@code r(x,
 * argmax_a z_a(x))}, the stochastic one {@code sum_a pi(a | x) r(x, a)}.
 *
 * <p>The contexts come in antithetic pairs {@code x, -x}, so the mean of any linear function over
 * the set is exactly zero: the uniform policy's mean expected reward {@code R_uniform} is 0 (up to
 * rounding), as it is in expectation for {@code x ~ N(0, I)}. Regret in percent, {@code 100 (R* -
 * R) / (R* - R_uniform)}, is then also the percent by which the policy's expected cost ({@code
 * -reward}) lies above the optimal policy's.
 */
final class HeldOutSet {

    /** One policy's mean expected reward on the set, greedy and stochastic. */
    record Score(double greedyReward, double stochasticReward) {}

    private final float[][] contexts;
    private final double[][] rewards;
    private final double optimalReward;
    private final double uniformReward;

    /**
     * @param size the number of contexts, rounded up to an even number (antithetic pairs)
     */
    HeldOutSet(RecommenderEnvironment environment, int actions, int size, long seed) {
        if (size < 2) {
            throw new IllegalArgumentException("The held-out set needs at least 2 contexts.");
        }
        int pairs = (size + 1) / 2;
        contexts = new float[2 * pairs][];
        rewards = new double[2 * pairs][actions];
        Random random = new Random(seed);
        for (int k = 0; k < pairs; k++) {
            float[] x = environment.context(random);
            float[] mirrored = new float[x.length];
            for (int j = 0; j < x.length; j++) {
                mirrored[j] = -x[j];
            }
            contexts[2 * k] = x;
            contexts[2 * k + 1] = mirrored;
        }
        double optimal = 0;
        double uniform = 0;
        for (int k = 0; k < contexts.length; k++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int a = 0; a < actions; a++) {
                rewards[k][a] = environment.meanReward(contexts[k], a);
                best = Math.max(best, rewards[k][a]);
                uniform += rewards[k][a] / actions;
            }
            optimal += best;
        }
        optimalReward = optimal / contexts.length;
        uniformReward = uniform / contexts.length;
    }

    int size() {
        return contexts.length;
    }

    /** {@code R*}: the mean expected reward of the optimal policy {@code argmax_a r(x, a)}. */
    double optimalReward() {
        return optimalReward;
    }

    /** {@code R_uniform}: the mean expected reward of the uniform logging policy. */
    double uniformReward() {
        return uniformReward;
    }

    /** The policy's exact mean expected reward, greedy (argmax of the logits) and stochastic. */
    Score score(PolicyParameters parameters) {
        SoftmaxPolicy policy = new SoftmaxPolicy(parameters);
        double greedy = 0;
        double stochastic = 0;
        for (int k = 0; k < contexts.length; k++) {
            double[] p = policy.probabilities(0, contexts[k]);
            for (int a = 0; a < p.length; a++) {
                stochastic += p[a] * rewards[k][a];
            }
            greedy += rewards[k][policy.greedy(contexts[k])[0]];
        }
        return new Score(greedy / contexts.length, stochastic / contexts.length);
    }

    /** {@code 100 (R* - R) / (R* - R_uniform)}: 0 for the optimal policy, 100 for the uniform. */
    double regretPercent(double reward) {
        return 100 * (optimalReward - reward) / (optimalReward - uniformReward);
    }
}
