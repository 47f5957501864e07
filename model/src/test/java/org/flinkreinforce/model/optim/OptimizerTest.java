package org.flinkreinforce.model.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.flinkreinforce.model.kernel.NativeLibraryLoader;
import org.flinkreinforce.model.util.SettingNames;
import org.junit.jupiter.api.Test;

class OptimizerTest {

    @Test
    void shouldClimbTheGradientWithSgd() {
        Optimizer sgd = new Optimizer(OptimizerSettings.sgd(0.1, 0.0), 2);
        OptimizerState state = sgd.newState();
        float[] theta = {1f, -1f};
        UpdateResult result = sgd.ascend(theta, new float[] {2f, 0.5f}, state);
        assertThat(result.applied()).isTrue();
        assertThat(theta[0]).isCloseTo(1.2f, within(1e-6f));
        assertThat(theta[1]).isCloseTo(-0.95f, within(1e-6f));
        assertThat(state.steps).isEqualTo(1);
    }

    @Test
    void shouldAccumulateMomentum() {
        Optimizer sgd = new Optimizer(OptimizerSettings.sgd(1.0, 0.5), 1);
        OptimizerState state = sgd.newState();
        float[] theta = {0f};
        sgd.ascend(theta, new float[] {1f}, state);
        sgd.ascend(theta, new float[] {1f}, state);
        assertThat(theta[0]).isCloseTo(1f + 1.5f, within(1e-6f));
    }

    @Test
    void shouldMakeABiasCorrectedFirstAdamStepOfTheLearningRate() {
        Optimizer adam = new Optimizer(OptimizerSettings.adam(0.01), 3);
        OptimizerState state = adam.newState();
        float[] theta = {0f, 0f, 0f};
        adam.ascend(theta, new float[] {5f, -0.001f, 0f}, state);
        assertThat(theta[0]).isCloseTo(0.01f, within(1e-6f));
        assertThat(theta[1]).isCloseTo(-0.01f, within(1e-4f));
        assertThat(theta[2]).isEqualTo(0f);
    }

    @Test
    void shouldMaximiseAConcaveObjective() {
        // f(theta) = -(theta - 3)^2, gradient -2 (theta - 3).
        for (OptimizerSettings settings :
                new OptimizerSettings[] {
                    OptimizerSettings.adam(0.1), OptimizerSettings.sgd(0.1, 0.9)
                }) {
            Optimizer optimizer = new Optimizer(settings, 1);
            OptimizerState state = optimizer.newState();
            float[] theta = {0f};
            for (int step = 0; step < 500; step++) {
                optimizer.ascend(theta, new float[] {-2f * (theta[0] - 3f)}, state);
            }
            assertThat(theta[0]).as(settings.kind().toString()).isCloseTo(3f, within(0.05f));
        }
    }

    @Test
    void shouldClipTheGlobalNorm() {
        OptimizerSettings settings =
                new OptimizerSettings(OptimizerKind.SGD, 1.0, 0, 0.9, 0.999, 1e-8, 1.0, 0);
        Optimizer sgd = new Optimizer(settings, 2);
        float[] theta = {0f, 0f};
        UpdateResult result = sgd.ascend(theta, new float[] {3f, 4f}, sgd.newState());
        assertThat(result.clipped()).isTrue();
        assertThat(result.gradientNorm()).isCloseTo(5.0, within(1e-9));
        assertThat(theta[0]).isCloseTo(0.6f, within(1e-6f));
        assertThat(theta[1]).isCloseTo(0.8f, within(1e-6f));
    }

    @Test
    void shouldShrinkParametersWithAnL2Penalty() {
        OptimizerSettings settings =
                new OptimizerSettings(OptimizerKind.SGD, 0.5, 0, 0.9, 0.999, 1e-8, 1e9, 0.1);
        Optimizer sgd = new Optimizer(settings, 1);
        float[] theta = {2f};
        sgd.ascend(theta, new float[] {0f}, sgd.newState());
        assertThat(theta[0]).isCloseTo(2f - 0.5f * 0.1f * 2f, within(1e-6f));
    }

