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
 * A ranker policy's learning per event ({@link RankerLearner}): the candidates' phi (their features
 * and the crosses with the shared context, hashed), scores, softmax and the sparse gradient, with
 * one sparse AdaGrad update per 32 events; the score is the time per event. A recommender's shape:
 * {@code candidates} candidates of 8 features in one namespace, a shared context of {@code shared}
 * features, all crossed ({@code *:*}), 2^18 weights.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RankerBenchmark {

    private static final int EVENTS = 256;
    private static final int BATCH = 32;

    @Param({"10", "50"})
    public int candidates;

    @Param({"4", "16"})
    public int shared;

    /** The kernel of the gathers and scatters: {@code java} or {@code native}. */
    @Param({"java", "native"})
    public String kernel;

    /** {@code reinforce}, or {@code doubly-robust} with a reward model (the job's default). */
    @Param({"reinforce", "doubly-robust"})
    public String estimator;

    private RankerLearner learner;
    private HashedFeatures[] contexts;
    private HashedFeatures[][] candidateSets;
    private int[] chosen;
    private double[] rewards;
    private int next;

    @Setup
    public void setUp() {
        RankerSpec spec = new RankerSpec("rank", 18, 0, Interaction.parseList("*:*"), 64, 64);
        learner =
                new RankerLearner(
                        spec,
                        new float[spec.weightCount()],
                        new float[spec.weightCount()],
                        estimator.equals("doubly-robust")
                                ? RewardModel.zeros(spec.weightCount())
                                : null,
                        0.1,
                        kernel.equals("native")
                                ? new NativeRankerKernel()
                                : JavaRankerKernel.INSTANCE);
        FeatureHasher hasher = new FeatureHasher(spec.seed());
        Random random = new Random(1);
        int user = hasher.namespace("user");
        int item = hasher.namespace("item");
        contexts = new HashedFeatures[EVENTS];
        candidateSets = new HashedFeatures[EVENTS][candidates];
        chosen = new int[EVENTS];
        rewards = new double[EVENTS];
        for (int e = 0; e < EVENTS; e++) {
            contexts[e] = new HashedFeatures().namespace(user);
            for (int f = 0; f < shared; f++) {
                contexts[e].add(
                        FeatureHasher.categorical(
                                user, "f" + f, Integer.toString(random.nextInt(20))),
                        1f);
            }
            for (int k = 0; k < candidates; k++) {
                HashedFeatures candidate = new HashedFeatures().namespace(item);
                for (int f = 0; f < 8; f++) {
                    candidate.add(
                            FeatureHasher.categorical(
                                    item, "g" + f, Integer.toString(random.nextInt(1000))),
                            1f);
                }
                candidateSets[e][k] = candidate;
            }
            chosen[e] = random.nextInt(candidates);
            rewards[e] = random.nextDouble() < 0.2 ? 1 : 0;
        }
    }

    @Benchmark
    public int learnOneEvent() {
        int e = next;
        next = (next + 1) % EVENTS;
        learner.accumulate(
                contexts[e],
                candidateSets[e],
                candidates,
                chosen[e],
                rewards[e] - 0.2,
                1.0 / candidates,
                10);
        if (learner.pendingEvents() == BATCH) {
            return learner.update(0.5);
        }
        return learner.pendingEvents();
    }
}
