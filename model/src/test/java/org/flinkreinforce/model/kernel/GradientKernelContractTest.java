package org.flinkreinforce.model.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every kernel available here (each native instruction-set path separately) against the
 * float64 {@link NaiveKernel} on random and edge-case shapes, with and without a reward model; and
 * checks the doubly robust term against finite differences of the objective it is the gradient of.
 */
class GradientKernelContractTest {

    /** Float32 accumulation over up to ~2000 terms: relative to the magnitude of the terms. */
    private static final double TOLERANCE = 2e-4;

    static List<Named<Supplier<GradientKernel>>> kernels() {
        List<Named<Supplier<GradientKernel>>> kernels = new ArrayList<>();
        kernels.add(Named.of("ejml", EjmlKernel::new));
        if (GradientKernels.vectorAvailable()) {
            kernels.add(Named.of("vector", VectorKernel::new));
        }
        if (GradientKernels.nativeAvailable()) {
            for (NativeKernel.Isa isa : NativeKernel.Isa.values()) {
                if (isa.ordinal() <= NativeKernel.maxIsa().ordinal()) {
                    kernels.add(Named.of("native-" + isa, () -> new NativeKernel(isa)));
                }
            }
        }
        return kernels;
    }

    /** Edge cases, one a line: batch, features, actions, heads, logit scale, entropy bonus. */
    private static final String EDGE_CASES =
            """
            1 0 2 1 1 0
            1 1 2 1 1 0.01
            1 5 3 1 1 0
            3 0 6 4 1 0.05
            7 13 17 1 1 0
            8 16 16 1 1 0.01
            9 17 33 2 1 0
            33 31 15 1 1 0.1
            64 32 10 1 1 0
            257 40 100 1 1 0
            300 129 1001 1 0.5 0.01
            5 3 7 1 1e4 0
            6 0 9 3 1e4 0.01
            20 11 2 1 1e3 0
            """;

