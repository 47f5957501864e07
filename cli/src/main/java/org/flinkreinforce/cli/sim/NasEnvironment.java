package org.flinkreinforce.cli.sim;

import java.time.Duration;
import java.util.OptionalDouble;
import java.util.Random;
import org.flinkreinforce.model.PolicyParameters;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.SoftmaxPolicy;

/**
 * A neural-architecture-search controller's world: one categorical decision per head (e.g. layer
 * type, width, kernel size, activation), no context, and a synthetic validation accuracy per
 * architecture: a base, an additive effect per choice, an interaction between the first two
 * decisions, and evaluation noise. Small enough to score every architecture exactly.
 *
 * <p>As an application sees it ({@link #outcome}), every architecture's accuracy comes, after a
 * trainer's run; an architecture whose accuracy never came is not to be learned from.
 */
public final class NasEnvironment implements Environment {

    private final int[] heads;
    private final double noise;
    private final double[][] effects;
    private final double[][] interaction;
    private final double[] accuracies;
    private final int[] best;

    public NasEnvironment(int[] heads, double noise, long seed) {
        this.heads = heads.clone();
        this.noise = noise;
        Random random = new Random(seed);
        effects = new double[heads.length][];
        for (int h = 0; h < heads.length; h++) {
            effects[h] = new double[heads[h]];
            for (int a = 0; a < heads[h]; a++) {
                effects[h][a] = 0.03 * random.nextGaussian();
            }
        }
        interaction = new double[heads[0]][heads[1]];
        for (double[] row : interaction) {
            for (int b = 0; b < row.length; b++) {
                row[b] = 0.02 * random.nextGaussian();
            }
        }
        int count = 1;
        for (int n : heads) {
            count *= n;
        }
        accuracies = new double[count];
        int bestIndex = 0;
        for (int k = 0; k < count; k++) {
            accuracies[k] = accuracy(decode(k));
            if (accuracies[k] > accuracies[bestIndex]) {
                bestIndex = k;
            }
        }
        best = decode(bestIndex);
    }

    private int[] decode(int index) {
        int[] actions = new int[heads.length];
        for (int h = heads.length - 1; h >= 0; h--) {
            actions[h] = index % heads[h];
            index /= heads[h];
        }
        return actions;
    }

    private double accuracy(int[] actions) {
        double accuracy = 0.80 + interaction[actions[0]][actions[1]];
        for (int h = 0; h < heads.length; h++) {
            accuracy += effects[h][actions[h]];
        }
        return accuracy;
    }

    /** The architecture with the highest expected accuracy. */
    public int[] bestArchitecture() {
        return best.clone();
    }

    /** The probability the policy gives the best architecture. */
    public double bestArchitectureProbability(PolicyParameters parameters) {
        return new SoftmaxPolicy(parameters).probability(new float[0], best);
    }

    @Override
    public PolicySpec spec(String policyId) {
        return new PolicySpec(policyId, 0, heads);
    }

    @Override
    public float[] context(Random random) {
        return new float[0];
    }

    @Override
    public double reward(float[] context, int[] actions, Random random) {
        return accuracy(actions) + noise * random.nextGaussian();
    }

    @Override
    public Outcome outcome(float[] context, int[] actions, Random random) {
        return new Outcome(reward(context, actions, random), true);
    }

    /** An architecture without its accuracy tells nothing about it. */
    @Override
    public OptionalDouble unobservedReward() {
        return OptionalDouble.empty();
    }

    /**
     * A trainer's run takes about 3 s: hours in a real search, scaled to the demo, which decides
     * 5000 architectures a second, so that the controller still concentrates on the best one within
     * its minute (with tens of seconds it would decide them all before the first accuracy came).
     */
    @Override
    public Duration typicalRewardDelay() {
        return Duration.ofSeconds(3);
    }

    /** Uniform between half and one and a half times {@code typical}. */
    @Override
    public RewardDelay rewardDelay(Duration typical) {
        return RewardDelay.uniform(typical);
    }

    @Override
    public double expectedReward(PolicyParameters parameters) {
        double[][] p = new double[heads.length][];
        SoftmaxPolicy policy = new SoftmaxPolicy(parameters);
        for (int h = 0; h < heads.length; h++) {
            p[h] = policy.probabilities(h, new float[0]);
        }
        double total = 0;
        for (int k = 0; k < accuracies.length; k++) {
            int[] actions = decode(k);
            double probability = 1;
            for (int h = 0; h < heads.length; h++) {
                probability *= p[h][actions[h]];
            }
            total += probability * accuracies[k];
        }
        return total;
    }

    @Override
    public double optimalReward() {
        return accuracy(best);
    }

    @Override
    public String describe() {
        return "architecture search: "
                + accuracies.length
                + " architectures from "
                + heads.length
                + " decisions, synthetic validation accuracy";
    }
}
