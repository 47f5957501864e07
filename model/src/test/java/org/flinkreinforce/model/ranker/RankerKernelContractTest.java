package org.flinkreinforce.model.ranker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.flinkreinforce.model.RewardModel;
import org.flinkreinforce.model.kernel.GradientKernels;
import org.flinkreinforce.model.kernel.NativeKernel;
import org.junit.jupiter.api.Test;

/**
 * Every ranker kernel this machine runs (Java, and native on each path up to the CPU's) against a
 * plain reference: per candidate, the sum of gathered weights times values in entry order, and the
 * scatter entry by entry. Random runs of variable candidate sets, with few weights so that one
 * candidate's entries hit a weight several times, with entries not a multiple of a vector's lanes,
 * empty candidates and zero coefficients.
 */
class RankerKernelContractTest {

    /** Relative error of a vector kernel's scores, summed in double in another order. */
    private static final double SCORE_TOLERANCE = 1e-12;

    private static List<RankerKernel> kernels() {
        List<RankerKernel> kernels = new ArrayList<>();
        kernels.add(JavaRankerKernel.INSTANCE);
        if (GradientKernels.nativeAvailable()) {
            for (NativeKernel.Isa isa : NativeKernel.Isa.values()) {
                if (isa.ordinal() <= NativeKernel.maxIsa().ordinal()) {
                    kernels.add(new NativeRankerKernel(isa));
                }
            }
        }
        return kernels;
    }

    @Test
    void shouldRunTheNativeKernelOnEveryPathTheCpuHas() {
        if (GradientKernels.nativeAvailable()) {
            assertThat(kernels()).hasSize(2 + NativeKernel.maxIsa().ordinal());
        }
    }

    @Test
    void shouldScoreAsThePlainSumDoes() {
        for (RankerKernel kernel : kernels()) {
            Random random = new Random(3);
            for (int round = 0; round < 200; round++) {
                RankerBatch batch = randomRun(random, 1 << (3 + random.nextInt(8)));
                boolean other = random.nextBoolean();
                batch.otherWeights = other ? randomWeights(batch.weights.length, random) : null;
                double[] expected = referenceScores(batch, batch.weights);
                double[] expectedOther = other ? referenceScores(batch, batch.otherWeights) : null;

                kernel.scores(batch);

                for (int k = 0; k < batch.candidates; k++) {
                    if (isExact(kernel)) {
                        assertThat(batch.scores[k])
                                .as("%s, candidate %d", kernel, k)
                                .isEqualTo(expected[k]);
                    } else {
                        assertThat(batch.scores[k])
                                .as("%s, candidate %d", kernel, k)
                                .isCloseTo(expected[k], within(tolerance(batch, k)));
                    }
                    if (other) {
                        assertThat(batch.otherScores[k])
                                .as("%s, other, candidate %d", kernel, k)
                                .isCloseTo(expectedOther[k], within(tolerance(batch, k)));
                    }
                }
            }
        }
    }

    @Test
    void shouldScatterAsThePlainLoopDoesBitForBit() {
        for (RankerKernel kernel : kernels()) {
            Random random = new Random(5);
            for (int round = 0; round < 200; round++) {
                int weights = 1 << (3 + random.nextInt(8));
                boolean model = random.nextBoolean();
                RankerBatch batch = randomRun(random, weights);
                withGradients(batch, model);
                // Gradients that already hold a sum from an earlier run.
                RankerBatch earlier = randomRun(random, weights);
                earlier.gradient = batch.gradient;
                earlier.modelGradient = batch.modelGradient;
                earlier.touchedBits = batch.touchedBits;
                earlier.touched = batch.touched;
                randomCoefficients(earlier, random);
                JavaRankerKernel.INSTANCE.scatter(earlier);
                batch.touchedCount = earlier.touchedCount;
                randomCoefficients(batch, random);

                float[] expected = batch.gradient.clone();
                float[] expectedModel = model ? batch.modelGradient.clone() : null;
                Set<Integer> expectedTouched = new LinkedHashSet<>();
                for (int t = 0; t < batch.touchedCount; t++) {
                    expectedTouched.add(batch.touched[t]);
                }
                referenceScatter(batch, batch.coefficients, expected, expectedTouched);
                if (model) {
                    referenceScatter(
                            batch, batch.modelCoefficients, expectedModel, expectedTouched);
                }

                kernel.scatter(batch);

                assertThat(batch.gradient).as("%s", kernel).containsExactly(expected);
                if (model) {
                    assertThat(batch.modelGradient).as("%s", kernel).containsExactly(expectedModel);
                }
                Set<Integer> touched = new LinkedHashSet<>();
                for (int t = 0; t < batch.touchedCount; t++) {
                    touched.add(batch.touched[t]);
                }
                assertThat(touched).as("%s: each weight once", kernel).hasSize(batch.touchedCount);
                assertThat(touched).as("%s", kernel).isEqualTo(expectedTouched);
                for (int j = 0; j < weights; j++) {
                    boolean bit = (batch.touchedBits[j >>> 6] & (1L << j)) != 0;
                    assertThat(bit).as("%s, bit %d", kernel, j).isEqualTo(touched.contains(j));
                }
            }
        }
    }

