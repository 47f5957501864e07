package org.flinkreinforce.model;

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
 * <p>The result is an ascent direction for {@code E[R] + beta H}. The dense work runs in a {@link
 * GradientKernel}, one {@link HeadBatch} per head; this class holds them, so it allocates nothing
 * per batch. Not thread-safe.
 */
public final class ReinforceEstimator {

    private final PolicySpec spec;
    private final EstimatorSettings settings;
    private final GradientKernel kernel;
    private final int capacity;

    /** One per head; all share {@link #coefficients}. */
    private final HeadBatch[] heads;

    private final float[] coefficients;

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
        this.coefficients = new float[capacity];
        int headCount = spec.headCount();
        this.heads = new HeadBatch[headCount];
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
                                    coefficients)
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
        return estimate(parameters, batch, gradient, null);
    }

    /**
     * {@link #estimate(PolicyParameters, MicroBatch, float[])}, and adds every event, scored by
     * {@code parameters} before they learn from it, to {@code validation} (progressive validation;
     * null for none).
     */
    public BatchStatistics estimate(
            PolicyParameters parameters,
            MicroBatch batch,
            float[] gradient,
            ProgressiveValidation validation) {
        checkArguments(parameters, batch, gradient);
        int size = batch.size();
        float scale = 1.0f / size;
        for (HeadBatch head : heads) {
            head.setRows(size, batch.features(), batch.actions())
                    .setParameters(parameters.values(), gradient)
                    .setScale(scale);
            kernel.forward(head);
        }

        float[] rewards = batch.rewards();
        float[] advantages = batch.advantages();
        float[] propensities = batch.propensities();
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
            float propensity = propensities[i];
            if (!Float.isNaN(propensity)) {
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
            coefficients[i] = (float) (weight * advantages[i]);
        }

        for (HeadBatch head : heads) {
            kernel.backward(head);
        }

        double squares = 0;
        for (float g : gradient) {
            squares += (double) g * g;
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
                Math.sqrt(squares));
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
