package org.flinkreinforce.model.ranker;

import java.util.Arrays;

/**
 * Learns a ranker policy's weights from logged decisions with REINFORCE (Williams 1992), sparse:
 * each event's gradient touches only the weights of the features present in its candidates, and so
 * does each update.
 *
 * <p>For a decision with candidates {@code c_1..c_K}, the logged choice {@code a}, its logged
 * propensity {@code mu} and advantage {@code A} (reward minus an action-independent baseline), the
 * event's gradient of the expected reward is
 *
 * <pre>
 *   g = rho A (phi(x, c_a) - sum_k pi(k) phi(x, c_k)),   rho = min(pi(a) / mu, cap),
 * </pre>
 *
 * since {@code grad log pi(a) = phi(x, c_a) - sum_k pi(k) phi(x, c_k)} for a softmax of linear
 * scores. {@link #accumulate} adds it, as {@code c_k = rho A (1[k = a] - pi(k))} times each
 * candidate's {@code phi}, to the batch's gradient; {@link #update} applies the batch mean with
 * per-weight AdaGrad (Duchi et al. 2011), which is sparse by design: {@code G_j += g_j^2}, {@code
 * theta_j += lr g_j / (sqrt(G_j) + eps)} for the touched weights only, so rare features keep large
 * steps and frequent ones small. An update whose gradient is not finite is rejected whole.
 *
 * <p>Workspace: the weights, their accumulators and the batch gradient, {@code 3 * 4 * 2^bits}
 * bytes, plus a bitset and the list of touched weights.
 */
public final class RankerLearner {

    /** AdaGrad's guard against a zero accumulator. */
    public static final double EPSILON = 1e-8;

    private final RankerSpec spec;
    private final float[] weights;
    private final float[] squaredGradients;
    private final float[] gradient;
    private final long[] touchedBits;
    private int[] touched = new int[1024];
    private int touchedCount;
    private int events;
    private final RankerPolicy policy;

    /** A learner from zero weights. */
    public RankerLearner(RankerSpec spec) {
        this(spec, new float[spec.weightCount()], new float[spec.weightCount()]);
    }

    /** A learner from {@code weights} and their AdaGrad accumulators, both kept and updated. */
    public RankerLearner(RankerSpec spec, float[] weights, float[] squaredGradients) {
        spec.requireLength(squaredGradients, "accumulators");
        this.spec = spec;
        this.weights = weights;
        this.squaredGradients = squaredGradients;
        this.gradient = new float[spec.weightCount()];
        this.touchedBits = new long[Math.max(1, spec.weightCount() >>> 6)];
        this.policy = new RankerPolicy(spec, weights);
    }

    public RankerSpec spec() {
        return spec;
    }

    /** The weights, live: read them between updates. */
    public float[] weights() {
        return weights;
    }

    /** The AdaGrad accumulators, live. */
    public float[] squaredGradients() {
        return squaredGradients;
    }

    /** The events accumulated since the last update. */
    public int pendingEvents() {
        return events;
    }

    /**
     * Adds one logged decision's gradient to the batch.
     *
     * @param chosen the index of the logged choice among the candidates
     * @param advantage the reward minus the baseline
     * @param propensity the probability with which the choice was logged, in (0, 1]; NaN for an
     *     on-policy event (importance weight 1)
     * @param weightCap the most an importance weight counts
     * @return the importance weight applied, {@code min(pi(a) / mu, cap)}
     */
    public double accumulate(
            HashedFeatures shared,
            HashedFeatures[] candidates,
            int count,
            int chosen,
            double advantage,
            double propensity,
            double weightCap) {
        policy.evaluate(shared, candidates, count);
        if (chosen < 0 || chosen >= count) {
            throw new IllegalArgumentException(
                    "The chosen candidate " + chosen + " is not one of " + count + ".");
        }
        double importanceWeight =
                Double.isNaN(propensity)
                        ? 1
                        : Math.min(policy.probability(chosen) / propensity, weightCap);
        double scale = importanceWeight * advantage;
        events++;
        if (scale == 0) {
            return importanceWeight;
        }
        for (int k = 0; k < count; k++) {
            double coefficient = scale * ((k == chosen ? 1 : 0) - policy.probability(k));
            for (int j = policy.phiStart(k); j < policy.phiEnd(k); j++) {
                add(policy.phiIndex(j), coefficient * policy.phiValue(j));
            }
        }
        return importanceWeight;
    }

    /**
     * Applies the mean gradient of the events accumulated since the last update with AdaGrad, to
     * the touched weights only, and starts a new batch.
     *
     * @return the number of weights changed, or -1 where the gradient was not finite and the batch
     *     was dropped without changing any weight
     */
    public int update(double learningRate) {
        if (events == 0) {
            return 0;
        }
        double scale = 1.0 / events;
        boolean finite = true;
        for (int t = 0; t < touchedCount && finite; t++) {
            finite = Float.isFinite(gradient[touched[t]]);
        }
        int changed = 0;
        for (int t = 0; t < touchedCount; t++) {
            int j = touched[t];
            if (finite) {
                double g = gradient[j] * scale;
                double accumulator = squaredGradients[j] + g * g;
                float next =
                        (float)
                                (weights[j]
                                        + learningRate * g / (Math.sqrt(accumulator) + EPSILON));
                if (Float.isFinite(next)) {
                    squaredGradients[j] = (float) accumulator;
                    weights[j] = next;
                    changed++;
                }
            }
            gradient[j] = 0;
            touchedBits[j >>> 6] &= ~(1L << j);
        }
        touchedCount = 0;
        events = 0;
        return finite ? changed : -1;
    }

    /** The batch's mean gradient at weight {@code index} so far (0 before any event). */
    double pendingGradient(int index) {
        return events == 0 ? 0 : gradient[index] / (double) events;
    }

    /** A policy over these weights, for evaluating decisions (one per thread). */
    public RankerPolicy policy() {
        return new RankerPolicy(spec, weights);
    }

    private void add(int index, double value) {
        long bit = 1L << index;
        int word = index >>> 6;
        if ((touchedBits[word] & bit) == 0) {
            touchedBits[word] |= bit;
            if (touchedCount == touched.length) {
                touched = Arrays.copyOf(touched, 2 * touchedCount);
            }
            touched[touchedCount++] = index;
        }
        gradient[index] += (float) value;
    }
}
