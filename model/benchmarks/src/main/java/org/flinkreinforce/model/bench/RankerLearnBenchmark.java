package org.flinkreinforce.model.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.flinkreinforce.model.RewardModel;
import org.flinkreinforce.model.ranker.FeatureHasher;
import org.flinkreinforce.model.ranker.HashedFeatures;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.JavaRankerKernel;
import org.flinkreinforce.model.ranker.NativeRankerKernel;
import org.flinkreinforce.model.ranker.RankerLearner;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A ranker policy's learning of one logged decision ({@link RankerLearner}, doubly robust as the
 * job's default) in the shape of {@code bench --policy-kind ranker}: 10 candidates, each its id
 * alone (one of 10), a shared context of 32 dense features crossed with it ({@code context:item}),
 * 2^18 weights; an update per 256 decisions (the job's {@code batch.size}). The score is the time
 * per decision: its {@code phi}, the kernel's gathers and scatters, and its share of the update.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RankerLearnBenchmark {

    private static final int DECISIONS = 256;
    private static final int CANDIDATES = 10;
    private static final int BATCH = 256;

    /** The kernel of the gathers and scatters: {@code java} or {@code native}. */
    @Param({"java", "native"})
    public String kernel;

    private RankerLearner learner;
    private HashedFeatures[] contexts;
    private HashedFeatures[][] candidateSets;
    private int[] chosen;
    private double[] advantages;
    private int next;

    @Setup
    public void setUp() {
        RankerSpec spec =
                new RankerSpec("bench", 18, 0, Interaction.parseList("context:item"), 64, 64);
        FeatureHasher hasher = new FeatureHasher(spec.seed());
        Random random = new Random(1);
        learner =
                new RankerLearner(
                        spec,
                        new float[spec.weightCount()],
                        new float[spec.weightCount()],
                        RewardModel.zeros(spec.weightCount()),
                        0.1,
                        kernel.equals("native")
                                ? new NativeRankerKernel()
                                : JavaRankerKernel.INSTANCE);
        contexts = new HashedFeatures[DECISIONS];
        candidateSets = new HashedFeatures[DECISIONS][CANDIDATES];
        chosen = new int[DECISIONS];
        advantages = new double[DECISIONS];
        for (int d = 0; d < DECISIONS; d++) {
            contexts[d] = RankerEvaluateBenchmark.denseContext(hasher, random);
            for (int k = 0; k < CANDIDATES; k++) {
                candidateSets[d][k] = RankerEvaluateBenchmark.item(hasher, "a" + k);
            }
            chosen[d] = random.nextInt(CANDIDATES);
            advantages[d] = random.nextGaussian();
        }
    }

    @Benchmark
    public int learnOneDecision() {
        int d = next;
        next = (next + 1) % DECISIONS;
        learner.accumulate(
                contexts[d],
                candidateSets[d],
                CANDIDATES,
                chosen[d],
                advantages[d],
                1.0 / CANDIDATES,
                10);
        if (learner.pendingEvents() == BATCH) {
            return learner.update(0.5);
        }
        return learner.pendingEvents();
    }
}