    /** A candidate whose coefficient is not a number is added, so that the learner sees it. */
    @Test
    void shouldCarryANonFiniteCoefficientIntoTheGradient() {
        for (RankerKernel kernel : kernels()) {
            Random random = new Random(7);
            RankerBatch batch = randomRun(random, 64);
            withGradients(batch, false);
            for (int k = 0; k < batch.candidates; k++) {
                batch.coefficients[k] = batch.ends[k] > batch.start(k) ? Double.NaN : 0;
            }
            kernel.scatter(batch);
            assertThat(batch.touchedCount).isPositive();
            assertThat(batch.gradient[batch.touched[0]]).as("%s", kernel).isNaN();
        }
    }

    /**
     * What a native kernel relies on is checked before the call, in Java (the Java kernel has the
     * JVM's bounds checks).
     */
    @Test
    void shouldRefuseABatchThatWouldReadOutsideItsArrays() {
        for (RankerKernel kernel : kernels()) {
            if (!(kernel instanceof NativeRankerKernel)) {
                continue;
            }
            Random random = new Random(9);
            RankerBatch batch = randomRun(random, 64);
            withGradients(batch, true);
            batch.ends[batch.candidates - 1] = batch.indices.length + 1;
            assertThatThrownBy(() -> kernel.scores(batch))
                    .as("%s", kernel)
                    .isInstanceOf(IllegalArgumentException.class);

            // A touched list said to be nearly full while none of its bits is set: the native
            // scatter runs out of room and says so, rather than write past the list.
            RankerBatch disagreeing = randomRun(random, 64);
            while (disagreeing.entries < 64) {
                disagreeing = randomRun(random, 64);
            }
            withGradients(disagreeing, false);
            disagreeing.touchedCount = 60;
            Arrays.fill(disagreeing.coefficients, 1.0);
            RankerBatch full = disagreeing;
            assertThatThrownBy(() -> kernel.scatter(full))
                    .as("%s", kernel)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("touched");

            RankerBatch shortGradient = randomRun(random, 64);
            withGradients(shortGradient, false);
            shortGradient.gradient = new float[32];
            assertThatThrownBy(() -> kernel.scatter(shortGradient))
                    .as("%s", kernel)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /**
     * A learner on each kernel learns what the learner on the Java kernel learns from the same
     * decisions: the same weights, bit for bit where the kernel scores alike, else to float
     * precision; and after its warm-up, its decisions allocate nothing (the update allocates its
     * statistics record, one object a batch).
     */
    @Test
    void shouldLearnAsTheJavaKernelDoesAndAllocateNothingPerBatch() {
        RankerSpec spec = new RankerSpec("k", 12, 0, Interaction.parseList("*:*"), 16, 16);
        FeatureHasher hasher = new FeatureHasher(spec.seed());
        Random random = new Random(11);
        int decisions = 64;
        HashedFeatures[] shared = new HashedFeatures[decisions];
        HashedFeatures[][] candidates = new HashedFeatures[decisions][];
        for (int e = 0; e < decisions; e++) {
            shared[e] = RankerFixtures.randomFeatures(hasher, "s", 2, 4, random);
            candidates[e] =
                    RankerFixtures.randomCandidates(hasher, 1 + random.nextInt(12), 1, 3, random);
        }
        float[] reference = null;
        for (RankerKernel kernel : kernels()) {
            RankerLearner learner =
                    new RankerLearner(
                            spec,
                            new float[spec.weightCount()],
                            new float[spec.weightCount()],
                            RewardModel.zeros(spec.weightCount()),
                            0.1,
                            kernel);
            Random choices = new Random(13);
            // The decisions of a batch, scored and their gradients added: all but the update,
            // which makes the batch's statistics record.
            Runnable decisionsOfABatch =
                    () -> {
                        for (int e = 0; e < decisions; e++) {
                            int count = candidates[e].length;
                            learner.accumulate(
                                    shared[e],
                                    candidates[e],
                                    count,
                                    choices.nextInt(count),
                                    choices.nextGaussian(),
                                    1.0 / count,
                                    10);
                        }
                        learner.probability(decisions - 1);
                    };
            for (int b = 0; b < 20; b++) {
                decisionsOfABatch.run();
                learner.update(0.1);
            }
            if (reference == null) {
                reference = learner.weights().clone();
            } else {
                for (int j = 0; j < reference.length; j++) {
                    assertThat(learner.weights()[j])
                            .as("%s, weight %d", kernel, j)
                            .isCloseTo(reference[j], within(1e-4f * (1 + Math.abs(reference[j]))));
                }
            }
            long least = Long.MAX_VALUE;
            for (int window = 0; window < 50 && least > 0; window++) {
                least = Math.min(least, allocated(decisionsOfABatch));
                learner.update(0.1);
            }
            assertThat(least).as("%s: bytes allocated by a batch", kernel).isZero();
        }
    }

    private static long allocated(Runnable run) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        run.run();
        return threads.getThreadAllocatedBytes(thread) - before;
    }

    private static boolean isExact(RankerKernel kernel) {
        return kernel == JavaRankerKernel.INSTANCE
                || (kernel instanceof NativeRankerKernel nativeKernel
                        && nativeKernel.isa() == NativeKernel.Isa.PORTABLE);
    }

    /** Of a sum of the candidate's products in another order: its absolute terms, scaled. */
    private static double tolerance(RankerBatch batch, int k) {
        double magnitude = 0;
        for (int j = batch.start(k); j < batch.ends[k]; j++) {
            magnitude += Math.abs(batch.values[j]) * 4;
        }
        return SCORE_TOLERANCE * (1 + magnitude);
    }

    /** Up to 40 candidates of 0 to 70 entries, indices anywhere in the int range. */
    private static RankerBatch randomRun(Random random, int weights) {
        RankerBatch batch = new RankerBatch();
        int candidates = 1 + random.nextInt(40);
        for (int k = 0; k < candidates; k++) {
            int entries = random.nextInt(8) == 0 ? 0 : random.nextInt(71);
            batch.reserveEntries(entries);
            for (int j = 0; j < entries; j++) {
                batch.indices[batch.entries] = random.nextInt();
                batch.values[batch.entries] = (float) random.nextGaussian();
                batch.entries++;
            }
            batch.endCandidate();
        }
        batch.weights = randomWeights(weights, random);
        return batch;
    }

    private static void withGradients(RankerBatch batch, boolean model) {
        int weights = batch.weights.length;
        batch.gradient = new float[weights];
        batch.modelGradient = model ? new float[weights] : null;
        batch.touchedBits = new long[Math.max(1, weights >>> 6)];
        batch.touched = new int[weights];
    }

    private static void randomCoefficients(RankerBatch batch, Random random) {
        for (int k = 0; k < batch.candidates; k++) {
            batch.coefficients[k] = random.nextInt(4) == 0 ? 0 : random.nextGaussian();
            batch.modelCoefficients[k] = random.nextInt(2) == 0 ? 0 : random.nextGaussian();
        }
    }

    private static float[] randomWeights(int count, Random random) {
        float[] weights = new float[count];
        for (int j = 0; j < count; j++) {
            weights[j] = (float) random.nextGaussian();
        }
        return weights;
    }

    private static double[] referenceScores(RankerBatch batch, float[] weights) {
        double[] scores = new double[batch.candidates];
        for (int k = 0; k < batch.candidates; k++) {
            for (int j = batch.start(k); j < batch.ends[k]; j++) {
                scores[k] +=
                        (double) weights[Math.floorMod(batch.indices[j], weights.length)]
                                * batch.values[j];
            }
        }
        return scores;
    }

    private static void referenceScatter(
            RankerBatch batch, double[] coefficients, float[] gradient, Set<Integer> touched) {
        for (int k = 0; k < batch.candidates; k++) {
            if (coefficients[k] == 0) {
                continue;
            }
            for (int j = batch.start(k); j < batch.ends[k]; j++) {
                int index = Math.floorMod(batch.indices[j], gradient.length);
                gradient[index] += (float) (coefficients[k] * batch.values[j]);
                touched.add(index);
            }
        }
    }
}
