package org.flinkreinforce.model.kernel;

/**
 * The fused dense work of one REINFORCE micro-batch for one softmax head: the forward pass (logits,
 * softmax, log-probability of the logged action, entropy), the backward pass (logit gradient and
 * the two parameter gradients) and, for a doubly robust gradient, the reward model's action values.
 * All take the head's batch as one {@link HeadBatch}, whose Javadoc gives the formulas and the
 * arrays each pass reads and modifies.
 *
 * <p>Implementations need not be thread-safe: use one instance per thread. Implementations must not
 * allocate on the Java heap per call once warmed up for a shape.
 */
public interface GradientKernel {

    /** The name under which the kernel is selected and reported: ejml, vector or native. */
    String name();

    /**
     * The forward pass: {@code p}, {@code log p_i,a_i} and {@code H_i} into the batch's {@link
     * HeadBatch#probabilities}, {@link HeadBatch#logProbChosen} and {@link HeadBatch#entropy}.
     * Stable for logits of any finite magnitude (log-sum-exp).
     */
    void forward(HeadBatch batch);

    /**
     * The action values of the batch's reward model: {@code q_ia = V_a . x_i + e_a} into {@link
     * HeadBatch#actionValues()} (the forward pass's logits, from the reward model's parameters,
     * without the softmax).
     *
     * @throws IllegalArgumentException if the batch has no reward model, or one too short for the
     *     head's layout
     */
    void predict(HeadBatch batch);

    /**
     * The backward pass: the scaled weight and bias gradients of the head into the batch's gradient
     * vector, from the forward pass's outputs and {@link HeadBatch#coefficients}, and with a reward
     * model from {@link HeadBatch#actionValues()}.
     */
    void backward(HeadBatch batch);
}
