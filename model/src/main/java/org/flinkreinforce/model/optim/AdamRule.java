package org.flinkreinforce.model.optim;

/**
 * Adam (Kingma and Ba 2015), ascending: with the clipped direction {@code d = (g - l2 theta) clip},
 * {@code m' = beta1 m + (1 - beta1) d}, {@code v' = beta2 v + (1 - beta2) d^2} and {@code theta' =
 * theta + rate_t (m' / c1) / (sqrt(v' / c2) + epsilon)}, where {@code c_i = 1 - beta_i^(t+1)} are
 * the bias corrections of the update that follows {@code t} applied ones and {@code rate_t} is the
 * schedule's step size ({@link OptimizerSettings#learningRate(long)}).
 *
 * <p>The per-parameter loop and the sum of squares run either in Java or, chosen at construction,
 * in the native library ({@link NativeAdam}: the same operations in the same order, so the same
 * bits). This class is the one place that reads the library's status codes: where it could not pin
 * the arrays, that step runs in Java.
 */
final class AdamRule extends UpdateRule {

    private final int nativeIsa;
    private final boolean nativeLoop;

    /**
     * @param nativeIsa the native path of the loops ({@link NativeAdam#AVX512} or {@link
     *     NativeAdam#AVX2}, one this CPU runs), or {@link NativeAdam#NONE} for the Java loops
     */
    AdamRule(OptimizerSettings settings, int size, int nativeIsa) {
        super(settings, size);
        this.nativeIsa = nativeIsa;
        this.nativeLoop = nativeIsa != NativeAdam.NONE;
    }

    @Override
    String implementation() {
        return NativeAdam.name(nativeIsa);
    }

    @Override
    double sumOfSquares(float[] gradient, float[] parameters, double l2) {
        if (nativeLoop) {
            double squares =
                    NativeAdam.squares0(nativeIsa, parameters.length, gradient, parameters, l2);
            // A sum of squares is never negative: -1 says the arrays could not be pinned.
            if (!(squares < 0)) {
                return squares;
            }
        }
        return super.sumOfSquares(gradient, parameters, l2);
    }

    @Override
    boolean propose(float[] parameters, float[] gradient, OptimizerState state, double clip) {
        if (state.second.length != parameters.length) {
            throw new IllegalArgumentException("The Adam state has no second moment.");
        }
        double beta1 = settings.beta1();
        double beta2 = settings.beta2();
        long t = state.steps + 1;
        // 1 - beta^t, also exact for beta = 0 (log 0 = -Infinity gives 1).
        double correction1 = -Math.expm1(t * Math.log(beta1));
        double correction2 = -Math.expm1(t * Math.log(beta2));
        // step = (m / c1) / (sqrt(v / c2) + eps), with the bias corrections hoisted out of the
        // loop: one square root and one division per parameter.
        double rateOverCorrection1 = settings.learningRate(state.steps) / correction1;
        double inverseSqrtCorrection2 = 1 / Math.sqrt(correction2);
        if (nativeLoop) {
            int status =
                    NativeAdam.step0(
                            nativeIsa,
                            parameters.length,
                            gradient,
                            parameters,
                            state.first,
                            state.second,
                            next.parameters,
                            next.first,
                            next.second,
                            settings.l2(),
                            clip,
                            beta1,
                            1 - beta1,
                            beta2,
                            1 - beta2,
                            rateOverCorrection1,
                            inverseSqrtCorrection2,
                            settings.epsilon());
            // 0: every value finite; 1: one is not; -1: the arrays could not be pinned, and
            // nothing was written.
            if (status >= 0) {
                return status == 0;
            }
        }
        return javaLoop(
                parameters, gradient, state, clip, rateOverCorrection1, inverseSqrtCorrection2);
    }

    /**
     * The per-parameter loop in Java into {@link #next}, with the bias corrections folded into
     * {@code rateOverCorrection1 = rate / c1} and {@code inverseSqrtCorrection2 = 1 / sqrt(c2)}.
     *
     * @return whether every value written is finite in float32
     */
    private boolean javaLoop(
            float[] parameters,
            float[] gradient,
            OptimizerState state,
            double clip,
            double rateOverCorrection1,
            double inverseSqrtCorrection2) {
        Candidate next = this.next;
        double l2 = settings.l2();
        double beta1 = settings.beta1();
        double beta2 = settings.beta2();
        double epsilon = settings.epsilon();
        float nonFinite = 0f;
        for (int k = 0; k < parameters.length; k++) {
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
            next.first[k] = first;
            next.second[k] = second;
            next.parameters[k] = parameter;
            // x * 0 is 0 for every finite x and NaN for NaN and infinities: no branch per value.
            nonFinite += first * 0f + second * 0f + parameter * 0f;
        }
        return !Float.isNaN(nonFinite);
    }
}
