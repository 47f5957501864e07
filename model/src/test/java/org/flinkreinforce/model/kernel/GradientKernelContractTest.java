package org.flinkreinforce.model.kernel;

import static org.assertj.core.api.Assertions.assertThat;

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
 * float64 {@link NaiveKernel} on random and edge-case shapes.
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
                cases.add(Arguments.of(kernel, Named.of(Arrays.toString(shape), shape)));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void shouldMatchTheFloat64ReferenceOnEveryShape(
            Supplier<GradientKernel> factory, double[] shape) {
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

        kernel.forward(head);
        NaiveKernel reference = new NaiveKernel(head);
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
        // Each gradient entry averages terms of size up to |c| |x| (2 and 1 here) plus the bonus.
        double gradientMagnitude = 2.5 + entropyBonus * logMagnitude;
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