    @Test
    void shouldRejectANonFiniteGradientAndLeaveEverythingUntouched() {
        Optimizer adam = new Optimizer(OptimizerSettings.adam(0.1), 2);
        OptimizerState state = adam.newState();
        float[] theta = {1f, 2f};
        adam.ascend(theta, new float[] {1f, 1f}, state);
        float[] before = theta.clone();
        float[] firstBefore = state.first.clone();
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            UpdateResult result = adam.ascend(theta, new float[] {0.5f, bad}, state);
            assertThat(result.applied()).isFalse();
            assertThat(result.rejection()).isEqualTo(UpdateResult.NON_FINITE_GRADIENT);
        }
        assertThat(theta).containsExactly(before);
        assertThat(state.first).containsExactly(firstBefore);
        assertThat(state.steps).isEqualTo(1);
    }

    @Test
    void shouldRejectAStepThatWouldOverflowTheParameters() {
        OptimizerSettings settings =
                new OptimizerSettings(
                        OptimizerKind.SGD, 1e30, 0, 0.9, 0.999, 1e-8, Double.POSITIVE_INFINITY, 0);
        Optimizer sgd = new Optimizer(settings, 1);
        OptimizerState state = sgd.newState();
        float[] theta = {1f};
        UpdateResult result = sgd.ascend(theta, new float[] {1e10f}, state);
        assertThat(result.applied()).isFalse();
        assertThat(result.rejection()).isEqualTo(UpdateResult.NON_FINITE_UPDATE);
        assertThat(theta[0]).isEqualTo(1f);
        assertThat(state.first[0]).isEqualTo(0f);
    }

    @Test
    void shouldRunAdamInTheNativeLibraryWhereItIsBuiltAndTheCpuHasAvx2() throws IOException {
        // the expectation comes from the build output and /proc/cpuinfo (the Linux kernel), not
        // from the library's own CPU check, so a library that fails to load or to find its
        // entry points, or a wrong detection, fails here instead of quietly leaving Adam in Java
        assertThat(new Optimizer(OptimizerSettings.adam(0.01), 1).implementation())
                .as("native Adam (%s)", NativeAdam.missing())
                .isEqualTo(NativeAdam.name(expectedNativePath()));
        assertThat(new Optimizer(OptimizerSettings.sgd(0.01, 0.9), 1).implementation())
                .isEqualTo("java");
        assertThat(new Optimizer(OptimizerSettings.adam(0.01), 1, false).implementation())
                .isEqualTo("java");
        assertThatThrownBy(
                        () -> new Optimizer(OptimizerSettings.adam(0.01), 1, NativeAdam.best() + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not available here");
    }

    @Test
    void shouldGiveTheSameBitsWithTheNativeAdamLoop() throws IOException {
        int best = expectedNativePath();
        assumeTrue(
                best != NativeAdam.NONE,
                "no native Adam loop here: no native library was built for this platform or the CPU has no AVX2");
        for (int isa = NativeAdam.AVX2; isa <= best; isa++) {
            assertSameBitsAsJava(isa);
        }
    }

    /** Every path of the native loop against the Java loop, on the same random steps. */
    private static void assertSameBitsAsJava(int isa) {
        Random random = new Random(7);
        // sizes around the 4- and 8-wide vectors, clipping on and off, L2 on and off, extreme beta
        int[] sizes = {1, 3, 4, 5, 7, 8, 9, 17, 1000, 4099};
        OptimizerSettings[] settings = {
            OptimizerSettings.adam(0.05),
            new OptimizerSettings(OptimizerKind.ADAM, 0.3, 0, 0.5, 0.9, 1e-3, 0.5, 0.01),
            new OptimizerSettings(
                    OptimizerKind.ADAM, 1e-3, 0, 0.0, 0.0, 1e-8, Double.POSITIVE_INFINITY, 0.1),
            OptimizerSettings.adam(0.05).withSchedule(LearningRateSchedule.INVERSE_SQRT, 3)
        };
        for (OptimizerSettings setting : settings) {
            for (int size : sizes) {
                Optimizer fast = new Optimizer(setting, size, isa);
                Optimizer java = new Optimizer(setting, size, NativeAdam.NONE);
                assertThat(fast.implementation()).isEqualTo(NativeAdam.name(isa));
                assertThat(java.implementation()).isEqualTo("java");
                OptimizerState fastState = fast.newState();
                OptimizerState javaState = java.newState();
                float[] fastTheta = new float[size];
                for (int k = 0; k < size; k++) {
                    fastTheta[k] = (float) random.nextGaussian();
                }
                float[] javaTheta = fastTheta.clone();
                for (int step = 0; step < 20; step++) {
                    float[] gradient = new float[size];
                    for (int k = 0; k < size; k++) {
                        // magnitudes from 1e-30 to 1e3, some exact zeros
                        gradient[k] =
                                k % 11 == 0
                                        ? 0f
                                        : (float)
                                                (random.nextGaussian()
                                                        * Math.pow(10, random.nextInt(34) - 30));
                    }
                    UpdateResult a = fast.ascend(fastTheta, gradient.clone(), fastState);
                    UpdateResult b = java.ascend(javaTheta, gradient.clone(), javaState);
                    String where =
                            fast.implementation()
                                    + ", "
                                    + setting
                                    + ", size "
                                    + size
                                    + ", step "
                                    + step;
                    assertThat(a.applied()).as(where).isEqualTo(b.applied());
                    assertThat(Double.doubleToRawLongBits(a.gradientNorm()))
                            .as(where)
                            .isEqualTo(Double.doubleToRawLongBits(b.gradientNorm()));
                    assertThat(bits(fastTheta)).as(where).isEqualTo(bits(javaTheta));
                    assertThat(bits(fastState.first)).as(where).isEqualTo(bits(javaState.first));
                    assertThat(bits(fastState.second)).as(where).isEqualTo(bits(javaState.second));
                }
            }
        }
    }

    @Test
    void shouldRejectAnOverflowingAdamStepInTheNativeLoopToo() {
        OptimizerSettings settings =
                new OptimizerSettings(
                        OptimizerKind.ADAM, 1e38, 0, 0.9, 0.999, 1e-8, Double.POSITIVE_INFINITY, 0);
        // one parameter overflows, in each lane of the 4- and 8-wide vectors and in the tail
        for (int isa = NativeAdam.NONE; isa <= NativeAdam.best(); isa++) {
            for (int overflowing = 0; overflowing < 9; overflowing++) {
                Optimizer adam = new Optimizer(settings, 9, isa);
                OptimizerState state = adam.newState();
                float[] theta = new float[9];
                theta[overflowing] = 3e38f;
                float[] gradient = new float[9];
                Arrays.fill(gradient, 1f);
                UpdateResult result = adam.ascend(theta, gradient, state);
                String where = adam.implementation() + ", parameter " + overflowing;
                assertThat(result.applied()).as(where).isFalse();
                assertThat(result.rejection()).isEqualTo(UpdateResult.NON_FINITE_UPDATE);
                assertThat(theta[overflowing]).isEqualTo(3e38f);
                assertThat(state.first[overflowing]).isEqualTo(0f);
                assertThat(state.steps).isZero();
            }
        }
    }

    /**
     * The native Adam path this machine should run: none where the build packaged no library for
     * this platform, else the best of AVX-512 (F and DQ) and AVX2 (with FMA) that the Linux kernel
     * lists in {@code /proc/cpuinfo} (it lists only what the CPU has and the OS enables).
     */
    private static int expectedNativePath() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Optimizer.class.getResource(NativeLibraryLoader.resourcePath()) == null
                || !Files.isReadable(cpuinfo)) {
            return NativeAdam.NONE;
        }
        Set<String> flags;
        try (Stream<String> lines = Files.lines(cpuinfo)) {
            flags =
                    lines.filter(line -> line.startsWith("flags"))
                            .findFirst()
                            .map(line -> line.substring(line.indexOf(':') + 1).trim().split("\\s+"))
                            .map(Arrays::stream)
                            .orElseGet(Stream::empty)
                            .collect(Collectors.toSet());
        }
        if (flags.containsAll(List.of("avx512f", "avx512dq"))) {
            return NativeAdam.AVX512;
        }
        return flags.containsAll(List.of("avx2", "fma")) ? NativeAdam.AVX2 : NativeAdam.NONE;
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int k = 0; k < values.length; k++) {
            bits[k] = Float.floatToRawIntBits(values[k]);
        }
        return bits;
    }

    @Test
    void shouldKeepTheConfiguredRateBitForBitWithTheConstantSchedule() {
        OptimizerSettings settings = OptimizerSettings.sgd(0.1, 0.9);
        assertThat(settings.schedule()).isEqualTo(LearningRateSchedule.CONSTANT);
        assertThat(settings.decayUpdates()).isEqualTo(OptimizerSettings.DEFAULT_DECAY_UPDATES);
        for (long updates : new long[] {0, 1, 1000, Long.MAX_VALUE}) {
            assertThat(Double.doubleToRawLongBits(settings.learningRate(updates)))
                    .isEqualTo(Double.doubleToRawLongBits(0.1));
        }
    }

    @Test
    void shouldShrinkTheSgdStepAsTheInverseSquareRootOfTheUpdateCount() {
        // A constant gradient of 1 and no momentum: update k moves theta by exactly lr_k.
        double decayUpdates = 4;
        Optimizer sgd =
                new Optimizer(
                        OptimizerSettings.sgd(0.1, 0.0)
                                .withSchedule(LearningRateSchedule.INVERSE_SQRT, decayUpdates),
                        1);
        OptimizerState state = sgd.newState();
        float[] theta = {0f};
        double[] steps = new double[13];
        for (int k = 0; k < steps.length; k++) {
            float before = theta[0];
            assertThat(sgd.ascend(theta, new float[] {1f}, state).applied()).isTrue();
            steps[k] = theta[0] - (double) before;
        }
        assertThat(steps[0]).isCloseTo(0.1, within(1e-7));
        assertThat(steps[4]).isCloseTo(0.1 / Math.sqrt(2), within(1e-7));
        assertThat(steps[12]).isCloseTo(0.05, within(1e-7));
        for (int k = 0; k < steps.length; k++) {
            assertThat(steps[k])
                    .as("update " + k)
                    .isCloseTo(0.1 / Math.sqrt(1 + k / 4.0), within(1e-7));
        }
    }

    @Test
    void shouldShrinkTheAdamStepAsTheInverseSquareRootOfTheUpdateCount() {
        // A constant gradient: the bias-corrected moments are g and g^2, so update k moves each
        // parameter by lr_k g / (|g| + epsilon), whatever the native or Java loop.
        for (int isa = NativeAdam.NONE; isa <= NativeAdam.best(); isa++) {
            Optimizer adam =
                    new Optimizer(
                            OptimizerSettings.adam(0.01)
                                    .withSchedule(LearningRateSchedule.INVERSE_SQRT, 10),
                            9,
                            isa);
            OptimizerState state = adam.newState();
            float[] theta = new float[9];
            float[] gradient = new float[9];
            Arrays.fill(gradient, 0.5f);
            for (int k = 0; k < 30; k++) {
                float before = theta[8];
                assertThat(adam.ascend(theta, gradient, state).applied()).isTrue();
                assertThat(theta[8] - (double) before)
                        .as(adam.implementation() + ", update " + k)
                        .isCloseTo(0.01 / Math.sqrt(1 + k / 10.0), within(1e-7));
            }
        }
    }

    @Test
    void shouldParseAndValidateTheLearningRateSchedule() {
        assertThat(
                        SettingNames.parse(
                                LearningRateSchedule.class,
                                " Inverse_Sqrt ",
                                "learning-rate.schedule"))
                .isEqualTo(LearningRateSchedule.INVERSE_SQRT);
        assertThat(LearningRateSchedule.INVERSE_SQRT).hasToString("inverse-sqrt");
        assertThatThrownBy(
                        () ->
                                SettingNames.parse(
                                        LearningRateSchedule.class,
                                        "cosine",
                                        "learning-rate.schedule"))
                .hasMessage(
                        "Invalid learning-rate.schedule 'cosine': expected one of constant,"
                                + " inverse-sqrt.");
        assertThatThrownBy(
                        () ->
                                OptimizerSettings.adam(0.1)
                                        .withSchedule(LearningRateSchedule.INVERSE_SQRT, 0))
                .hasMessage(
                        "Invalid value 0.0 for the learning-rate decay horizon: it must be a"
                                + " positive and finite number of updates.");
        assertThatThrownBy(() -> OptimizerSettings.adam(0.1).withSchedule(null, 1))
                .hasMessage("The learning-rate schedule must not be null.");
    }

    @Test
    void shouldRejectInvalidSettingsWithTheValueAndTheReason() {
        assertThatThrownBy(() -> OptimizerSettings.adam(-1))
                .hasMessage(
                        "Invalid value -1.0 for the learning rate: it must be positive and finite.");
        assertThatThrownBy(() -> OptimizerSettings.sgd(0.1, 1.0)).hasMessageContaining("momentum");
        assertThatThrownBy(() -> SettingNames.parse(OptimizerKind.class, "rmsprop", "optimizer"))
                .hasMessageContaining("sgd, adam");
    }
}
