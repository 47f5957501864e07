package org.flinkreinforce.model;

import java.util.Arrays;
import java.util.Objects;
import org.flinkreinforce.model.evaluation.ProgressiveValidation;
import org.flinkreinforce.model.kernel.GradientKernel;
import org.flinkreinforce.model.kernel.HeadBatch;

/**
 * The REINFORCE (score-function, log-derivative) gradient of a micro-batch (Williams 1992), with
 * capped importance weights for events logged under another policy (Chen et al. 2019, "Top-K
 * Off-Policy Correction for a REINFORCE Recommender System").
 *
 * <p>For event {@code i} with advantage {@code A_i} (reward minus a baseline that does not depend
 * on the action), logged propensity {@code mu_i} and head probabilities {@code p_i,h}:
 *
 * <ul>
 *   <li>{@code importanceWeight_i = min(pi(a_i | x_i) / mu_i, cap)}, and 1 for on-policy events;
 *   <li>{@code c_i = importanceWeight_i * A_i};
 *   <li>logit gradient of head h: {@code g_i,h = c_i (onehot(a_i,h) - p_i,h) + beta dH/dz};
 *   <li>{@code G_W_h = (1/B) sum_i g_i,h x_i^T}, {@code G_b_h = (1/B) sum_i g_i,h}.
 * </ul>
 *
 * <p>Doubly robust ({@link EstimatorKind#DOUBLY_ROBUST}; Dudik, Langford and Li 2011), per head
 * {@code h} with the reward model's action values {@code q_i,h = r_hat_h(x_i, .)} ({@link
 * RewardModel}): {@code c_i,h = importanceWeight_i (A_i - q_i,h,a_i,h)} and {@code g_i,h = c_i,h
 * (onehot(a_i,h) - p_i,h) + p_i,h (q_i,h - p_i,h . q_i,h) + beta dH/dz}, the logit gradient of
 * {@code sum_a p_a q_a + c log p_a_i}. Its expectation is the REINFORCE gradient's for any {@code
 * q} that does not depend on the batch (the model is fitted after the batch, {@link
 * #fitRewardModel}), with uncapped weights; a good {@code q} cancels most of its variance. Heads
 * are corrected one at a time, each with its own model of the reward given its own action. A head
 * with more than {@link EstimatorSettings#exactActions} actions takes the all-action term from
 * {@link EstimatorSettings#sampledActions} actions drawn from the policy, still unbiased ({@link
 * SampledActionValues}).
 *
 * <p>The result is an ascent direction for {@code E[R] + beta H}. The dense work runs in a {@link
 * GradientKernel}, one {@link HeadBatch} per head; this class holds them, so it allocates nothing
 * per batch. Not thread-safe.
 */
public final class ReinforceEstimator {

    /** The largest mean gradient an AdaGrad step takes: its square, 1e38, is a finite float. */
    private static final float MEAN_LIMIT = 1e19f;

    private final PolicySpec spec;
    private final EstimatorSettings settings;
    private final GradientKernel kernel;
    private final int capacity;

    /** One per head, each with its coefficients. */
    private final HeadBatch[] heads;

    /**
     * Per head, {@code q_i,h,a_h} of each row: the reward model's value of the logged action, read
     * by the correction and the fit; empty for REINFORCE.
     */
    private final float[][] loggedValues;

    /**
     * Per head, the workspace of its sampled action values where it has more actions than {@link
     * EstimatorSettings#exactActions}; null for the others and for REINFORCE.
     */
    private final SampledActionValues[] sampled;

    /**
     * The reward model's gradient while it is fitted, zero between fits; empty for REINFORCE. Only
     * the rows of logged actions are non-zero, so a fit touches those rows only.
     */
    private final float[] modelGradient;

    /**
     * The bias index ({@code biasOffset + a}) of each (head, action) the fit's batch logged, in
     * first-seen order; {@link #loggedMarks} marks them by that index.
     */
    private final int[] loggedRows;

    private final boolean[] loggedMarks;

    /** The linear baseline's gradient while it is fitted. */
    private final float[] baselineGradient;

    /** The latest batch's advantages after the linear baseline, where there is one. */
    private final float[] adjustedAdvantages;

    /** The advantages the latest estimate used: the batch's, or {@link #adjustedAdvantages}. */
    private float[] usedAdvantages;

