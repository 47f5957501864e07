package org.flinkreinforce.model.optim;

import java.util.Objects;

/**
 * Gradient <em>ascent</em> with SGD (optional momentum) or Adam, global-norm clipping and an
 * optional L2 penalty, all-or-nothing: a step whose gradient, clipped direction or resulting
 * parameters or moments hold a NaN or Inf is rejected with a reason and changes nothing.
 *
 * <p>The arithmetic runs in float64; the candidate parameters and moments are written to scratch
 * arrays first and copied over only when every value is finite in float32. The instance holds that
 * scratch, so it allocates nothing per step. Not thread-safe.
 */
public final class Optimizer {

    private final OptimizerSettings settings;
    private final int size;
    private final float[] nextParameters;
    private final float[] nextFirst;
    private final float[] nextSecond;

    /** The native Adam path ({@code NativeAdam.AVX512} or {@code AVX2}), or {@code NONE}. */
    private final int nativeAdam;

    private final double[] partialSquares = new double[8];

    /** An optimizer whose Adam loop runs in the native library where it can (same results). */
    public Optimizer(OptimizerSettings settings, int size) {
        this(settings, size, true);
    }

    /**
     * An optimizer whose Adam loop runs in the native library only if {@code allowNative} and the
     * library can; {@code false} keeps it in Java (for tests and benchmarks: the bits are equal).
     */
    public Optimizer(OptimizerSettings settings, int size, boolean allowNative) {
        this(
                settings,
                size,
                allowNative && settings != null && settings.kind() == OptimizerKind.ADAM
                        ? NativeAdam.best()
                        : NativeAdam.NONE);
    }

    /**
     * An optimizer whose Adam loop runs native path {@code nativeIsa} ({@link NativeAdam#NONE}: the
     * Java loop), which this CPU must run: for tests of each path.
     */
    Optimizer(OptimizerSettings settings, int size, int nativeIsa) {
        this.settings =
                Objects.requireNonNull(settings, "The optimizer settings must not be null.");
        if (nativeIsa != NativeAdam.NONE
                && (nativeIsa < NativeAdam.AVX2 || nativeIsa > NativeAdam.best())) {
            throw new IllegalArgumentException(
                    "The native Adam path " + nativeIsa + " is not available here.");
        }
        this.size = size;
        this.nextParameters = new float[size];
        this.nextFirst = new float[size];
        this.nextSecond = new float[settings.kind() == OptimizerKind.ADAM ? size : 0];
        this.nativeAdam = settings.kind() == OptimizerKind.ADAM ? nativeIsa : NativeAdam.NONE;
    }

    /**
     * Where the per-parameter loop runs: {@code native-avx512} or {@code native-avx2} (Adam where
     * the native library loads on a CPU with AVX-512 or AVX2) or {@code java}. All give the same
     * bits.
     */
    public String implementation() {
        return NativeAdam.name(nativeAdam);
    }

    public OptimizerSettings settings() {
        return settings;
    }

    /** A zero state matching these settings. */
    public OptimizerState newState() {
        return OptimizerState.zeros(settings.kind(), size);
    }

