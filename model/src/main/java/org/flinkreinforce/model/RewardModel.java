package org.flinkreinforce.model;

/**
 * The per-action reward model of the doubly robust estimator, {@code r_hat(x, a_h) = V_h,a . x +
 * c_h,a} for every head {@code h}: a parameter vector laid out like the policy's ({@link
 * PolicySpec#weightOffset}, {@link PolicySpec#biasOffset}), and AdaGrad's sums of squared gradients
 * in the same layout. {@link ReinforceEstimator#fitRewardModel} fits it, after the batch it served.
 *
 * <p>The state is the two public arrays, so Flink checkpoints this class as a POJO.
 */
public class RewardModel {

    /** {@code V} and {@code c}, laid out like the policy's parameters. */
    public float[] weights;

    /** AdaGrad's running sum of squared gradients of every weight. */
    public float[] squares;

    /** For Flink's POJO serializer. */
    public RewardModel() {}

    /** The zero model (every action's value 0) of {@code spec}. */
    public static RewardModel zeros(PolicySpec spec) {
        RewardModel model = new RewardModel();
        model.weights = new float[spec.parameterCount()];
        model.squares = new float[spec.parameterCount()];
        return model;
    }

    /** Whether {@code model} exists and has the size of {@code spec}'s parameters. */
    public static boolean fits(RewardModel model, PolicySpec spec) {
        return model != null
                && model.weights != null
                && model.squares != null
                && model.weights.length == spec.parameterCount()
                && model.squares.length == spec.parameterCount();
    }
}