    public ReinforceEstimator(
            PolicySpec spec, int capacity, EstimatorSettings settings, GradientKernel kernel) {
        this.spec = Objects.requireNonNull(spec, "The policy spec must not be null.");
        this.settings =
                Objects.requireNonNull(settings, "The estimator settings must not be null.");
        this.kernel = Objects.requireNonNull(kernel, "The kernel must not be null.");
        if (capacity < 1) {
            throw new IllegalArgumentException("The batch capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.modelGradient =
                new float
                        [settings.kind() == EstimatorKind.DOUBLY_ROBUST
                                ? spec.parameterCount()
                                : 0];
        this.loggedRows = new int[Math.min(modelGradient.length, capacity * spec.headCount())];
        this.loggedMarks = new boolean[modelGradient.length];
        this.baselineGradient = new float[spec.features() + 1];
        this.adjustedAdvantages = new float[capacity];
        int headCount = spec.headCount();
        this.heads = new HeadBatch[headCount];
        this.loggedValues =
                new float[headCount][settings.kind() == EstimatorKind.DOUBLY_ROBUST ? capacity : 0];
        this.sampled = new SampledActionValues[headCount];
        for (int h = 0; h < headCount; h++) {
            if (settings.kind() == EstimatorKind.DOUBLY_ROBUST
                    && spec.actions(h) > settings.exactActions()) {
                sampled[h] =
                        new SampledActionValues(
                                capacity, spec.actions(h), settings.sampledActions());
            }
        }
        for (int h = 0; h < headCount; h++) {
            heads[h] =
                    new HeadBatch(
                                    capacity,
                                    spec.features(),
                                    spec.actions(h),
                                    spec.weightOffset(h),
                                    spec.biasOffset(h),
                                    h,
                                    headCount,
                                    new float[capacity])
                            .setEntropyBonus((float) settings.entropyBonus());
        }
    }

    /**
     * Computes the averaged gradient of {@code batch} under {@code parameters} into {@code
     * gradient} (overwritten, laid out like the parameter vector) and returns the batch's
     * statistics. Reads nothing else and modifies neither the parameters nor the batch.
     *
     * @throws IllegalArgumentException if the batch is empty or larger than the capacity, or the
     *     shapes do not match
     */
    public BatchStatistics estimate(
            PolicyParameters parameters, MicroBatch batch, float[] gradient) {
        return estimate(parameters, batch, gradient, null, null, null);
    }

    /**
     * {@link #estimate(PolicyParameters, MicroBatch, float[])}, and adds every event, scored by
     * {@code parameters} before they learn from it, to {@code validation} (progressive validation;
     * null for none). The doubly robust estimate reads {@code rewardModel} (which it needs; null
     * for REINFORCE) and leaves the action values in the heads for {@link #fitRewardModel}. With a
     * {@code baselineModel} ({@code d + 1} weights: {@code v}, then {@code c}; null for none) the
     * advantage of event {@code i} is {@code A_i - b(x_i)}, kept for {@link #fitBaseline}.
     */
    public BatchStatistics estimate(
            PolicyParameters parameters,
            MicroBatch batch,
            float[] gradient,
            ProgressiveValidation validation,
            RewardModel rewardModel,
            RewardModel baselineModel) {
        checkArguments(parameters, batch, gradient);
        checkModels(rewardModel, baselineModel);
        boolean doublyRobust = settings.kind() == EstimatorKind.DOUBLY_ROBUST;
        int size = batch.size();
        forward(parameters, batch, gradient, doublyRobust ? rewardModel : null);

        float[] rewards = batch.rewards();
        float[] advantages = advantages(batch, baselineModel);
        double[] propensities = batch.propensities();
        double cap = settings.importanceWeightCap();
        double rewardSum = 0;
        double advantageSum = 0;
        double entropySum = 0;
        double weightSum = 0;
        double weightSquareSum = 0;
        double maxWeight = 0;
        int capped = 0;
        for (int i = 0; i < size; i++) {
            double logPolicy = 0;
            for (HeadBatch head : heads) {
                logPolicy += head.logProbChosen[i];
                entropySum += head.entropy[i];
            }
            double weight = 1.0;
            double propensity = propensities[i];
            if (!Double.isNaN(propensity)) {
                // pi / mu in log space: finite for any propensity in (0, 1].
                weight = Math.exp(logPolicy - Math.log(propensity));
            }
            if (validation != null && Double.isFinite(weight)) {
                // Uncapped, as the estimate needs; not finite only where the batch is rejected.
                validation.addWeighted(rewards[i], weight);
            }
            maxWeight = Math.max(maxWeight, weight);
            if (weight > cap) {
                weight = cap;
                capped++;
            }
            weightSum += weight;
            weightSquareSum += weight * weight;
            rewardSum += rewards[i];
            advantageSum += advantages[i];
            for (HeadBatch head : heads) {
                // Doubly robust: the correction w (A - q(x, a_h)) of each head's logged action.
                double correction =
                        doublyRobust ? advantages[i] - loggedValue(head, i) : advantages[i];
                head.coefficients[i] = (float) (weight * correction);
            }
        }

        for (HeadBatch head : heads) {
            kernel.backward(head);
        }

        return new BatchStatistics(
                size,
                rewardSum / size,
                advantageSum / size,
                entropySum / size,
                weightSum / size,
                maxWeight,
                weightSquareSum > 0 ? weightSum * weightSum / weightSquareSum : 0,
                capped,
                norm(gradient));
    }

    /**
     * The Euclidean norm of {@code v}, summed in four independent partial sums so that the loop
     * does not wait on one addition per entry.
     */
    private static double norm(float[] v) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int k = 0;
        for (; k + 4 <= v.length; k += 4) {
            s0 += (double) v[k] * v[k];
            s1 += (double) v[k + 1] * v[k + 1];
            s2 += (double) v[k + 2] * v[k + 2];
            s3 += (double) v[k + 3] * v[k + 3];
        }
        for (; k < v.length; k++) {
            s0 += (double) v[k] * v[k];
        }
        return Math.sqrt((s0 + s1) + (s2 + s3));
    }

    /**
     * Fits the reward model to the batch just {@link #estimate estimated}, after it served that
     * batch: one AdaGrad step on the mean squared error of each head's logged action, {@code (A_i -
     * q_i,h,a_h)^2 / 2}, with the action values the estimate computed. Every step moves a weight by
     * at most the learning rate, so the model stays finite. Does nothing for REINFORCE.
     */
    public void fitRewardModel(MicroBatch batch, RewardModel rewardModel) {
        if (settings.kind() != EstimatorKind.DOUBLY_ROBUST) {
            return;
        }
        float[] g = modelGradient;
        int size = batch.size();
        int d = spec.features();
        float[] x = batch.features();
        int logged = 0;
        for (HeadBatch head : heads) {
            for (int i = 0; i < size; i++) {
                float error = (float) (usedAdvantages[i] - loggedValue(head, i));
                int a = loggedAction(head, batch, i);
                int row = head.weightOffset + a * d;
                for (int j = 0; j < d; j++) {
                    g[row + j] += error * x[i * d + j];
                }
                int bias = head.biasOffset + a;
                g[bias] += error;
                if (!loggedMarks[bias]) {
                    loggedMarks[bias] = true;
                    loggedRows[logged++] = bias;
                }
            }
        }
        // Only the logged rows carry a gradient: step them, then clear them for the next fit.
        double rate = settings.rewardModelLearningRate();
        for (int r = 0; r < logged; r++) {
            int bias = loggedRows[r];
            loggedMarks[bias] = false;
            HeadBatch head = headOfBias(bias);
            int row = head.weightOffset + (bias - head.biasOffset) * d;
            adaGradStep(g, row, d, size, rate, rewardModel);
            adaGradStep(g, bias, 1, size, rate, rewardModel);
        }
    }

    private HeadBatch headOfBias(int bias) {
        for (HeadBatch head : heads) {
            if (bias >= head.biasOffset && bias < head.biasOffset + head.actions) {
                return head;
            }
        }
        throw new IllegalStateException("No head has the parameter index " + bias + ".");
    }

    /**
     * Fits the linear baseline to the batch just {@link #estimate estimated} with it, after it
     * served that batch: one AdaGrad step on the mean squared error {@code (A_i - b(x_i))^2 / 2}.
     */
    public void fitBaseline(MicroBatch batch, RewardModel baselineModel) {
        float[] g = baselineGradient;
        int d = spec.features();
        float[] x = batch.features();
        for (int i = 0; i < batch.size(); i++) {
            // The advantage after the baseline is the baseline's error on the event.
            float error = usedAdvantages[i];
            for (int j = 0; j < d; j++) {
                g[j] += error * x[i * d + j];
            }
            g[d] += error;
        }
        adaGradStep(
                g, 0, g.length, batch.size(), settings.rewardModelLearningRate(), baselineModel);
    }

    /** {@code A_i}, or {@code A_i - b(x_i)} with a linear baseline. */
    private float[] advantages(MicroBatch batch, RewardModel baselineModel) {
        float[] advantages = batch.advantages();
        if (baselineModel != null) {
            int d = spec.features();
            float[] x = batch.features();
            float[] v = baselineModel.weights;
            for (int i = 0; i < batch.size(); i++) {
                double value = v[d];
                for (int j = 0; j < d; j++) {
                    value += (double) v[j] * x[i * d + j];
                }
                adjustedAdvantages[i] = (float) (advantages[i] - value);
            }
            advantages = adjustedAdvantages;
        }
        usedAdvantages = advantages;
        return advantages;
    }

    /**
     * One AdaGrad step up the mean {@code g / count} at {@code g[from, from + length)}, at {@code
     * rate} ({@link EstimatorSettings#rewardModelLearningRate}), which leaves those entries of
     * {@code g} zero. {@code sum >= step^2}, so no weight moves by more than the learning rate: the
     * model stays finite. A slice with an entry that is not finite (a reward model error beyond
     * float's range) is cleared and not stepped. Branch-free over the slice, so that it runs in
     * vector registers.
     */
    private static void adaGradStep(
            float[] g, int from, int length, int count, double rate, RewardModel model) {
        int end = from + length;
        // The exponent of an infinity or NaN is all ones: adding one to it sets the sign bit.
        int nonFinite = 0;
        for (int k = from; k < end; k++) {
            nonFinite |= (Float.floatToRawIntBits(g[k]) & 0x7f800000) + 0x00800000;
        }
        if (nonFinite < 0) {
            Arrays.fill(g, from, end, 0f);
            return;
        }
        float[] weights = model.weights;
        float[] squares = model.squares;
        float inverseCount = 1f / count;
        float step = (float) rate;
        for (int k = from; k < end; k++) {
            // Clamped so that mean^2 is finite, and then sqrt(sum) >= |mean| still holds.
            float mean = Math.max(-MEAN_LIMIT, Math.min(MEAN_LIMIT, g[k] * inverseCount));
            g[k] = 0f;
            float sum = Math.min(squares[k] + mean * mean, Float.MAX_VALUE);
            squares[k] = sum;
            // A zero mean moves nothing: 0 / (sqrt(sum) + 1e-8) is 0 even where sum is 0.
            weights[k] += step * mean / ((float) Math.sqrt(sum) + 1e-8f);
        }
    }

    /** {@code q_i,h,a_h}: the reward model's value of row {@code i}'s logged action of a head. */
    private double loggedValue(HeadBatch head, int i) {
        return loggedValues[head.actionOffset][i];
    }

    private static int loggedAction(HeadBatch head, MicroBatch batch, int i) {
        return batch.actions()[head.actionOffset + i * head.actionStride];
    }

    /**
     * Sets every head to the batch and runs the forward pass, and with a reward model the action
     * values: all of them where the head has at most {@link EstimatorSettings#exactActions}
     * actions, else those of the actions {@link SampledActionValues} draws.
     */
    private void forward(
            PolicyParameters parameters,
            MicroBatch batch,
            float[] gradient,
            RewardModel rewardModel) {
        float scale = 1.0f / batch.size();
        for (HeadBatch head : heads) {
            head.setRows(batch.size(), batch.features(), batch.actions())
                    .setParameters(parameters.values(), gradient)
                    .setRewardModel(rewardModel == null ? null : rewardModel.weights)
                    .setScale(scale);
            kernel.forward(head);
            if (rewardModel == null) {
                continue;
            }
            float[] logged = loggedValues[head.actionOffset];
            SampledActionValues drawn = sampled[head.actionOffset];
            if (drawn == null) {
                kernel.predict(head);
                float[] q = head.actionValues();
                for (int i = 0; i < batch.size(); i++) {
                    logged[i] = q[i * head.actions + loggedAction(head, batch, i)];
                }
            } else {
                drawn.fill(head, batch, rewardModel.weights, parameters.version(), logged);
            }
        }
    }

    private void checkModels(RewardModel rewardModel, RewardModel baselineModel) {
        if (baselineModel != null && !RewardModel.fits(baselineModel, spec.features() + 1)) {
            throw new IllegalArgumentException(
                    "The linear baseline of policy " + spec + " needs d + 1 weights.");
        }
        if (settings.kind() == EstimatorKind.DOUBLY_ROBUST
                && !RewardModel.fits(rewardModel, spec)) {
            throw new IllegalArgumentException(
                    "The doubly robust estimate needs a reward model of policy " + spec + ".");
        }
    }

    private void checkArguments(PolicyParameters parameters, MicroBatch batch, float[] gradient) {
        int size = batch.size();
        if (size < 1 || size > capacity) {
            throw new IllegalArgumentException(
                    "Batch size " + size + " is outside [1, " + capacity + "].");
        }
        if (!parameters.spec().sameShape(spec) || !batch.spec().sameShape(spec)) {
            throw new IllegalArgumentException(
                    "The parameters and the batch must have the shape of policy " + spec + ".");
        }
        if (gradient.length != spec.parameterCount()) {
            throw new IllegalArgumentException(
                    "The gradient needs " + spec.parameterCount() + " entries.");
        }
    }
}
