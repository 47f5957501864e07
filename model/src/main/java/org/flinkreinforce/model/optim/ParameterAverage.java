package org.flinkreinforce.model.optim;

import java.util.Objects;

/**
 * An average of the optimizer's iterates to publish in place of the last one, while the optimizer
 * keeps stepping from its own iterate. Averaging the iterates of a stochastic-gradient method
 * (Polyak and Juditsky 1992; Ruppert 1988) cancels much of the noise of the last steps.
 *
 * <p>With {@code theta_s} the iterate after update {@code s} and the iterates of updates {@code
 * start, start + 1, ...} averaged, the {@code n}-th averaged iterate {@code x_n} updates the
 * average {@code a}:
 *
 * <ul>
 *   <li>{@link AverageKind#POLYAK}: {@code a_n = (1/n) sum_{j<=n} x_j}, as {@code a_n = a_{n-1} +
 *       (x_n - a_{n-1}) / n};
 *   <li>{@link AverageKind#EMA}: {@code a_n = (1 - delta) sum_{j<=n} delta^(n-j) x_j / (1 -
 *       delta^n)}, the moving average bias-corrected as in Adam, kept corrected as {@code a_n =
 *       a_{n-1} + (x_n - a_{n-1}) (1 - delta) / (1 - delta^n)};
 *   <li>{@link AverageKind#POLY}: polynomial-decay averaging (Shamir and Zhang 2013), {@code a_n =
 *       a_{n-1} + w_n (x_n - a_{n-1})} with {@code w_n = max((eta + 1) / (n + eta), 1 - delta)},
 *       {@code eta = 3}: a weighted average that forgets the early iterates (about the last quarter
 *       of the iterates carry most of the weight), becoming an exponential moving average with
 *       decay {@code delta} after about {@code (eta + 1) / (1 - delta)} iterates;
 *   <li>{@link AverageKind#NONE}: nothing; the iterate itself is published.
 * </ul>
 *
 * <p>Both averages are {@code a_n = a_{n-1} + w_n (x_n - a_{n-1})} with {@code w_1 = 1} and {@code
 * w_n} in (0, 1]: each new average is a convex combination of the last average and the iterate, so
 * it stays within the range of the averaged iterates, and finite iterates (all that {@link
 * Optimizer} ever commits) give a finite average. Before the first averaged iterate, the iterate
 * itself is published. The weight is computed in float64; each element's update is two float32
 * fused multiply-adds, {@code w x + (1 - w) a}, which vectorise.
 *
 * <p>The state is an {@link AverageState}; this class holds only the settings and allocates nothing
 * per call. A state belongs to one run of the optimizer's step count: start a new one with a new
 * {@link OptimizerState}.
 */
public final class ParameterAverage {

    /**
     * {@code eta} of {@link AverageKind#POLY}: the weight of the {@code n}-th iterate decays as
     * 4/(n+3).
     */
    static final double POLY_ETA = 3;

    private final AverageSettings settings;
    private final int size;

    public ParameterAverage(AverageSettings settings, int size) {
        this.settings =
                Objects.requireNonNull(
                        settings, "The parameter average settings must not be null.");
        if (size < 0) {
            throw new IllegalArgumentException("The parameter count must not be negative: " + size);
        }
        this.size = size;
    }

    public AverageSettings settings() {
        return settings;
    }

    /** A state that has averaged nothing yet. */
    public AverageState newState() {
        return new AverageState(new float[stateSize()], 0, 0);
    }

    /**
     * Whether {@code state} can carry on under these settings: it exists and holds an average of
     * this size (none at all for {@link AverageKind#NONE}). A restored state that does not fit is
     * replaced by a {@link #newState()}.
     */
    public boolean fits(AverageState state) {
        return state != null && state.average != null && state.average.length == stateSize();
    }

    private int stateSize() {
        return settings.kind() == AverageKind.NONE ? 0 : size;
    }

    /**
     * Folds {@code iterate}, the parameters after {@code step} applied updates, into the average if
     * the kind averages, {@code step} is at least {@code start} and later than the last step
     * averaged; otherwise changes nothing. Calling it after every {@link Optimizer#ascend} is safe:
     * a rejected update leaves the step count, and its iterate is not counted twice.
     *
     * @param iterate the optimizer's parameters, finite; read only
     * @param step {@link OptimizerState#steps} after the update
     */
    public void observe(float[] iterate, long step, AverageState state) {
        if (settings.kind() == AverageKind.NONE || step < settings.start() || step <= state.step) {
            return;
        }
        float[] average = checkedAverage(iterate, state);
        long count = state.count + 1;
        state.count = count;
        state.step = step;
        if (count == 1) {
            System.arraycopy(iterate, 0, average, 0, size);
            return;
        }
        float weight = (float) weight(count);
        for (int k = 0; k < size; k++) {
            // w x + (1 - w) a: no difference x - a that could overflow
            float a = average[k];
            average[k] = Math.fma(weight, iterate[k], Math.fma(-weight, a, a));
        }
    }

    /**
     * Writes the vector to publish into {@code out}: the average, or {@code iterate} while nothing
     * has been averaged (always for {@link AverageKind#NONE}).
     */
    public void publish(float[] iterate, AverageState state, float[] out) {
        if (iterate.length != size || out.length != size) {
            throw new IllegalArgumentException(
                    "The parameter average was built for " + size + " parameters.");
        }
        float[] source = state.count == 0 ? iterate : checkedAverage(iterate, state);
        System.arraycopy(source, 0, out, 0, size);
    }

    /**
     * The weight {@code w_n} of the {@code n}-th averaged iterate, {@code n >= 2}: {@code 1/n},
     * {@code max((eta + 1) / (n + eta), 1 - delta)}, or {@code (1 - delta) / (1 - delta^n)}.
     */
    private double weight(long count) {
        if (settings.kind() == AverageKind.POLYAK) {
            return 1.0 / count;
        }
        if (settings.kind() == AverageKind.POLY) {
            return Math.max((POLY_ETA + 1) / (count + POLY_ETA), 1 - settings.decay());
        }
        double decay = settings.decay();
        // 1 - delta^n as in Adam's bias correction: accurate where delta^n is close to 1
        return (1 - decay) / -Math.expm1(count * Math.log(decay));
    }

    private float[] checkedAverage(float[] iterate, AverageState state) {
        if (iterate.length != size || state.average.length != size) {
            throw new IllegalArgumentException(
                    "The parameter average was built for " + size + " parameters.");
        }
        return state.average;
    }
}
