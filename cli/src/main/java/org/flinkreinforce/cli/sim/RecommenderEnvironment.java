package org.flinkreinforce.cli.sim;

import java.time.Duration;
import java.util.OptionalDouble;
import java.util.Random;
import org.flinkreinforce.model.PolicyParameters;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.SoftmaxPolicy;

/**
 * A recommender as a contextual bandit with a hidden linear reward model: a user context {@code x ~
 * N(0, I_d)}, {@code n} items, reward {@code r = theta_a . x + N(0, noise^2)} (e.g. a standardised
 * engagement score). Expected rewards are averaged over a fixed sample of 2000 contexts, so two
 * policies are compared on the same users.
 *
 * <p>As an application sees it ({@link #outcome}), a recommendation is clicked with probability
 * {@code c}, the same for every item, seconds later; a click is worth {@code theta_a . x / c + N(0,
 * noise^2 / c)} and no click 0. So every item's expected reward is {@code theta_a . x}, as above,
 * and the noise of an item with {@code theta_a . x = 0} is as above too.
 */
public final class RecommenderEnvironment implements Environment {

    private final int features;
    private final int items;
    private final double noise;
    private final double clickProbability;
    private final double[][] theta;
    private final float[][] evaluationContexts;

    /** An environment in which every recommendation is clicked (always an outcome). */
    public RecommenderEnvironment(int features, int items, double noise, long seed) {
        this(features, items, noise, 1, seed);
    }

    /**
     * @param clickProbability the probability {@code c} that a recommendation is clicked, in (0, 1]
     */
    public RecommenderEnvironment(
            int features, int items, double noise, double clickProbability, long seed) {
        if (!(clickProbability > 0 && clickProbability <= 1)) {
            throw new IllegalArgumentException(
                    "A click probability is in (0, 1], not " + clickProbability + ".");
        }
        this.features = features;
        this.items = items;
        this.noise = noise;
        this.clickProbability = clickProbability;
        Random random = new Random(seed);
        theta = new double[items][features];
        double scale = 1.0 / Math.sqrt(features);
        for (double[] row : theta) {
            for (int j = 0; j < features; j++) {
                row[j] = random.nextGaussian() * scale;
            }
        }
        evaluationContexts = new float[2000][];
        for (int k = 0; k < evaluationContexts.length; k++) {
            evaluationContexts[k] = context(random);
        }
    }

    @Override
    public PolicySpec spec(String policyId) {
        return new PolicySpec(policyId, features, items);
    }

    @Override
    public float[] context(Random random) {
        float[] x = new float[features];
        for (int j = 0; j < features; j++) {
            x[j] = (float) random.nextGaussian();
        }
        return x;
    }

    /** The expected reward {@code theta_item . x} of recommending {@code item} in context x. */
    public double meanReward(float[] x, int item) {
        double r = 0;
        for (int j = 0; j < features; j++) {
            r += theta[item][j] * x[j];
        }
        return r;
    }

    @Override
    public double reward(float[] context, int[] actions, Random random) {
        return meanReward(context, actions[0]) + noise * random.nextGaussian();
    }

    @Override
    public Outcome outcome(float[] context, int[] actions, Random random) {
        if (random.nextDouble() >= clickProbability) {
            return new Outcome(0, false);
        }
        return new Outcome(
                meanReward(context, actions[0]) / clickProbability
                        + noise / Math.sqrt(clickProbability) * random.nextGaussian(),
                true);
    }

    /** No click is worth 0. */
    @Override
    public OptionalDouble unobservedReward() {
        return OptionalDouble.of(0);
    }

    /** A click comes about 2 s after the recommendation was shown. */
    @Override
    public Duration typicalRewardDelay() {
        return Duration.ofSeconds(2);
    }

    /** Exponential with mean {@code typical}, cut at four times it. */
    @Override
    public RewardDelay rewardDelay(Duration typical) {
        return RewardDelay.exponential(typical);
    }

    /** The probability that a recommendation is clicked. */
    public double clickProbability() {
        return clickProbability;
    }

    @Override
    public double expectedReward(PolicyParameters parameters) {
        SoftmaxPolicy policy = new SoftmaxPolicy(parameters);
        double total = 0;
        for (float[] x : evaluationContexts) {
            double[] p = policy.probabilities(0, x);
            for (int a = 0; a < items; a++) {
                total += p[a] * meanReward(x, a);
            }
        }
        return total / evaluationContexts.length;
    }

    @Override
    public double optimalReward() {
        double total = 0;
        for (float[] x : evaluationContexts) {
            double best = Double.NEGATIVE_INFINITY;
            for (int a = 0; a < items; a++) {
                best = Math.max(best, meanReward(x, a));
            }
            total += best;
        }
        return total / evaluationContexts.length;
    }

    @Override
    public String describe() {
        return "recommender: "
                + items
                + " items, "
                + features
                + " user features, hidden linear reward model"
                + (clickProbability < 1
                        ? String.format(
                                ", %.0f%% of recommendations clicked", 100 * clickProbability)
                        : "");
    }
}
