package org.flinkreinforce.model.ranker;

import java.util.Arrays;
import org.flinkreinforce.model.BatchStatistics;
import org.flinkreinforce.model.RewardModel;

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
 * <p>Doubly robust (Dudik, Langford and Li 2011), with a reward model {@code q(x, c) = v . phi(x,
 * c)} over the same hashed features ({@link RewardModel} of {@code 2^bits} weights): with {@code
 * q_k = q(x, c_k)} and {@code qbar = sum_k pi(k) q_k}, the event adds
 *
 * <pre>
 *   c_k = rho (A - q_a) (1[k = a] - pi(k)) + pi(k) (q_k - qbar)
 * </pre>
 *
 * times each candidate's {@code phi}: the gradient of {@code sum_k pi(k) q_k} (the model's value of
 * every candidate) plus the importance-weighted correction of its error on the logged choice. Its
 * expectation is the REINFORCE gradient's for any model that does not depend on the batch (with
 * uncapped weights), so the model is fitted after the batch it served: {@link #update} also takes
 * one AdaGrad step on the batch's mean squared error {@code (A - q_a)^2 / 2} of the logged choices,
 * on the weights of their {@code phi}. A model that predicts the advantage well cancels most of the
 * variance that the choice of the candidate adds.
 *
 * <p>Workspace: the weights, their accumulators and the batch gradient, {@code 3 * 4 * 2^bits}
 * bytes (twice that with a reward model: its weights, accumulators and gradient), plus a bitset and
 * the list of touched weights.
 */
public final class RankerLearner {

    /** AdaGrad's guard against a zero accumulator. */
    public static final double EPSILON = 1e-8;

    private final RankerSpec spec;
    private final float[] weights;
    private final float[] squaredGradients;
    private final float[] gradient;

    /** The doubly robust reward model, or null for REINFORCE. */
    private final RewardModel rewardModel;

    private final double rewardModelLearningRate;

    /** The reward model's batch gradient, of the touched weights; empty for REINFORCE. */
    private final float[] modelGradient;

    /** The batch's statistics so far: sums over its events. */
    private double advantageSum;

    private double entropySum;
    private double weightSum;
    private double weightSquareSum;
    private double maxRawWeight;
    private int cappedWeights;

    /** {@code pi(a)} of the decision accumulated last, under the weights before the update. */
    private double lastProbability = Double.NaN;

    /** What the latest {@link #update} applied; {@link BatchStatistics#EMPTY} before one. */
    private BatchStatistics lastBatch = BatchStatistics.EMPTY;

    private final long[] touchedBits;
    private int[] touched = new int[1024];
    private int touchedCount;
    private int events;
    private final RankerPolicy policy;

    /** A learner from zero weights. */
    public RankerLearner(RankerSpec spec) {
        this(spec, new float[spec.weightCount()], new float[spec.weightCount()]);
    }

    /**
     * The bytes a learner of {@code spec} takes: its weights, accumulators and batch gradient (and
     * as much again for a doubly robust reward model), the bitset of touched weights and the list
     * of them, at its largest (every weight touched).
     */
    public static long workspaceBytes(RankerSpec spec, boolean doublyRobust) {
        long weights = spec.weightCount();
        return weights * Float.BYTES * (doublyRobust ? 6 : 3)
                + Math.max(1, weights >>> 6) * Long.BYTES
                + weights * Integer.BYTES;
    }

    /** A learner from {@code weights} and their AdaGrad accumulators, both kept and updated. */
    public RankerLearner(RankerSpec spec, float[] weights, float[] squaredGradients) {
        this(spec, weights, squaredGradients, null, 0);
    }

    /**
     * A doubly robust learner from {@code weights}, their AdaGrad accumulators and {@code
     * rewardModel}, all kept and updated; null for REINFORCE.
     *
     * @param rewardModelLearningRate the reward model's AdaGrad step size, positive (ignored
     *     without a model)
     */
    public RankerLearner(
            RankerSpec spec,
            float[] weights,
            float[] squaredGradients,
            RewardModel rewardModel,
            double rewardModelLearningRate) {
        spec.requireLength(squaredGradients, "accumulators");
        if (rewardModel != null) {
            spec.requireLength(rewardModel.weights, "reward model weights");
            spec.requireLength(rewardModel.squares, "reward model accumulators");
            if (!(rewardModelLearningRate > 0) || Double.isInfinite(rewardModelLearningRate)) {
                throw new IllegalArgumentException(
                        "The reward model's learning rate of ranker policy "
                                + spec.id()
                                + " must be positive and finite, not "
                                + rewardModelLearningRate
                                + ".");
            }
        }
        this.spec = spec;
        this.weights = weights;
        this.squaredGradients = squaredGradients;
        this.gradient = new float[spec.weightCount()];
        this.rewardModel = rewardModel;
        this.rewardModelLearningRate = rewardModelLearningRate;
        this.modelGradient = new float[rewardModel == null ? 0 : spec.weightCount()];
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

    /** The doubly robust reward model, live; null for REINFORCE. */
    public RewardModel rewardModel() {
        return rewardModel;
    }

    /**
     * The probability the weights before the update gave the choice of the decision accumulated
     * last: what progressive validation scores it with.
     */
    public double lastProbability() {
        return lastProbability;
    }

    /**
     * The statistics of the batch the latest {@link #update} applied (a rejected batch leaves the
     * previous ones): its size, mean advantage, mean entropy of the policy over the candidates,
     * mean capped and largest uncapped importance weight, effective sample size, weights the cap
     * cut and the norm of its mean gradient; the mean reward is 0, the learner sees advantages only
     * ({@link BatchStatistics#withMeanReward}). {@link BatchStatistics#EMPTY} before the first.
     */
    public BatchStatistics lastBatch() {
        return lastBatch;
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
        policy.evaluate(
                shared, candidates, count, rewardModel == null ? null : rewardModel.weights);
        if (chosen < 0 || chosen >= count) {
            throw new IllegalArgumentException(
                    "The chosen candidate " + chosen + " is not one of " + count + ".");
        }
        lastProbability = policy.probability(chosen);
        double rawWeight = Double.isNaN(propensity) ? 1 : lastProbability / propensity;
        double importanceWeight = Math.min(rawWeight, weightCap);
        events++;
        advantageSum += advantage;
        weightSum += importanceWeight;
        weightSquareSum += importanceWeight * importanceWeight;
        maxRawWeight = Math.max(maxRawWeight, rawWeight);
        cappedWeights += rawWeight > weightCap ? 1 : 0;
        entropySum += entropy(count);
        if (rewardModel != null) {
            accumulateDoublyRobust(count, chosen, advantage, importanceWeight);
            return importanceWeight;
        }
        double scale = importanceWeight * advantage;
        if (scale == 0) {
            return importanceWeight;
        }
        for (int k = 0; k < count; k++) {
            addPhi(k, scale * ((k == chosen ? 1 : 0) - policy.probability(k)));
        }
        return importanceWeight;
    }

    /**
     * The entropy of the evaluated decision's policy, {@code -sum_k pi(k) log pi(k) = log Z - sum_k
     * pi(k) s_k} with {@code log Z = s_j - log pi(j)} for its likeliest candidate {@code j}: one
     * logarithm, not one per candidate.
     */
    private double entropy(int count) {
        int likeliest = 0;
        double expectedScore = 0;
        for (int k = 0; k < count; k++) {
            if (policy.probability(k) > policy.probability(likeliest)) {
                likeliest = k;
            }
            expectedScore += policy.probability(k) * policy.score(k);
        }
        double logZ = policy.score(likeliest) - Math.log(policy.probability(likeliest));
        return Math.max(0, logZ - expectedScore);
    }

    /** The doubly robust {@code c_k} of the evaluated decision, and the model's error gradient. */
    private void accumulateDoublyRobust(
            int count, int chosen, double advantage, double importanceWeight) {
        // The reward model's values q_k came with the scores, in the same pass over phi.
        double meanValue = 0;
        for (int k = 0; k < count; k++) {
            meanValue += policy.probability(k) * policy.otherScore(k);
        }
        double error = advantage - policy.otherScore(chosen);
        double correction = importanceWeight * error;
        for (int k = 0; k < count; k++) {
            double probability = policy.probability(k);
            addPhi(
                    k,
                    correction * ((k == chosen ? 1 : 0) - probability)
                            + probability * (policy.otherScore(k) - meanValue));
        }
        for (int j = policy.phiStart(chosen); j < policy.phiEnd(chosen); j++) {
            int index = policy.phiIndex(j);
            touch(index);
            modelGradient[index] += (float) (error * policy.phiValue(j));
        }
    }

    /**
     * Applies the mean gradient of the events accumulated since the last update with AdaGrad, to
     * the touched weights only, then fits the reward model where there is one, and starts a new
     * batch.
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
            int j = touched[t];
            finite =
                    Float.isFinite(gradient[j])
                            && (rewardModel == null || Float.isFinite(modelGradient[j]));
        }
        double squaredNorm = 0;
        for (int t = 0; t < touchedCount && finite; t++) {
            double g = gradient[touched[t]] * scale;
            squaredNorm += g * g;
        }
        if (finite) {
            lastBatch =
                    new BatchStatistics(
                            events,
                            0,
                            advantageSum * scale,
                            entropySum * scale,
                            weightSum * scale,
                            maxRawWeight,
                            weightSquareSum > 0 ? weightSum * weightSum / weightSquareSum : 0,
                            cappedWeights,
                            Math.sqrt(squaredNorm));
        }
        int changed = 0;
        for (int t = 0; t < touchedCount; t++) {
            int j = touched[t];
            if (finite) {
                changed += step(weights, squaredGradients, j, gradient[j] * scale, learningRate);
                if (rewardModel != null && modelGradient[j] != 0) {
                    step(
                            rewardModel.weights,
                            rewardModel.squares,
                            j,
                            modelGradient[j] * scale,
                            rewardModelLearningRate);
                }
            }
            gradient[j] = 0;
            if (rewardModel != null) {
                modelGradient[j] = 0;
            }
            touchedBits[j >>> 6] &= ~(1L << j);
        }
        touchedCount = 0;
        events = 0;
        advantageSum = 0;
        entropySum = 0;
        weightSum = 0;
        weightSquareSum = 0;
        maxRawWeight = 0;
        cappedWeights = 0;
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

    /**
     * One AdaGrad step of weight {@code j} along {@code g}: {@code G_j += g^2}, {@code w_j += rate
     * g / (sqrt(G_j) + eps)}; a step to a weight that is not finite changes nothing.
     *
     * @return 1 where the step was taken, else 0
     */
    private static int step(float[] w, float[] squares, int j, double g, double rate) {
        double accumulator = squares[j] + g * g;
        float next = (float) (w[j] + rate * g / (Math.sqrt(accumulator) + EPSILON));
        if (!Float.isFinite(next)) {
            return 0;
        }
        squares[j] = (float) accumulator;
        w[j] = next;
        return 1;
    }

    /** Adds {@code coefficient} times candidate {@code k}'s {@code phi} to the batch gradient. */
    private void addPhi(int k, double coefficient) {
        for (int j = policy.phiStart(k); j < policy.phiEnd(k); j++) {
            int index = policy.phiIndex(j);
            touch(index);
            gradient[index] += (float) (coefficient * policy.phiValue(j));
        }
    }

    private void touch(int index) {
        long bit = 1L << index;
        int word = index >>> 6;
        if ((touchedBits[word] & bit) == 0) {
            touchedBits[word] |= bit;
            if (touchedCount == touched.length) {
                touched = Arrays.copyOf(touched, 2 * touchedCount);
            }
            touched[touchedCount++] = index;
        }
    }
}
