package org.flinkreinforce.model.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.flinkreinforce.model.ranker.FeatureHasher;
import org.flinkreinforce.model.ranker.Features;
import org.flinkreinforce.model.ranker.HashedFeatures;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.RankerPolicy;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A ranker policy's evaluation of one decision ({@link RankerPolicy#evaluate} with the reward
 * model's weights: every candidate's phi, hashed, its score and its reward-model value, and the
 * softmax) in the shape of {@code bench --policy-kind ranker}: 10 candidates, each its id alone, a
 * shared context of 32 dense features crossed with it ({@code context:item}), 2^18 weights. The
 * score is the time per decision.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RankerEvaluateBenchmark {

    private static final int DECISIONS = 256;
    private static final int CANDIDATES = 10;

    private RankerPolicy policy;
    private float[] rewardModel;
    private HashedFeatures[] contexts;
    private HashedFeatures[][] candidateSets;
    private int next;

    @Setup
    public void setUp() {
        RankerSpec spec =
                new RankerSpec("bench", 18, 0, Interaction.parseList("context:item"), 64, 64);
        FeatureHasher hasher = new FeatureHasher(spec.seed());
        Random random = new Random(1);
        float[] weights = new float[spec.weightCount()];
        rewardModel = new float[spec.weightCount()];
        for (int j = 0; j < weights.length; j++) {
            weights[j] = (float) random.nextGaussian() * 0.01f;
            rewardModel[j] = (float) random.nextGaussian() * 0.01f;
        }
        policy = new RankerPolicy(spec, weights);
        contexts = new HashedFeatures[DECISIONS];
        candidateSets = new HashedFeatures[DECISIONS][CANDIDATES];
        for (int d = 0; d < DECISIONS; d++) {
            contexts[d] = denseContext(hasher, random);
            for (int k = 0; k < CANDIDATES; k++) {
                candidateSets[d][k] = item(hasher, "a" + random.nextInt(10));
            }
        }
    }

    /** A shared context of {@code bench --policy-kind ranker}: 32 dense Gaussian features. */
    static HashedFeatures denseContext(FeatureHasher hasher, Random random) {
        float[] context = new float[32];
        for (int i = 0; i < context.length; i++) {
            context[i] = (float) random.nextGaussian();
        }
        return hasher.hash(
                Features.builder().dense("context", context).build(), new HashedFeatures());
    }

    /** A candidate of {@code bench --policy-kind ranker}: its id alone. */
    static HashedFeatures item(FeatureHasher hasher, String id) {
        return hasher.hash(
                Features.builder().category("item", "id", id).build(), new HashedFeatures());
    }

    @Benchmark
    public double evaluateOneDecision() {
        int d = next;
        next = (next + 1) % DECISIONS;
        policy.evaluate(contexts[d], candidateSets[d], CANDIDATES, rewardModel);
        return policy.probability(0) + policy.otherScore(0);
    }
}
