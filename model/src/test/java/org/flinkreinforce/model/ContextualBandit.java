package org.flinkreinforce.model;

import java.util.Random;

/**
 * A small contextual bandit whose expected reward, and its exact gradient under a linear softmax
 * policy, are computable by enumeration: a few contexts {@code x} drawn with probabilities {@code
 * q(x)}, a mean-reward table {@code rbar(x, a)} and Gaussian reward noise around it plus an
 * optional offset.
 */
final class ContextualBandit {

    final float[][] contexts;
    final double[] contextProbabilities;
    final double[][] meanRewards;
    final double noise;
    final double offset;

    ContextualBandit(
            float[][] contexts,
            double[] contextProbabilities,
            double[][] meanRewards,
            double noise,
            double offset) {
        this.contexts = contexts;
        this.contextProbabilities = contextProbabilities;
        this.meanRewards = meanRewards;
        this.noise = noise;
        this.offset = offset;
    }

    /** Three contexts in R^3 (with a constant feature), three actions, distinct best actions. */
    static ContextualBandit small(double noise, double offset) {
        return new ContextualBandit(
                new float[][] {{1f, 0.5f, -1f}, {1f, -1f, 0.3f}, {1f, 0.2f, 0.9f}},
                new double[] {0.5, 0.3, 0.2},
                new double[][] {{1.0, 0.0, -0.5}, {-0.5, 1.5, 0.0}, {0.0, -1.0, 2.0}},
                noise,
                offset);
    }

    PolicySpec spec() {
        return new PolicySpec("bandit", contexts[0].length, meanRewards[0].length);
    }

    int sampleContext(Random random) {
        double u = random.nextDouble();
        double cumulative = 0;
        for (int c = 0; c < contexts.length; c++) {
            cumulative += contextProbabilities[c];
            if (u < cumulative) {
                return c;
            }
        }
        return contexts.length - 1;
    }

    double reward(int context, int action, Random random) {
        return offset + meanRewards[context][action] + noise * random.nextGaussian();
    }

    /** One round: a context drawn from {@code q}, the policy's decision on it and its reward. */
    Round play(SoftmaxPolicy policy, Random random) {
        int context = sampleContext(random);
        float[] x = contexts[context];
        SoftmaxPolicy.Decision decision = policy.sample(x, random);
        double reward = reward(context, decision.actions()[0], random);
        return new Round(x, decision.actions(), reward, decision.propensity());
    }

    /**
     * One round of a bandit, as the application logs it: the features it decided on, the actions,
     * their reward and the propensity to log ({@link MicroBatch#ON_POLICY} for none).
     */
    record Round(float[] features, int[] actions, double reward, double propensity) {

        /** Adds the round to {@code batch} as an event with that advantage and propensity. */
        void addTo(MicroBatch batch, double advantage, double propensity) {
            batch.add(features, actions, (float) reward, (float) advantage, propensity);
        }
    }

    /** {@code J = sum_x q(x) sum_a pi(a|x) rbar(x,a)}, offset included. */
    double expectedReward(SoftmaxPolicy policy) {
        double value = 0;
        for (int c = 0; c < contexts.length; c++) {
            double[] p = policy.probabilities(0, contexts[c]);
            for (int a = 0; a < p.length; a++) {
                value += contextProbabilities[c] * p[a] * (offset + meanRewards[c][a]);
            }
        }
        return value;
    }

    /** The best achievable {@code J}. */
    double optimalReward() {
        double value = 0;
        for (int c = 0; c < contexts.length; c++) {
            double best = Double.NEGATIVE_INFINITY;
            for (double r : meanRewards[c]) {
                best = Math.max(best, r);
            }
            value += contextProbabilities[c] * (offset + best);
        }
        return value;
    }

    /** The exact gradient of {@code J} in the layout of the parameter vector. */
    double[] exactGradient(SoftmaxPolicy policy) {
        PolicySpec spec = policy.parameters().spec();
        int d = spec.features();
        int n = spec.actions(0);
        double[] gradient = new double[spec.parameterCount()];
        for (int c = 0; c < contexts.length; c++) {
            double[] p = policy.probabilities(0, contexts[c]);
            double mean = 0;
            for (int a = 0; a < n; a++) {
                mean += p[a] * meanRewards[c][a];
            }
            for (int a = 0; a < n; a++) {
                double dz = contextProbabilities[c] * p[a] * (meanRewards[c][a] - mean);
                gradient[spec.biasOffset(0) + a] += dz;
                for (int j = 0; j < d; j++) {
                    gradient[spec.weightOffset(0) + a * d + j] += dz * contexts[c][j];
                }
            }
        }
        return gradient;
    }
}
