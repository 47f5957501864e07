package org.flinkreinforce.model.kernel;

/**
 * The arguments of a {@link GradientKernel}: one softmax head's micro-batch, its inputs, outputs
 * and workspace, in primitive arrays with explicit dimensions. Created once per shape and reused
 * for every batch: the per-batch setters only store references, so a batch allocates nothing.
 *
 * <p>Notation (Williams 1992; Chen et al. 2019), for a batch of {@code B = rows} rows, {@code d =
 * features} and {@code n = actions}:
 *
 * <ul>
 *   <li>{@code x} is {@code B x d}, row-major: {@code x[i * d + j]}.
 *   <li>The head's weights {@code W} are {@code n x d}, row-major, at {@code params[weightOffset +
 *       a * d + j]}; its bias {@code b} is at {@code params[biasOffset + a]}. The gradient vector
 *       has the same layout.
 *   <li>The logged action of row {@code i} is {@code chosen[actionOffset + i * actionStride]}, so a
 *       {@code B x H} action matrix is read for head {@code h} with offset {@code h} and stride
 *       {@code H}. It must lie in {@code [0, n)}; callers validate this.
 *   <li>{@code z_i = W x_i + b}, {@code p_i = softmax(z_i)}, {@code H_i = -sum_a p_ia log p_ia}.
 *   <li>{@code g_ia = c_i (1[a = a_i] - p_ia) + beta * (-p_ia (log p_ia + H_i))}: the gradient of
 *       {@code c_i log pi(a_i | x_i) + beta H_i} with respect to the logits, where {@code c_i =
 *       coefficients[i]} is the (importance-weighted) advantage of the row, {@code beta} the
 *       entropy bonus and {@code p log p} is taken as 0 where {@code p} underflows to 0.
 *   <li>With a reward model (doubly robust, {@link #setRewardModel}): a second parameter vector
 *       laid out like {@code params} ({@code V} at {@code weightOffset}, its bias {@code e} at
 *       {@code biasOffset}), the action values {@code q_ia = V_a . x_i + e_a}, and {@code g_ia}
 *       gets {@code p_ia (q_ia - sum_b p_ib q_ib)} more: the gradient of {@code sum_a p_ia q_ia}
 *       with respect to the logits. With {@code c_i = w_i (r_i - q_i,a_i)} the whole is the doubly
 *       robust policy gradient {@code sum_a p_ia q_ia grad log p_ia + w_i (r_i - q_i,a_i) grad log
 *       p_i,a_i}. The term does not change when a constant is added to a row of {@code q}, and is
 *       exactly 0 for a row of equal values.
 *   <li>{@code G_W = scale * sum_i g_i x_i^T} ({@code n x d}) and {@code G_b = scale * sum_i g_i}.
 * </ul>
 *
 * <p>What each call reads and modifies:
 *
 * <ul>
 *   <li>{@link GradientKernel#forward} reads {@code x}, {@code params} and the actions; overwrites
 *       {@link #probabilities}{@code [0 .. B*n)} with {@code p} (row-major {@code B x n}), {@link
 *       #logProbChosen}{@code [0 .. B)} with {@code log p_i,a_i} and {@link #entropy}{@code [0 ..
 *       B)} with {@code H_i}.
 *   <li>{@link GradientKernel#predict} reads {@code x} and the reward model; overwrites {@link
 *       #actionValues()}{@code [0 .. B*n)} with {@code q} (row-major {@code B x n}). It needs a
 *       reward model, and is independent of the other two calls: it may run before or after the
 *       forward pass.
 *   <li>{@link GradientKernel#backward} reads {@code x}, the actions, {@link #coefficients}{@code
 *       [0 .. B)} and {@link #entropy}{@code [0 .. B)}, and with a reward model {@link
 *       #actionValues()}{@code [0 .. B*n)} (left unchanged; it does not read the reward model
 *       itself); consumes {@link #probabilities} (its contents afterwards are unspecified: kernels
 *       may keep {@code g} there); overwrites the {@code n x d} weight gradient at {@code
 *       gradient[weightOffset ..]} and the {@code n} bias gradient at {@code gradient[biasOffset
 *       ..]}, both multiplied by {@code scale}.
 * </ul>
 *
 * <p>No call touches {@code x}, {@code params}, the reward model, the actions or any other part of
 * {@code gradient}. Not thread-safe.
 */
public final class HeadBatch {

    /** The most rows of a batch; the workspace arrays are sized for it. */
    public final int capacity;

    /** {@code d}, the feature dimension ({@code >= 0}). */
    public final int features;

    /** {@code n}, the number of actions of the head ({@code >= 2}). */
    public final int actions;

    /** Where {@code W} starts in {@code params} and its gradient in {@code gradient}. */
    public final int weightOffset;

    /** Where {@code b} starts in {@code params} and its gradient in {@code gradient}. */
    public final int biasOffset;

    /** The index of row 0's action in {@code chosen}. */
    public final int actionOffset;

    /** The distance between two rows' actions in {@code chosen}. */
    public final int actionStride;

