package org.flinkreinforce.model.optim;

import java.util.Objects;

/**
 * Gradient <em>ascent</em> with SGD (optional momentum) or Adam, global-norm clipping and an
 * optional L2 penalty, all-or-nothing: a step whose gradient, clipped direction or resulting
 * parameters or moments hold a NaN or Inf is rejected with a reason and changes nothing.
 *
 * <p>A step: the norm of the ascent direction {@code g - l2 theta} (a non-finite norm rejects the
 * step), the clipping factor, the candidate parameters and moments from the kind's {@link
 * UpdateRule} into scratch (a non-finite value rejects the step), and only then the copy over the
 * parameters and state. The rule, and with it whether Adam's loop runs in the native library, is
 * chosen once, at construction. The step size of each update follows the settings' {@link
 * LearningRateSchedule} from the number of updates already applied ({@link OptimizerState#steps}),
 * in the Java and the native loop alike.
 *
 * <p>The arithmetic runs in float64. The instance holds the scratch, so it allocates nothing per
 * step. Not thread-safe.
 */
public final class Optimizer {

    private final OptimizerSettings settings;
    private final int size;
    private final UpdateRule rule;

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
        this.rule =
                switch (settings.kind()) {
                    case SGD -> new SgdRule(settings, size);
                    case ADAM -> new AdamRule(settings, size, nativeIsa);
                };
    }

    /**
     * Where the per-parameter loop runs: {@code native-avx512} or {@code native-avx2} (Adam where
     * the native library loads on a CPU with AVX-512 or AVX2) or {@code java}. All give the same
     * bits.
     */
    public String implementation() {
        return rule.implementation();
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
        double norm = Math.sqrt(rule.sumOfSquares(gradient, parameters, settings.l2()));
        // a NaN or infinite gradient makes the sum of squares NaN or infinite
        if (!Double.isFinite(norm)) {
            return UpdateResult.rejected(UpdateResult.NON_FINITE_GRADIENT, norm);
        }
        boolean clipped = norm > settings.maxGradientNorm();
        double clip = clipped ? settings.maxGradientNorm() / norm : 1.0;
        if (!rule.propose(parameters, gradient, state, clip)) {
            return UpdateResult.rejected(UpdateResult.NON_FINITE_UPDATE, norm);
        }
        rule.next.commit(parameters, state);
        return new UpdateResult(true, null, norm, clipped);
    }
}
