package org.flinkreinforce.job;

import java.util.Random;
import org.flinkreinforce.model.PolicyParameters;
import org.flinkreinforce.model.SoftmaxPolicy;

/**
 * A contextual bandit with a hidden linear reward model, as a recommender sees it: contexts {@code
 * x ~ N(0, I)}, reward {@code r = theta_a . x + noise}. Expected rewards are estimated on a fixed
 * sample of contexts, so comparisons between policies are exact on that sample.
 */
final class LinearBandit {

    final int features;
    final int actions;
    private final double[][] theta;
    private final double noise;
    private final float[][] evaluationContexts;

    LinearBandit(int features, int actions, double noise, long seed) {
        this.features = features;
        this.actions = actions;
        this.noise = noise;
        Random random = new Random(seed);
        theta = new double[actions][features];
        for (double[] row : theta) {
            for (int j = 0; j < features; j++) {
                row[j] = random.nextGaussian();
            }
        }
        evaluationContexts = new float[2000][];
        for (int k = 0; k < evaluationContexts.length; k++) {
            evaluationContexts[k] = context(random);
        }
    }

    float[] context(Random random) {
        float[] x = new float[features];
        for (int j = 0; j < features; j++) {
            x[j] = (float) random.nextGaussian();
        }
        return x;
    }

    double meanReward(float[] x, int action) {
        double r = 0;
        for (int j = 0; j < features; j++) {
            r += theta[action][j] * x[j];
        }
        return r;
    }

    double reward(float[] x, int action, Random random) {
        return meanReward(x, action) + noise * random.nextGaussian();
    }

    double expectedReward(PolicyParameters parameters) {
        SoftmaxPolicy policy = new SoftmaxPolicy(parameters);
        double total = 0;
        for (float[] x : evaluationContexts) {
            double[] p = policy.probabilities(0, x);
            for (int a = 0; a < actions; a++) {
                total += p[a] * meanReward(x, a);
            }
        }
        return total / evaluationContexts.length;
    }

    double optimalReward() {
        double total = 0;
        for (float[] x : evaluationContexts) {
            double best = Double.NEGATIVE_INFINITY;
            for (int a = 0; a < actions; a++) {
                best = Math.max(best, meanReward(x, a));
            }
            total += best;
        }
        return total / evaluationContexts.length;
    }
}