    /**
     * {@code p}, {@code capacity x n}: written by the forward pass, consumed by the backward pass.
     */
    public final float[] probabilities;

    /** {@code log p_i,a_i} per row: written by the forward pass. */
    public final float[] logProbChosen;

    /** {@code H_i} per row: written by the forward pass, read by the backward pass. */
    public final float[] entropy;

    /** {@code c_i} per row: written by the caller before the backward pass. */
    public final float[] coefficients;

    int rows;
    float[] x;
    int[] chosen;
    float[] params;
    float[] gradient;
    float entropyBonus;
    float scale = 1f;

    /** The reward model's parameter vector, or null for none. */
    float[] rewardModel;

    /**
     * {@code q}, {@code capacity x n}: empty until the first reward model is set (a batch without
     * one does not pay for it), then kept.
     */
    float[] actionValues = new float[0];

    /**
     * A head alone in its parameter vector ({@code W} at 0, {@code b} right after it) with one
     * action per row, and coefficients of its own.
     */
    public HeadBatch(int capacity, int features, int actions) {
        this(
                capacity,
                features,
                actions,
                0,
                Math.multiplyExact(actions, features),
                0,
                1,
                new float[Math.max(capacity, 0)]);
    }

    /**
     * A head at the given offsets of a parameter vector and of an action matrix, sharing {@code
     * coefficients} (at least {@code capacity} long) with the other heads of its policy.
     *
     * @throws IllegalArgumentException if a dimension, offset or stride is out of range
     */
    public HeadBatch(
            int capacity,
            int features,
            int actions,
            int weightOffset,
            int biasOffset,
            int actionOffset,
            int actionStride,
            float[] coefficients) {
        if (capacity < 1 || features < 0 || actions < 2) {
            throw new IllegalArgumentException(
                    "Invalid kernel shape: capacity "
                            + capacity
                            + ", features "
                            + features
                            + ", actions "
                            + actions
                            + ".");
        }
        if (weightOffset < 0 || biasOffset < 0 || actionOffset < 0 || actionStride < 1) {
            throw new IllegalArgumentException(
                    "Invalid head layout: weights at "
                            + weightOffset
                            + ", biases at "
                            + biasOffset
                            + ", actions at "
                            + actionOffset
                            + " with stride "
                            + actionStride
                            + ".");
        }
        if (coefficients == null || coefficients.length < capacity) {
            throw new IllegalArgumentException(
                    "The coefficients array needs at least " + capacity + " entries.");
        }
        this.capacity = capacity;
        this.features = features;
        this.actions = actions;
        this.weightOffset = weightOffset;
        this.biasOffset = biasOffset;
        this.actionOffset = actionOffset;
        this.actionStride = actionStride;
        this.probabilities = new float[Math.multiplyExact(capacity, actions)];
        this.logProbChosen = new float[capacity];
        this.entropy = new float[capacity];
        this.coefficients = coefficients;
    }

    /**
     * The batch: its first {@code rows} rows of features {@code x} and of actions {@code chosen}
     * (laid out as described above). Stores the references; the kernels check them.
     */
    public HeadBatch setRows(int rows, float[] x, int[] chosen) {
        this.rows = rows;
        this.x = x;
        this.chosen = chosen;
        return this;
    }

    /**
     * The parameter vector the forward pass reads and the gradient vector the backward pass writes
     * (only the head's slices).
     */
    public HeadBatch setParameters(float[] params, float[] gradient) {
        this.params = params;
        this.gradient = gradient;
        return this;
    }

    /** {@code beta}, the weight of the entropy in the backward pass; 0 unless set. */
    public HeadBatch setEntropyBonus(float entropyBonus) {
        this.entropyBonus = entropyBonus;
        return this;
    }

    /**
     * The reward model of the doubly robust gradient: a parameter vector laid out like the policy's
     * ({@code V} at {@code weightOffset}, its bias {@code e} at {@code biasOffset}), read by {@link
     * GradientKernel#predict}; null (the default) for none. While one is set, the backward pass
     * adds {@code p_ia (q_ia - sum_b p_ib q_ib)} from {@link #actionValues()}. The first non-null
     * model allocates the action values ({@code capacity x n}); later calls allocate nothing.
     */
    public HeadBatch setRewardModel(float[] model) {
        if (model != null && actionValues.length == 0) {
            actionValues = new float[Math.multiplyExact(capacity, actions)];
        }
        this.rewardModel = model;
        return this;
    }

    /**
     * {@code q}, {@code capacity x n} row-major ({@code q_ia} at {@code [i * n + a]}): written by
     * {@link GradientKernel#predict}, or by the caller with values of its own (an estimate of the
     * term from sampled actions, say), read by the backward pass while a reward model is set. Empty
     * until a reward model is first set.
     */
    public float[] actionValues() {
        return actionValues;
    }

    /** The factor of both gradients, e.g. {@code 1 / rows} for a mean; 1 unless set. */
    public HeadBatch setScale(float scale) {
        this.scale = scale;
        return this;
    }
}