    /**
     * Moves {@code parameters} up {@code gradient} and advances {@code state}, or leaves both as
     * they are and says why.
     */
    public UpdateResult ascend(float[] parameters, float[] gradient, OptimizerState state) {
        if (parameters.length != size || gradient.length != size || state.first.length != size) {
            throw new IllegalArgumentException(
                    "The optimizer was built for " + size + " parameters.");
        }
        double l2 = settings.l2();
        double squares =
                nativeAdam != NativeAdam.NONE
                        ? NativeAdam.squares0(nativeAdam, size, gradient, parameters, l2)
                        : -1;
        if (squares < 0) {
            // the Java sum, where the native one is not available
            squares = squares(gradient, parameters, l2);
        }
        double norm = Math.sqrt(squares);
        // a NaN or infinite gradient makes the sum of squares NaN or infinite
        if (!Double.isFinite(norm)) {
            return UpdateResult.rejected(UpdateResult.NON_FINITE_GRADIENT, norm);
        }
        boolean clipped = norm > settings.maxGradientNorm();
        double clip = clipped ? settings.maxGradientNorm() / norm : 1.0;
        double rate = settings.learningRate();
        float nonFinite = 0f;

        if (settings.kind() == OptimizerKind.SGD) {
            double momentum = settings.momentum();
            for (int k = 0; k < size; k++) {
                double direction = (gradient[k] - l2 * parameters[k]) * clip;
                double velocity = momentum * state.first[k] + direction;
                float first = (float) velocity;
                float parameter = (float) (parameters[k] + rate * velocity);
                nextFirst[k] = first;
                nextParameters[k] = parameter;
                nonFinite += first * 0f + parameter * 0f;
            }
        } else {
            if (state.second.length != size) {
                throw new IllegalArgumentException("The Adam state has no second moment.");
            }
            double beta1 = settings.beta1();
            double beta2 = settings.beta2();
            long t = state.steps + 1;
            // 1 - beta^t, also exact for beta = 0 (log 0 = -Infinity gives 1).
            double correction1 = -Math.expm1(t * Math.log(beta1));
            double correction2 = -Math.expm1(t * Math.log(beta2));
            double epsilon = settings.epsilon();
            // step = (m / c1) / (sqrt(v / c2) + eps), with the bias corrections hoisted out of
            // the loop: one square root and one division per parameter.
            double rateOverCorrection1 = rate / correction1;
            double inverseSqrtCorrection2 = 1 / Math.sqrt(correction2);
            int status =
                    nativeAdam != NativeAdam.NONE
                            ? NativeAdam.step0(
                                    nativeAdam,
                                    size,
                                    gradient,
                                    parameters,
                                    state.first,
                                    state.second,
                                    nextParameters,
                                    nextFirst,
                                    nextSecond,
                                    l2,
                                    clip,
                                    beta1,
                                    1 - beta1,
                                    beta2,
                                    1 - beta2,
                                    rateOverCorrection1,
                                    inverseSqrtCorrection2,
                                    epsilon)
                            : -1;
            if (status >= 0) {
                nonFinite = status == 0 ? 0f : Float.NaN;
            } else {
                // the Java loop, where the native one is not available
                nonFinite =
                        adamLoop(
                                parameters,
                                gradient,
                                state,
                                l2,
                                clip,
                                rateOverCorrection1,
                                inverseSqrtCorrection2);
            }
        }

        // x * 0 is 0 for every finite x and NaN for NaN and infinities: one branch-free pass.
        if (Float.isNaN(nonFinite)) {
            return UpdateResult.rejected(UpdateResult.NON_FINITE_UPDATE, norm);
        }
        System.arraycopy(nextParameters, 0, parameters, 0, size);
        System.arraycopy(nextFirst, 0, state.first, 0, size);
        System.arraycopy(nextSecond, 0, state.second, 0, nextSecond.length);
        state.steps++;
        return new UpdateResult(true, null, norm, clipped);
    }

    /** Adam's per-parameter loop into the scratch arrays; returns NaN if a result is not finite. */
    private float adamLoop(
            float[] parameters,
            float[] gradient,
            OptimizerState state,
            double l2,
            double clip,
            double rateOverCorrection1,
            double inverseSqrtCorrection2) {
        double beta1 = settings.beta1();
        double beta2 = settings.beta2();
        double epsilon = settings.epsilon();
        float nonFinite = 0f;
        for (int k = 0; k < size; k++) {
            double direction = (gradient[k] - l2 * parameters[k]) * clip;
            double m = beta1 * state.first[k] + (1 - beta1) * direction;
            double v = beta2 * state.second[k] + (1 - beta2) * direction * direction;
            float first = (float) m;
            float second = (float) v;
            float parameter =
                    (float)
                            (parameters[k]
                                    + rateOverCorrection1
                                            * m
                                            / (Math.sqrt(v) * inverseSqrtCorrection2 + epsilon));
            nextFirst[k] = first;
            nextSecond[k] = second;
            nextParameters[k] = parameter;
            nonFinite += first * 0f + second * 0f + parameter * 0f;
        }
        return nonFinite;
    }

    /**
     * {@code sum_k (g_k - l2 theta_k)^2} in float64 as eight interleaved partial sums (parameter
     * {@code k} in sum {@code k mod 8}), added pairwise at the end: eight independent chains of
     * additions instead of one, and the order the native loop uses, so both give the same bits.
     */
    private double squares(float[] gradient, float[] parameters, double l2) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int k = 0;
        for (; k + 8 <= size; k += 8) {
            double d0 = gradient[k] - l2 * parameters[k];
            double d1 = gradient[k + 1] - l2 * parameters[k + 1];
            double d2 = gradient[k + 2] - l2 * parameters[k + 2];
            double d3 = gradient[k + 3] - l2 * parameters[k + 3];
            double d4 = gradient[k + 4] - l2 * parameters[k + 4];
            double d5 = gradient[k + 5] - l2 * parameters[k + 5];
            double d6 = gradient[k + 6] - l2 * parameters[k + 6];
            double d7 = gradient[k + 7] - l2 * parameters[k + 7];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
            s4 += d4 * d4;
            s5 += d5 * d5;
            s6 += d6 * d6;
            s7 += d7 * d7;
        }
        double[] lanes = partialSquares;
        lanes[0] = s0;
        lanes[1] = s1;
        lanes[2] = s2;
        lanes[3] = s3;
        lanes[4] = s4;
        lanes[5] = s5;
        lanes[6] = s6;
        lanes[7] = s7;
        for (; k < size; k++) {
            double d = gradient[k] - l2 * parameters[k];
            lanes[k & 7] += d * d;
        }
        return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
                + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    }
}
