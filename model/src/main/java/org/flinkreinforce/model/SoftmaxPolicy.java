package org.flinkreinforce.model;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The linear softmax policy {@code pi(a | x) = prod_h softmax(W_h x + b_h)[a_h]} over given {@link
 * PolicyParameters}: probabilities, log-probabilities, sampling with propensities and the greedy
 * action. Computed in float64 with log-sum-exp, so logits of any finite size (±1e4 and beyond) give
 * exact-to-rounding probabilities and never NaN.
 *
 * <p>This is the serving-side view of a policy; the learner's batched work lives in {@link
 * ReinforceEstimator}. Not thread-safe (it keeps one scratch array); create one per thread or
 * synchronise.
 */
public final class SoftmaxPolicy {

    /**
     * One decision: an action per head, the probability the policy gave the whole tuple, and the
     * version of the parameters that made it.
     */
    public record Decision(int[] actions, double propensity, long policyVersion) {}

    private final PolicyParameters parameters;
    private final PolicySpec spec;
    private final double[] scratch;

    public SoftmaxPolicy(PolicyParameters parameters) {
        this(parameters, new double[parameters.spec().maxActions()]);
    }

    /**
     * A policy that works in {@code scratch} (at least {@link PolicySpec#maxActions} long), so that
     * a caller deciding often allocates none: one scratch per thread, the policy not shared.
     */
    public SoftmaxPolicy(PolicyParameters parameters, double[] scratch) {
        this.parameters = Objects.requireNonNull(parameters, "The parameters must not be null.");
        this.spec = parameters.spec();
        if (scratch.length < spec.maxActions()) {
            throw new IllegalArgumentException(
                    "The scratch needs "
                            + spec.maxActions()
                            + " entries, it has "
                            + scratch.length
                            + ".");
        }
        this.scratch = scratch;
    }

    public PolicyParameters parameters() {
        return parameters;
    }

    /** Writes the logits {@code W_h x + b_h} of head {@code h} into {@code out[0 .. n_h)}. */
    public void logits(int head, float[] features, double[] out) {
        checkFeatures(features);
        float[] values = parameters.values();
        int d = spec.features();
        int n = spec.actions(head);
        int weights = spec.weightOffset(head);
        int biases = spec.biasOffset(head);
        for (int a = 0; a < n; a++) {
            double z = values[biases + a];
            int row = weights + a * d;
            for (int j = 0; j < d; j++) {
                z += (double) values[row + j] * features[j];
            }
            out[a] = z;
        }
    }

    /** The action probabilities of head {@code h}, a new array of {@code n_h} entries. */
    public double[] probabilities(int head, float[] features) {
        double[] p = new double[spec.actions(head)];
        logits(head, features, p);
        Softmax.softmaxInPlace(p, p.length);
        return p;
    }

    /** {@code log pi(actions | x)}, summed over the heads. */
    public double logProbability(float[] features, int[] actions) {
        checkActions(actions);
        double logProbability = 0;
        for (int h = 0; h < spec.headCount(); h++) {
            int n = spec.actions(h);
            logits(h, features, scratch);
            logProbability += scratch[actions[h]] - Softmax.logSumExp(scratch, n);
        }
        return logProbability;
    }

    /** {@code pi(actions | x)}. */
    public double probability(float[] features, int[] actions) {
        return Math.exp(logProbability(features, actions));
    }

    /**
     * Samples one action per head and returns them with their joint probability (the propensity to
     * log with the event). The same generator state gives the same decision.
     */
    public Decision sample(float[] features, RandomGenerator random) {
        int[] actions = new int[spec.headCount()];
        double logPropensity = 0;
        for (int h = 0; h < spec.headCount(); h++) {
            int n = spec.actions(h);
            logits(h, features, scratch);
            double logNormaliser = Softmax.logSumExp(scratch, n);
            double u = random.nextDouble();
            double cumulative = 0;
            int chosen = -1;
            for (int a = 0; a < n; a++) {
                cumulative += Math.exp(scratch[a] - logNormaliser);
                if (u < cumulative) {
                    chosen = a;
                    break;
                }
            }
            if (chosen < 0) {
                // Rounding left the cumulative sum just below u: take the most likely of the
                // actions with non-zero probability at the end of the distribution.
                chosen = lastPositive(scratch, n, logNormaliser);
            }
            actions[h] = chosen;
            logPropensity += scratch[chosen] - logNormaliser;
        }
        return new Decision(actions, Math.exp(logPropensity), parameters.version());
    }

    /** The most probable action per head (the lowest index among ties). */
    public int[] greedy(float[] features) {
        int[] actions = new int[spec.headCount()];
        for (int h = 0; h < spec.headCount(); h++) {
            logits(h, features, scratch);
            int best = 0;
            for (int a = 1; a < spec.actions(h); a++) {
                if (scratch[a] > scratch[best]) {
                    best = a;
                }
            }
            actions[h] = best;
        }
        return actions;
    }

    private static int lastPositive(double[] logits, int n, double logNormaliser) {
        for (int a = n - 1; a >= 0; a--) {
            if (Math.exp(logits[a] - logNormaliser) > 0) {
                return a;
            }
        }
        return n - 1;
    }

    private void checkFeatures(float[] features) {
        spec.requireSize(features.length, spec.features(), "expects %d features but got %d");
    }

    private void checkActions(int[] actions) {
        spec.requireSize(
                actions.length, spec.headCount(), "expects one action per head (%d) but got %d");
        for (int h = 0; h < actions.length; h++) {
            if (actions[h] < 0 || actions[h] >= spec.actions(h)) {
                throw new IllegalArgumentException(
                        "Action "
                                + actions[h]
                                + " is out of range for head "
                                + h
                                + " of policy "
                                + spec.id()
                                + " with "
                                + spec.actions(h)
                                + " actions.");
            }
        }
    }
}
