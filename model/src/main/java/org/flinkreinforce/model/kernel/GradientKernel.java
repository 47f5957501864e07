package org.flinkreinforce.model.kernel;

/**
 * The fused dense work of one REINFORCE micro-batch for one softmax head: the forward pass (logits,
 * softmax, log-probability of the logged action, entropy) and the backward pass (logit gradient and
 * the two parameter gradients). Both take the head's batch as one {@link HeadBatch}, whose Javadoc
 * gives the formulas and the arrays each pass reads and modifies.
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
     * The backward pass: the scaled weight and bias gradients of the head into the batch's gradient
     * vector, from the forward pass's outputs and {@link HeadBatch#coefficients}.
     */
    void backward(HeadBatch batch);
}
