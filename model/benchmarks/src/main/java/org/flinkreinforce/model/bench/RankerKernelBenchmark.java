package org.flinkreinforce.model.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.flinkreinforce.model.kernel.NativeKernel;
import org.flinkreinforce.model.ranker.FeatureHasher;
import org.flinkreinforce.model.ranker.Features;
import org.flinkreinforce.model.ranker.HashedFeatures;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.JavaRankerKernel;
import org.flinkreinforce.model.ranker.NativeRankerKernel;
import org.flinkreinforce.model.ranker.RankerBatch;
import org.flinkreinforce.model.ranker.RankerKernel;
import org.flinkreinforce.model.ranker.RankerPolicy;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ranker kernel's two calls on one run of 48 decisions of 10 candidates, per path ({@code
 * java}, or native {@code portable}, {@code avx2}, {@code avx512}): the scores with the reward
 * model's values (gathers of two weight vectors), and the scatter into the batch gradient and the
 * reward model's (each candidate's coefficient, the chosen one's model coefficient). The score is
 * the time per decision. Shapes: {@code bench} ({@code bench --policy-kind ranker}: each candidate
 * its id alone, 32 dense shared features crossed with it, 33 entries per candidate) and {@code
 * recommender} (8 categorical features per candidate from catalogues of 1,000, 16 categorical
 * shared ones, all crossed: 136 entries per candidate, scattered over 2^18 weights).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RankerKernelBenchmark {

    private static final int DECISIONS = 48;
    private static final int CANDIDATES = 10;

    @Param({"java", "portable", "avx2", "avx512"})
    public String path;

    @Param({"bench", "recommender"})
    public String shape;

    private RankerKernel kernel;
    private RankerBatch batch;

    @Setup
    public void setUp() {
        boolean recommender = shape.equals("recommender");
        RankerSpec spec =
                new RankerSpec(
                        "bench",
                        18,
                        0,
                        Interaction.parseList(recommender ? "*:*" : "context:item"),
                        64,
                        64);
        kernel =
                path.equals("java")
                        ? JavaRankerKernel.INSTANCE
                        : new NativeRankerKernel(
                                NativeKernel.Isa.valueOf(path.toUpperCase(java.util.Locale.ROOT)));
        FeatureHasher hasher = new FeatureHasher(spec.seed());
        Random random = new Random(1);
        RankerPolicy policy = new RankerPolicy(spec, new float[spec.weightCount()]);
        batch = new RankerBatch();
        for (int d = 0; d < DECISIONS; d++) {
            HashedFeatures shared;
            if (recommender) {
                Features.Builder context = Features.builder();
                for (int f = 0; f < 16; f++) {
                    context.category("user", "f" + f, Integer.toString(random.nextInt(20)));
                }
                shared = hasher.hash(context.build(), new HashedFeatures());
            } else {
                shared = RankerEvaluateBenchmark.denseContext(hasher, random);
            }
            HashedFeatures[] candidates = new HashedFeatures[CANDIDATES];
            for (int k = 0; k < CANDIDATES; k++) {
                if (recommender) {
                    Features.Builder item = Features.builder();
                    for (int f = 0; f < 8; f++) {
                        item.category("item", "g" + f, Integer.toString(random.nextInt(1000)));
                    }
                    candidates[k] = hasher.hash(item.build(), new HashedFeatures());
                } else {
                    candidates[k] = RankerEvaluateBenchmark.item(hasher, "a" + k);
                }
            }
            policy.buildPhi(shared, candidates, CANDIDATES, batch);
        }
        batch.weights = gaussian(spec.weightCount(), random);
        batch.otherWeights = gaussian(spec.weightCount(), random);
        batch.gradient = new float[spec.weightCount()];
        batch.modelGradient = new float[spec.weightCount()];
        batch.touchedBits = new long[spec.weightCount() >>> 6];
        batch.touched = new int[spec.weightCount()];
        for (int k = 0; k < batch.candidates; k++) {
            batch.coefficients[k] = random.nextGaussian();
            batch.modelCoefficients[k] = k % CANDIDATES == 3 ? random.nextGaussian() : 0;
        }
    }

    @Benchmark
    @OperationsPerInvocation(DECISIONS)
    public double scores() {
        kernel.scores(batch);
        return batch.scores[0];
    }

    @Benchmark
    @OperationsPerInvocation(DECISIONS)
    public float scatter() {
        kernel.scatter(batch);
        return batch.gradient[batch.touched[0]];
    }

    private static float[] gaussian(int count, Random random) {
        float[] values = new float[count];
        for (int j = 0; j < count; j++) {
            values[j] = (float) random.nextGaussian();
        }
        return values;
    }
}
