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
 * <p>The gathers and scatters run in a {@link RankerKernel}, over runs of decisions: {@link
 * #accumulate} builds the decision's {@code phi} into a buffer of {@value #CHUNK_ENTRIES} entries
 * (more for a decision larger than that), and a full buffer, or {@link #update}, scores every
 * decision in it with one kernel call, takes its softmax, importance weight and coefficients, and
 * adds the gradients with a second call. The weights change only at {@link #update}, so every
 * decision of the batch is scored by the weights before it, as one by one.
 *
 * <p>Workspace: the weights, their accumulators and the batch gradient, {@code 3 * 4 * 2^bits}
 * bytes (twice that with a reward model: its weights, accumulators and gradient), a bitset and the
 * list of touched weights, the buffer of {@code phi} (8 bytes an entry, for the larger of {@value
 * #CHUNK_ENTRIES} entries and a largest decision) and the crosses its policy remembers ({@link
 * RankerPolicy}).
 */
public final class RankerLearner {

    /** AdaGrad's guard against a zero accumulator. */
    public static final double EPSILON = 1e-8;

    /** The entries of {@code phi} buffered before a kernel call: 128 KiB of indices and values. */
    public static final int CHUNK_ENTRIES = 1 << 14;

    private final RankerSpec spec;
    private final float[] weights;
    private final float[] squaredGradients;
    private final RankerKernel kernel;

    /** The doubly robust reward model, or null for REINFORCE. */
    private final RewardModel rewardModel;

    private final double rewardModelLearningRate;

    /**
     * The buffered decisions' {@code phi} and the kernels' arguments: the batch gradient (and the
     * reward model's) and the weights they touched since the last update.
     */
    private final RankerBatch buffer = new RankerBatch();

    /** Of each buffered decision: its first candidate in the buffer, its count and choice. */
    private int[] firstCandidates = new int[64];

    private int[] counts = new int[64];
    private int[] choices = new int[64];
    private double[] advantages = new double[64];
    private double[] propensities = new double[64];
    private double[] weightCaps = new double[64];

    /** The buffered decisions, not yet scored. */
    private int buffered;

    /** Of each decision of the batch: {@code pi(a)} and the importance weight, once scored. */
    private double[] probabilities = new double[64];

    private double[] importanceWeights = new double[64];

    /** Softmax workspace of one decision. */
    private double[] softmax = new double[8];

    /** The batch's statistics so far: sums over its scored events. */
    private double advantageSum;

    private double entropySum;
    private double weightSum;
    private double weightSquareSum;
    private double maxRawWeight;
    private int cappedWeights;

    /** What the latest {@link #update} applied; {@link BatchStatistics#EMPTY} before one. */
    private BatchStatistics lastBatch = BatchStatistics.EMPTY;

    /** The events accumulated since the last update, scored or buffered. */
    private int events;

    private final RankerPolicy policy;

    /** A learner from zero weights, with the Java kernel. */
    public RankerLearner(RankerSpec spec) {
        this(spec, new float[spec.weightCount()], new float[spec.weightCount()]);
    }

    /**
     * The bytes a learner of {@code spec} takes: its weights, accumulators and batch gradient (and
     * as much again for a doubly robust reward model), the bitset of touched weights and the list
     * of them at its largest (every weight touched), the buffer of {@code phi} at its largest, and
     * the crosses its policy remembers.
     */
    public static long workspaceBytes(RankerSpec spec, boolean doublyRobust) {
        long weights = spec.weightCount();
        long decision = spec.maxCandidates() * spec.maxCandidateFeatures();
        long rememberedCrosses = 2L * RankerPolicy.CROSS_CACHE_SLOTS * spec.maxFeatures();
        return weights * Float.BYTES * (doublyRobust ? 6 : 3)
                + Math.max(1, weights >>> 6) * Long.BYTES
                + weights * Integer.BYTES
                + Math.max(CHUNK_ENTRIES, decision) * (Integer.BYTES + Float.BYTES)
                + rememberedCrosses * Integer.BYTES;
    }

    /** A learner from {@code weights} and their AdaGrad accumulators, both kept and updated. */
    public RankerLearner(RankerSpec spec, float[] weights, float[] squaredGradients) {
        this(spec, weights, squaredGradients, null, 0, JavaRankerKernel.INSTANCE);
    }

    /**
     * A doubly robust learner from {@code weights}, their AdaGrad accumulators and {@code
     * rewardModel}, all kept and updated (null for REINFORCE), with the Java kernel.
     */
    public RankerLearner(
            RankerSpec spec,
            float[] weights,
            float[] squaredGradients,
            RewardModel rewardModel,
            double rewardModelLearningRate) {
        this(
                spec,
                weights,
                squaredGradients,
                rewardModel,
                rewardModelLearningRate,
                JavaRankerKernel.INSTANCE);
    }

    /**
     * A doubly robust learner from {@code weights}, their AdaGrad accumulators and {@code
     * rewardModel}, all kept and updated; null for REINFORCE.
     *
     * @param rewardModelLearningRate the reward model's AdaGrad step size, positive (ignored
     *     without a model)
     * @param kernel the gathers and scatters
     */
    public RankerLearner(
            RankerSpec spec,
            float[] weights,
            float[] squaredGradients,
            RewardModel rewardModel,
            double rewardModelLearningRate,
            RankerKernel kernel) {
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
        this.kernel = kernel;
        this.rewardModel = rewardModel;
        this.rewardModelLearningRate = rewardModelLearningRate;
        this.policy = new RankerPolicy(spec, weights);
        policy.rememberCrosses();
        buffer.weights = weights;
        buffer.otherWeights = rewardModel == null ? null : rewardModel.weights;
        buffer.gradient = new float[spec.weightCount()];
        buffer.modelGradient = rewardModel == null ? null : new float[spec.weightCount()];
        buffer.touchedBits = new long[Math.max(1, spec.weightCount() >>> 6)];
        buffer.touched = new int[Math.min(spec.weightCount(), 1024)];
    }

    public RankerSpec spec() {
        return spec;
    }

    /** The kernel of its gathers and scatters. */
    public RankerKernel kernel() {
        return kernel;
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
     * The probability the weights before the update gave the choice of event {@code event} of the
     * batch accumulated since the last update (0 for its first): what progressive validation scores
     * it with. Read it before {@link #update}.
     */
    public double probability(int event) {
        scored(event);
        return probabilities[event];
    }

    /**
     * The importance weight of event {@code event} of the batch accumulated since the last update,
     * {@code min(pi(a) / mu, cap)}.
     */
    public double importanceWeight(int event) {
        scored(event);
        return importanceWeights[event];
    }

    /** Scores the buffered decisions where {@code event} of the batch is one of them. */
    private void scored(int event) {
        if (event < 0 || event >= events) {
            throw new IndexOutOfBoundsException(
                    "Event " + event + " of a batch of " + events + " events.");
        }
        if (event >= events - buffered) {
            score();
        }
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
     * Adds one logged decision to the batch: its {@code phi} now, its scores and gradient with the
     * buffer's (at the latest at {@link #update}).
     *
     * @param chosen the index of the logged choice among the candidates
     * @param advantage the reward minus the baseline
     * @param propensity the probability with which the choice was logged, in (0, 1]; NaN for an
     *     on-policy event (importance weight 1)
     * @param weightCap the most an importance weight counts
     * @throws IllegalArgumentException where the decision exceeds the spec's limits or the choice
     *     is not one of the candidates (the learner's decoders dead-letter such records first)
     */
    public void accumulate(
            HashedFeatures shared,
            HashedFeatures[] candidates,
            int count,
            int chosen,
            double advantage,
            double propensity,
            double weightCap) {
        policy.check(shared, candidates, count);
        if (chosen < 0 || chosen >= count) {
            throw new IllegalArgumentException(
                    "The chosen candidate " + chosen + " is not one of " + count + ".");
        }
        long entries = 0;
        for (int k = 0; k < count; k++) {
            entries += RankerPolicy.maxEntries(shared, candidates[k]);
        }
        if (buffered > 0 && buffer.entries + entries > CHUNK_ENTRIES) {
            score();
        }
        if (buffered == firstCandidates.length) {
            int size = 2 * buffered;
            firstCandidates = Arrays.copyOf(firstCandidates, size);
            counts = Arrays.copyOf(counts, size);
            choices = Arrays.copyOf(choices, size);
            advantages = Arrays.copyOf(advantages, size);
            propensities = Arrays.copyOf(propensities, size);
            weightCaps = Arrays.copyOf(weightCaps, size);
        }
        firstCandidates[buffered] = buffer.candidates;
        counts[buffered] = count;
        choices[buffered] = chosen;
        advantages[buffered] = advantage;
        propensities[buffered] = propensity;
        weightCaps[buffered] = weightCap;
        buffered++;
        for (int k = 0; k < count; k++) {
            policy.appendPhi(shared, candidates[k], buffer);
        }
        if (events == probabilities.length) {
            probabilities = Arrays.copyOf(probabilities, 2 * events);
            importanceWeights = Arrays.copyOf(importanceWeights, 2 * events);
        }
        events++;
    }

    /**
     * Scores the buffered decisions (one kernel call), takes each one's softmax, importance weight,
     * statistics and coefficients, adds their gradients (a second call) and empties the buffer.
     */
    private void score() {
        if (buffered == 0) {
            return;
        }
        kernel.scores(buffer);
        int first = events - buffered;
        for (int e = 0; e < buffered; e++) {
            coefficients(first + e, e);
        }
        buffer.reserveTouched();
        kernel.scatter(buffer);
        buffer.clearCandidates();
        buffered = 0;
    }

    /**
     * The softmax of buffered decision {@code e} (event {@code event} of the batch) from its
     * scores, its importance weight and statistics, and its coefficients: REINFORCE's {@code c_k =
     * rho A (1[k = a] - pi(k))}, or doubly robust with the model's error on the choice for the
     * reward model's gradient.
     */
    private void coefficients(int event, int e) {
        int first = firstCandidates[e];
        int count = counts[e];
        int chosen = choices[e];
        double[] scores = buffer.scores;
        if (softmax.length < count) {
            softmax = new double[Math.max(count, 2 * softmax.length)];
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < count; k++) {
            max = Math.max(max, scores[first + k]);
        }
        double sum = 0;
        double weightedScore = 0;
        for (int k = 0; k < count; k++) {
            double p = Math.exp(scores[first + k] - max);
            softmax[k] = p;
            sum += p;
            weightedScore += p * scores[first + k];
        }
        for (int k = 0; k < count; k++) {
            softmax[k] /= sum;
        }
        // -sum_k pi(k) log pi(k) = log Z - sum_k pi(k) s_k, with log Z = max + log(sum).
        double entropy = Math.max(0, max + Math.log(sum) - weightedScore / sum);

        double probability = softmax[chosen];
        double propensity = propensities[e];
        double advantage = advantages[e];
        double rawWeight = Double.isNaN(propensity) ? 1 : probability / propensity;
        double importanceWeight = Math.min(rawWeight, weightCaps[e]);
        probabilities[event] = probability;
        importanceWeights[event] = importanceWeight;
        advantageSum += advantage;
        weightSum += importanceWeight;
        weightSquareSum += importanceWeight * importanceWeight;
        maxRawWeight = Math.max(maxRawWeight, rawWeight);
        cappedWeights += rawWeight > weightCaps[e] ? 1 : 0;
        entropySum += entropy;

        double[] coefficients = buffer.coefficients;
        if (rewardModel == null) {
            double scale = importanceWeight * advantage;
            for (int k = 0; k < count; k++) {
                coefficients[first + k] = scale * ((k == chosen ? 1 : 0) - softmax[k]);
            }
            return;
        }
        // The reward model's values q_k came with the scores, in the same gathers.
        double[] values = buffer.otherScores;
        double meanValue = 0;
        for (int k = 0; k < count; k++) {
            meanValue += softmax[k] * values[first + k];
        }
        double error = advantage - values[first + chosen];
        double correction = importanceWeight * error;
        for (int k = 0; k < count; k++) {
            double p = softmax[k];
            coefficients[first + k] =
                    correction * ((k == chosen ? 1 : 0) - p) + p * (values[first + k] - meanValue);
            buffer.modelCoefficients[first + k] = k == chosen ? error : 0;
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
        score();
        float[] gradient = buffer.gradient;
        float[] modelGradient = buffer.modelGradient;
        int[] touched = buffer.touched;
        int touchedCount = buffer.touchedCount;
        double scale = 1.0 / events;
        boolean finite = true;
        for (int t = 0; t < touchedCount && finite; t++) {
            int j = touched[t];
            finite =
                    Float.isFinite(gradient[j])
                            && (modelGradient == null || Float.isFinite(modelGradient[j]));
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
        long[] touchedBits = buffer.touchedBits;
        for (int t = 0; t < touchedCount; t++) {
            int j = touched[t];
            if (finite) {
                if (gradient[j] != 0) {
                    changed +=
                            step(weights, squaredGradients, j, gradient[j] * scale, learningRate);
                }
                if (modelGradient != null && modelGradient[j] != 0) {
                    step(
                            rewardModel.weights,
                            rewardModel.squares,
                            j,
                            modelGradient[j] * scale,
                            rewardModelLearningRate);
                }
            }
            gradient[j] = 0;
            if (modelGradient != null) {
                modelGradient[j] = 0;
            }
            touchedBits[j >>> 6] &= ~(1L << j);
        }
        buffer.touchedCount = 0;
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
        score();
        return events == 0 ? 0 : buffer.gradient[index] / (double) events;
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
}