    /** {batch, features, actions, heads, logit scale, entropy bonus}. */
    static List<double[]> shapes() {
        List<double[]> shapes = new ArrayList<>();
        for (String line : EDGE_CASES.lines().toList()) {
            shapes.add(Arrays.stream(line.split(" ")).mapToDouble(Double::parseDouble).toArray());
        }
        Random random = new Random(20261127);
        for (int k = 0; k < 12; k++) {
            shapes.add(
                    new double[] {
                        1 + random.nextInt(70),
                        random.nextInt(40),
                        2 + random.nextInt(50),
                        1 + random.nextInt(3),
                        random.nextBoolean() ? 1 : 30,
                        random.nextBoolean() ? 0 : 0.02
                    });
        }
        return shapes;
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Named<Supplier<GradientKernel>> kernel : kernels()) {
            for (double[] shape : shapes()) {
                for (boolean rewardModel : new boolean[] {false, true}) {
                    cases.add(
                            Arguments.of(
                                    kernel,
                                    Named.of(Arrays.toString(shape), shape),
                                    Named.of(
                                            rewardModel ? "with reward model" : "without",
                                            rewardModel)));
                }
            }
        }
        return cases.stream();
    }

    static Stream<Arguments> kernelCases() {
        return kernels().stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void shouldMatchTheFloat64ReferenceOnEveryShape(
            Supplier<GradientKernel> factory, double[] shape, boolean withRewardModel) {
        GradientKernel kernel = factory.get();
        int batch = (int) shape[0];
        int d = (int) shape[1];
        int n = (int) shape[2];
        int heads = (int) shape[3];
        double logitScale = shape[4];
        float entropyBonus = (float) shape[5];
        HeadBatch head =
                randomBatch(batch, d, n, heads, logitScale, new Random(31L * batch + 17L * d + n))
                        .setEntropyBonus(entropyBonus)
                        .setScale(1.0f / batch);
        float[] gradient = head.gradient;
        int weightOffset = head.weightOffset;
        int biasOffset = head.biasOffset;
        double valueMagnitude = 0;
        if (withRewardModel) {
            head.setRewardModel(
                    randomRewardModel(head, new Random(7L * batch + 3L * d + n), 3.0, 0.0));
            // rows past the batch must stay untouched
            Arrays.fill(head.actionValues(), Float.NaN);
            kernel.predict(head);
            NaiveKernel predicted = new NaiveKernel(head);
            for (double q : predicted.actionValues) {
                valueMagnitude = Math.max(valueMagnitude, Math.abs(q));
            }
            for (int k = 0; k < batch * n; k++) {
                assertClose(
                        "action value " + k,
                        head.actionValues()[k],
                        predicted.actionValues[k],
                        1 + valueMagnitude);
            }
            for (int k = batch * n; k < head.actionValues().length; k++) {
                assertThat(head.actionValues()[k]).as("action value past the batch").isNaN();
            }
        }

        kernel.forward(head);
        NaiveKernel reference = new NaiveKernel(head);
        float[] valuesBefore = head.actionValues().clone();
        float[] probs = head.probabilities;
        float[] logProbChosen = head.logProbChosen;
        float[] entropy = head.entropy;

        for (int k = 0; k < batch * n; k++) {
            assertClose("probability " + k, probs[k], reference.probabilities[k], 1.0);
        }
        double logMagnitude = 1 + Math.abs(logitScale) * 4;
        for (int i = 0; i < batch; i++) {
            assertThat(Float.isFinite(logProbChosen[i])).isTrue();
            assertClose(
                    "log-probability " + i,
                    logProbChosen[i],
                    reference.logProbChosen[i],
                    logMagnitude);
            assertClose("entropy " + i, entropy[i], reference.entropy[i], logMagnitude);
        }

        kernel.backward(head);
        assertThat(head.actionValues()).as("action values after backward").isEqualTo(valuesBefore);
        // Each gradient entry averages terms of size up to |c| |x| (2 and 1 here) plus the bonus,
        // plus p |q - p.q| <= 2 max |q| with a reward model.
        double gradientMagnitude = 2.5 + entropyBonus * logMagnitude + 2 * valueMagnitude;
        for (int k = 0; k < n * d; k++) {
            assertClose(
                    "weight gradient " + k,
                    gradient[weightOffset + k],
                    reference.weightGradient[k],
                    gradientMagnitude);
        }
        for (int a = 0; a < n; a++) {
            assertClose(
                    "bias gradient " + a,
                    gradient[biasOffset + a],
                    reference.biasGradient[a],
                    gradientMagnitude);
        }
        // Nothing outside the head's slices was written.
        for (int k = 0; k < weightOffset; k++) {
            assertThat(gradient[k]).isNaN();
        }
        assertThat(gradient[biasOffset + n]).isNaN();
    }

    /**
     * The backward pass with a reward model is the gradient of {@code scale * sum_i (c_i log
     * p_i,a_i + sum_a p_ia q_ia + beta H_i)} for fixed {@code c} and {@code q}: checked against
     * central differences of that objective in float64, so that a missing or sign-flipped {@code p
     * (q - p.q)} fails (the test first checks that the term is large here), whatever the reference.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kernelCases")
    void shouldFollowTheGradientOfTheDoublyRobustObjective(Supplier<GradientKernel> factory) {
        GradientKernel kernel = factory.get();
        for (int[] shape : new int[][] {{5, 3, 4}, {9, 17, 19}, {6, 0, 33}}) {
            int batch = shape[0];
            int d = shape[1];
            int n = shape[2];
            Random random = new Random(101L * batch + d + n);
            HeadBatch head =
                    randomBatch(batch, d, n, 2, 1.0, random)
                            .setEntropyBonus(0.05f)
                            .setScale(1.0f / batch);
            head.setRewardModel(randomRewardModel(head, random, 3.0, 0.0));
            kernel.predict(head);
            kernel.forward(head);
            kernel.backward(head);
            float[] withModel = head.gradient.clone();
            head.setRewardModel(null);
            kernel.forward(head);
            kernel.backward(head);
            float[] withoutModel = head.gradient.clone();

            double step = 1e-3;
            double largestTerm = 0;
            double[] params = new double[head.params.length];
            for (int k = 0; k < params.length; k++) {
                params[k] = head.params[k];
            }
            int[] slices = {head.weightOffset, n * d, head.biasOffset, n};
            for (int s = 0; s < slices.length; s += 2) {
                for (int k = slices[s]; k < slices[s] + slices[s + 1]; k++) {
                    double saved = params[k];
                    params[k] = saved + step;
                    double up = doublyRobustObjective(head, params);
                    params[k] = saved - step;
                    double down = doublyRobustObjective(head, params);
                    params[k] = saved;
                    double expected = (up - down) / (2 * step);
                    largestTerm = Math.max(largestTerm, Math.abs(withModel[k] - withoutModel[k]));
                    assertThat(Math.abs(withModel[k] - expected))
                            .as(
                                    "gradient %d of %s: %s vs %s",
                                    k, Arrays.toString(shape), withModel[k], expected)
                            .isLessThanOrEqualTo(1e-3 * (1 + Math.abs(expected)));
                }
            }
            assertThat(largestTerm).as("the doubly robust term's size").isGreaterThan(0.05);
        }
    }

    /**
     * With equal action values in a row (a reward model with {@code V = 0}), {@code p (q - p.q)} is
     * 0: the gradient is the one without a reward model, exactly.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kernelCases")
    void shouldAddExactlyNothingForEqualActionValues(Supplier<GradientKernel> factory) {
        GradientKernel kernel = factory.get();
        for (int[] shape : new int[][] {{7, 13, 17}, {33, 31, 15}, {9, 5, 3}, {3, 0, 40}}) {
            for (float beta : new float[] {0f, 0.02f}) {
                Random random = new Random(shape[0] + 31L * shape[2]);
                HeadBatch head =
                        randomBatch(shape[0], shape[1], shape[2], 1, 1.0, random)
                                .setEntropyBonus(beta)
                                .setScale(1.0f / shape[0]);
                kernel.forward(head);
                kernel.backward(head);
                float[] withoutModel = head.gradient.clone();
                head.setRewardModel(randomRewardModel(head, random, 0.0, 1234.375));
                kernel.predict(head);
                assertThat(head.actionValues()[0]).isEqualTo(1234.375f);
                kernel.forward(head);
                kernel.backward(head);
                for (int k = 0; k < withoutModel.length; k++) {
                    assertThat(head.gradient[k])
                            .as("gradient %d of %s, beta %s", k, Arrays.toString(shape), beta)
                            .isCloseTo(withoutModel[k], within(0f));
                }
            }
        }
    }

    /**
     * {@code scale * sum_i (c_i log p_i,a_i + sum_a p_ia q_ia + beta H_i)} at the policy parameters
     * {@code params}, with {@code q} the batch's action values, in float64.
     */
    private static double doublyRobustObjective(HeadBatch b, double[] params) {
        int n = b.actions;
        double total = 0;
        double[] z = new double[n];
        for (int i = 0; i < b.rows; i++) {
            double logNormaliser = NaiveKernel.logits(b, params, i, z);
            int action = b.chosen[b.actionOffset + i * b.actionStride];
            total += b.coefficients[i] * (z[action] - logNormaliser);
            for (int a = 0; a < n; a++) {
                double logP = z[a] - logNormaliser;
                double p = Math.exp(logP);
                total += p * b.actionValues()[i * n + a] - b.entropyBonus * p * logP;
            }
        }
        return b.scale * total;
    }

    /**
     * A reward model laid out like the batch's parameters, NaN outside the head's slices (a kernel
     * that reads there produces NaN): weights of scale {@code weightScale / sqrt(d)}, biases {@code
     * offset} plus noise of scale {@code weightScale}.
     */
    private static float[] randomRewardModel(
            HeadBatch head, Random random, double weightScale, double offset) {
        float[] model = new float[head.params.length];
        Arrays.fill(model, Float.NaN);
        int n = head.actions;
        int d = head.features;
        for (int k = 0; k < n * d; k++) {
            model[head.weightOffset + k] =
                    (float) (random.nextGaussian() * weightScale / Math.sqrt(d));
        }
        for (int a = 0; a < n; a++) {
            model[head.biasOffset + a] = (float) (offset + random.nextGaussian() * weightScale);
        }
        return model;
    }

    /**
     * A batch of the last of {@code heads} heads, after the parameters of a preceding head, with a
     * workspace larger than the batch (as in an estimator's partial batches) and a gradient vector
     * filled with NaN.
     */
    private static HeadBatch randomBatch(
            int batch, int d, int n, int heads, double logitScale, Random random) {
        float[] x = randomFloats(random, batch * d + 3, 1.0);
        int weightOffset = 5;
        int biasOffset = weightOffset + n * d;
        float[] params = new float[biasOffset + n + 2];
        double weightScale = d == 0 ? 0 : logitScale / Math.sqrt(d);
        for (int k = weightOffset; k < biasOffset; k++) {
            params[k] = (float) (random.nextGaussian() * weightScale);
        }
        for (int a = 0; a < n; a++) {
            params[biasOffset + a] = (float) (random.nextGaussian() * logitScale);
        }
        // a B x heads action matrix; with few actions many repeat
        int[] chosen = new int[batch * heads];
        for (int k = 0; k < chosen.length; k++) {
            chosen[k] = random.nextInt(n);
        }
        int capacity = batch + 3;
        float[] coefficients = Arrays.copyOf(randomFloats(random, batch, 2.0), capacity);
        float[] gradient = new float[params.length];
        Arrays.fill(gradient, Float.NaN);
        return new HeadBatch(
                        capacity, d, n, weightOffset, biasOffset, heads - 1, heads, coefficients)
                .setRows(batch, x, chosen)
                .setParameters(params, gradient);
    }

    private static void assertClose(String what, double actual, double expected, double magnitude) {
        assertThat(Double.isFinite(actual)).as(what + " is finite").isTrue();
        assertThat(Math.abs(actual - expected))
                .as("%s: %s vs reference %s", what, actual, expected)
                .isLessThanOrEqualTo(TOLERANCE * (magnitude + Math.abs(expected)));
    }

    private static float[] randomFloats(Random random, int length, double scale) {
        float[] values = new float[length];
        for (int k = 0; k < length; k++) {
            values[k] = (float) ((random.nextDouble() * 2 - 1) * scale);
        }
        return values;
    }
}
