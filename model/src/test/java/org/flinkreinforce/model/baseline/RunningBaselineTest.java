package org.flinkreinforce.model.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.flinkreinforce.model.util.SettingNames;
import org.junit.jupiter.api.Test;

class RunningBaselineTest {

    @Test
    void shouldUseTheBaselineFromBeforeTheEventsOwnReward() {
        RunningBaseline baseline = new RunningBaseline(BaselineSettings.DEFAULT);
        BaselineState state = new BaselineState();
        assertThat(baseline.advantageThenUpdate(state, 4.0)).isEqualTo(4.0);
        assertThat(baseline.advantageThenUpdate(state, 6.0)).isEqualTo(2.0);
        assertThat(baseline.advantageThenUpdate(state, 2.0)).isEqualTo(-3.0);
        assertThat(baseline.value(state)).isEqualTo(4.0);
    }

    @Test
    void shouldMatchTheTwoPassMeanAndVariance() {
        RunningBaseline baseline = new RunningBaseline(BaselineSettings.DEFAULT);
        BaselineState state = new BaselineState();
        Random random = new Random(2);
        double[] rewards = new double[1000];
        for (int k = 0; k < rewards.length; k++) {
            rewards[k] = 1e6 + random.nextGaussian() * 3; // a large offset tests stability
            baseline.update(state, rewards[k]);
        }
        double mean = 0;
        for (double r : rewards) {
            mean += r / rewards.length;
        }
        double squares = 0;
        for (double r : rewards) {
            squares += (r - mean) * (r - mean);
        }
        assertThat(baseline.value(state)).isCloseTo(mean, within(1e-6));
        assertThat(baseline.standardDeviation(state))
                .isCloseTo(Math.sqrt(squares / (rewards.length - 1)), within(1e-6));
    }

    @Test
    void shouldCorrectTheBiasOfTheMovingAverage() {
        RunningBaseline baseline = running(BaselineKind.EMA, false);
        BaselineState state = new BaselineState();
        baseline.update(state, 5.0);
        // Uncorrected, the average would be 0.5 after one reward of 5.
        assertThat(baseline.value(state)).isCloseTo(5.0, within(1e-12));
        baseline.update(state, 5.0);
        assertThat(baseline.value(state)).isCloseTo(5.0, within(1e-12));
        baseline.update(state, 15.0);
        // (0.81*0.1*5 + 0.9*0.1*5 + 0.1*15) / (1 - 0.729)
        assertThat(baseline.value(state)).isCloseTo((0.405 + 0.45 + 1.5) / 0.271, within(1e-12));
    }

    @Test
    void shouldNormaliseAdvantagesAndNeverDivideByAZeroVariance() {
        RunningBaseline baseline = running(BaselineKind.MEAN, true);
        BaselineState state = new BaselineState();
        for (int k = 0; k < 10; k++) {
            assertThat(baseline.advantageThenUpdate(state, 3.0)).isEqualTo(k == 0 ? 3.0 : 0.0);
        }
        // Zero variance so far: the advantage is left unscaled, finite.
        assertThat(baseline.advantage(state, 5.0)).isEqualTo(2.0);
        baseline.update(state, 5.0);
        double std = baseline.standardDeviation(state);
        assertThat(std).isGreaterThan(0);
        assertThat(baseline.advantage(state, 4.0))
                .isCloseTo((4.0 - baseline.value(state)) / std, within(1e-9));
    }

    @Test
    void shouldGiveTheRewardItselfWithoutABaseline() {
        RunningBaseline baseline = running(BaselineKind.NONE, false);
        BaselineState state = new BaselineState();
        baseline.update(state, 10);
        assertThat(baseline.advantageThenUpdate(state, 7.5)).isEqualTo(7.5);
        assertThat(state.count).isEqualTo(2);
    }

    @Test
    void shouldRejectInvalidSettings() {
        assertThatThrownBy(() -> new BaselineSettings(BaselineKind.EMA, 1.0, false, 1e-6))
                .hasMessage("Invalid value 1.0 for the EMA decay: it must lie in (0, 1).");
        assertThatThrownBy(() -> new BaselineSettings(BaselineKind.EMA, 0.9, true, 1e-6))
                .hasMessageContaining("normalisation");
        assertThatThrownBy(() -> SettingNames.parse(BaselineKind.class, "median", "baseline"))
                .hasMessageContaining("none, ema, mean");
    }

    /** A baseline of {@code kind} with EMA decay 0.9 and a minimum standard deviation of 1e-6. */
    private static RunningBaseline running(BaselineKind kind, boolean normalizeAdvantage) {
        return new RunningBaseline(new BaselineSettings(kind, 0.9, normalizeAdvantage, 1e-6));
    }
}
