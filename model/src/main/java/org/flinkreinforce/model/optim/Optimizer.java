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

    public Optimizer(OptimizerSettings settings, int size) {
        this.settings =
                Objects.requireNonNull(settings, "The optimizer settings must not be null.");
        this.size = size;
        this.nextParameters = new float[size];
        this.nextFirst = new float[size];
        this.nextSecond = new float[settings.kind() == OptimizerKind.ADAM ? size : 0];
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
        double squares = 0;
        for (int k = 0; k < size; k++) {
            double g = gradient[k];
            if (!Double.isFinite(g)) {
                return UpdateResult.rejected(UpdateResult.NON_FINITE_GRADIENT, Double.NaN);
            }
            double direction = g - l2 * parameters[k];
            squares += direction * direction;
        }
        double norm = Math.sqrt(squares);
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
                                                / (Math.sqrt(v) * inverseSqrtCorrection2
                                                        + epsilon));
                nextFirst[k] = first;
                nextSecond[k] = second;
                nextParameters[k] = parameter;
                nonFinite += first * 0f + second * 0f + parameter * 0f;
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
}
