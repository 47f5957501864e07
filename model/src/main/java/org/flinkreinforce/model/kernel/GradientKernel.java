package org.flinkreinforce.model.kernel;

/**
 * The fused dense work of one REINFORCE micro-batch for one softmax head: the forward pass (logits,
 * softmax, log-probability of the logged action, entropy) and the backward pass (logit gradient and
 * the two parameter gradients).
 *
 * <p>Notation (Williams 1992; Chen et al. 2019), for a batch of {@code B} rows, {@code d} features
 * and {@code n} actions:
 *
 * <ul>
 *   <li>{@code x} is {@code B x d}, row-major: {@code x[i * d + j]}.
 *   <li>The head's weights {@code W} are {@code n x d}, row-major, at {@code params[weightOffset +
 *       a * d + j]}; its bias {@code b} is at {@code params[biasOffset + a]}.
 *   <li>The logged action of row {@code i} is {@code actions[actionOffset + i * actionStride]}, so
 *       a {@code B x H} action matrix is read for head {@code h} with offset {@code h} and stride
 *       {@code H}. It must lie in {@code [0, n)}; callers validate this.
 *   <li>{@code z_i = W x_i + b}, {@code p_i = softmax(z_i)}, {@code H_i = -sum_a p_ia log p_ia}.
 *   <li>{@code g_ia = c_i (1[a = a_i] - p_ia) + beta * (-p_ia (log p_ia + H_i))}: the gradient of
 *       {@code c_i log pi(a_i | x_i) + beta H_i} with respect to the logits, where {@code c_i} is
 *       the (importance-weighted) advantage of the row and {@code p log p} is taken as 0 where
 *       {@code p} underflows to 0.
 *   <li>{@code G_W = scale * sum_i g_i x_i^T} ({@code n x d}) and {@code G_b = scale * sum_i g_i}.
 * </ul>
 *
 * <p>Implementations need not be thread-safe: use one instance per thread. Implementations must not
 * allocate on the Java heap per call once warmed up for a shape.
 */
public interface GradientKernel {

    /** The name under which the kernel is selected and reported: ejml, vector or native. */
    String name();

    /**
     * The forward pass. Reads {@code x}, {@code params} and the actions; overwrites {@code probs[0
     * .. B*n)} with {@code p} (row-major {@code B x n}), {@code logProbChosen[0 .. B)} with {@code
     * log p_i,a_i} and {@code entropy[0 .. B)} with {@code H_i}. Stable for logits of any finite
     * magnitude (log-sum-exp).
     */
    void forward(
            int batch,
            int features,
            int actions,
            float[] x,
            float[] params,
            int weightOffset,
            int biasOffset,
            int[] chosen,
            int actionOffset,
            int actionStride,
            float[] probs,
            float[] logProbChosen,
            float[] entropy);

    /**
     * The backward pass. Reads {@code x}, the actions, {@code coefficients[0 .. B)} ({@code c_i})
     * and {@code entropy[0 .. B)}; consumes {@code probs} (its contents afterwards are unspecified:
     * implementations may keep {@code g} there); overwrites the {@code n x d} weight gradient at
     * {@code gradient[weightOffset ..]} and the {@code n} bias gradient at {@code
     * gradient[biasOffset ..]}, both multiplied by {@code scale}.
     */
    void backward(
            int batch,
            int features,
            int actions,
            float[] x,
            int[] chosen,
            int actionOffset,
            int actionStride,
            float[] probs,
            float[] coefficients,
            float entropyBonus,
            float[] entropy,
            float scale,
            float[] gradient,
            int weightOffset,
            int biasOffset);
}
