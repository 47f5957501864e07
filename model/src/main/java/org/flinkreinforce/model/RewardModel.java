package org.flinkreinforce.model;

/**
 * A linear model of the reward fitted online: the per-action reward model of the doubly robust
 * estimator, or the linear baseline {@code b(x) = v . x + c} ({@code d + 1} weights, {@link
 * ReinforceEstimator#fitBaseline}). The per-action model of the doubly robust estimator is {@code
 * r_hat(x, a_h) = V_h,a . x + c_h,a} for every head {@code h}: a parameter vector laid out like the
 * policy's ({@link PolicySpec#weightOffset}, {@link PolicySpec#biasOffset}), and AdaGrad's sums of
 * squared gradients in the same layout. {@link ReinforceEstimator#fitRewardModel} fits it, after
 * the batch it served. A ranker's model ({@link org.flinkreinforce.model.ranker.RankerLearner}) has
 * one weight per hashed feature, laid out like the ranker's weights.
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
        return zeros(spec.parameterCount());
    }

    /** The zero model of {@code size} weights. */
    public static RewardModel zeros(int size) {
        RewardModel model = new RewardModel();
        model.weights = new float[size];
        model.squares = new float[size];
        return model;
    }

    /** Whether {@code model} exists and has the size of {@code spec}'s parameters. */
    public static boolean fits(RewardModel model, PolicySpec spec) {
        return fits(model, spec.parameterCount());
    }

    /** Whether {@code model} exists and has {@code size} weights. */
    public static boolean fits(RewardModel model, int size) {
        return model != null
                && model.weights != null
                && model.squares != null
                && model.weights.length == size
                && model.squares.length == size;
    }
}
