package org.flinkreinforce.model.baseline;

import java.util.Objects;

/**
 * The math of a keyed running reward baseline {@code b}. The advantage of an event is {@code A = r
 * - b} with {@code b} taken <em>before</em> the event's own reward updates it: a baseline that saw
 * {@code r} depends on the action that earned it, and the estimator would be biased.
 *
 * <p>Each key's state is a {@link BaselineState}; this class is stateless and thread-safe.
 */
public final class RunningBaseline {

    private final BaselineSettings settings;

    public RunningBaseline(BaselineSettings settings) {
        this.settings = Objects.requireNonNull(settings, "The baseline settings must not be null.");
    }

    public BaselineSettings settings() {
        return settings;
    }

    /** The current baseline value; 0 before the first reward. */
    public double value(BaselineState state) {
        if (state.count == 0) {
            return 0.0;
        }
        switch (settings.kind()) {
            case NONE:
            case LINEAR:
                return 0.0;
            case EMA:
                // Bias correction: m_t accumulated only (1 - lambda^t) of the weight.
                double correction = -Math.expm1(state.count * Math.log(settings.emaDecay()));
                return state.mean / correction;
            case MEAN:
                return state.mean;
            default:
                throw new IllegalStateException("Unknown baseline kind " + settings.kind());
        }
    }

    /**
     * The unbiased sample standard deviation of the rewards ({@link BaselineKind#MEAN}), else 0.
     */
    public double standardDeviation(BaselineState state) {
        if (settings.kind() != BaselineKind.MEAN || state.count < 2) {
            return 0.0;
        }
        return Math.sqrt(Math.max(0.0, state.m2 / (state.count - 1)));
    }

    /** The advantage of {@code reward} against the current state, without updating it. */
    public double advantage(BaselineState state, double reward) {
        double advantage = reward - value(state);
        if (settings.normalizeAdvantage()) {
            double std = standardDeviation(state);
            if (std > settings.minStd() && Double.isFinite(std)) {
                advantage /= std;
            }
        }
        return advantage;
    }

    /** Folds {@code reward} into the state. */
    public void update(BaselineState state, double reward) {
        state.count++;
        switch (settings.kind()) {
            case NONE:
            case LINEAR:
                break;
            case EMA:
                double decay = settings.emaDecay();
                state.mean = decay * state.mean + (1.0 - decay) * reward;
                break;
            case MEAN:
                double delta = reward - state.mean;
                state.mean += delta / state.count;
                state.m2 += delta * (reward - state.mean);
                break;
            default:
                throw new IllegalStateException("Unknown baseline kind " + settings.kind());
        }
    }

    /** {@link #advantage} then {@link #update}: the one call the job makes per event. */
    public double advantageThenUpdate(BaselineState state, double reward) {
        double advantage = advantage(state, reward);
        update(state, reward);
        return advantage;
    }
}
