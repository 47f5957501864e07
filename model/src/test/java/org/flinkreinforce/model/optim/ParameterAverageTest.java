package org.flinkreinforce.model.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.flinkreinforce.model.util.Allocations;
import org.flinkreinforce.model.util.SettingNames;
import org.junit.jupiter.api.Test;

class ParameterAverageTest {

    /** Float32 storage of an average of values of order 1. */
    private static final float FLOAT_TOLERANCE = 1e-6f;

    @Test
    void shouldWeighIterateNOfPolyByFourOverNPlusThreeUntilTheEmaFloor() {
        ParameterAverage average = new ParameterAverage(AverageSettings.poly(0.5), 1);
        AverageState state = average.newState();
        float[] out = new float[1];
        // w_1 = 1, w_2 = max(4/5, 1/2), w_3 = max(4/6, 1/2), w_4 = max(4/7, 1/2), w_5 = 1/2.
        double expected = 0;
        double[] weights = {1, 4.0 / 5, 4.0 / 6, 4.0 / 7, 0.5, 0.5};
        for (int step = 1; step <= weights.length; step++) {
            float iterate = step * step;
            average.observe(new float[] {iterate}, step, state);
            expected += weights[step - 1] * (iterate - expected);
            average.publish(new float[] {iterate}, state, out);
            assertThat(out[0]).as("after step %d", step).isCloseTo((float) expected, within(1e-5f));
        }
    }

    @Test
    void shouldPublishTheArithmeticMeanOfThePolyakIterates() {
        ParameterAverage polyak = new ParameterAverage(AverageSettings.polyak(1), 2);
        AverageState state = polyak.newState();
        float[] out = new float[2];
        float[][] iterates = {{1f, -4f}, {2f, 0f}, {3f, 1f}, {6f, 7f}};
        float[][] means = {{1f, -4f}, {1.5f, -2f}, {2f, -1f}, {3f, 1f}};
        for (int s = 0; s < iterates.length; s++) {
            polyak.observe(iterates[s], s + 1, state);
            polyak.publish(iterates[s], state, out);
            // within a float's rounding: 1/3 has no exact float
            assertThat(out).as("after update " + (s + 1)).containsExactly(means[s], within(1e-6f));
        }
        assertThat(state.count).isEqualTo(4);
        assertThat(state.step).isEqualTo(4);
    }

    @Test
    void shouldMatchTheArithmeticMeanOfRandomIterates() {
        Random random = new Random(3);
        int size = 7;
        ParameterAverage polyak = new ParameterAverage(AverageSettings.polyak(1), size);
        AverageState state = polyak.newState();
        double[] sums = new double[size];
        float[] iterate = new float[size];
        int steps = 500;
        for (int s = 1; s <= steps; s++) {
            for (int k = 0; k < size; k++) {
                iterate[k] = (float) random.nextGaussian();
                sums[k] += iterate[k];
            }
            polyak.observe(iterate, s, state);
        }
        float[] out = new float[size];
        polyak.publish(iterate, state, out);
        for (int k = 0; k < size; k++) {
            assertThat(out[k]).isCloseTo((float) (sums[k] / steps), within(FLOAT_TOLERANCE));
        }
    }

    @Test
    void shouldBiasCorrectTheMovingAverage() {
        // delta = 0.5 and iterates 1, 3, 7: the moving average m_t is 0.5, 1.75, 4.375 and 1 -
        // delta^t is 0.5, 0.75, 0.875, so the published averages are 1, 7/3 and 5.
        ParameterAverage ema = new ParameterAverage(AverageSettings.ema(0.5), 1);
        AverageState state = ema.newState();
        float[] out = new float[1];
        float[] iterates = {1f, 3f, 7f};
        double[] expected = {1, 7.0 / 3, 5};
        for (int s = 0; s < iterates.length; s++) {
            float[] iterate = {iterates[s]};
            ema.observe(iterate, s + 1, state);
            ema.publish(iterate, state, out);
            assertThat((double) out[0]).isCloseTo(expected[s], within(1e-6));
        }
    }

    @Test
    void shouldMatchTheDefinitionOfTheBiasCorrectedMovingAverage() {
        double decay = 0.9;
        ParameterAverage ema = new ParameterAverage(AverageSettings.ema(decay), 1);
        AverageState state = ema.newState();
        Random random = new Random(5);
        double biased = 0;
        float[] iterate = new float[1];
        float[] out = new float[1];
        for (int t = 1; t <= 100; t++) {
            iterate[0] = (float) random.nextGaussian();
            biased = decay * biased + (1 - decay) * iterate[0];
            ema.observe(iterate, t, state);
            ema.publish(iterate, state, out);
            assertThat(out[0])
                    .as("update " + t)
                    .isCloseTo((float) (biased / (1 - Math.pow(decay, t))), within(1e-5f));
        }
    }

    @Test
    void shouldPublishTheIterateItselfBeforeTheFirstAveragedUpdate() {
        ParameterAverage polyak = new ParameterAverage(AverageSettings.polyak(3), 1);
        AverageState state = polyak.newState();
        float[] out = new float[1];
        for (int s = 1; s <= 2; s++) {
            float[] iterate = {10f * s};
            polyak.observe(iterate, s, state);
            polyak.publish(iterate, state, out);
            assertThat(out[0]).isEqualTo(10f * s);
        }
        polyak.observe(new float[] {30f}, 3, state);
        polyak.observe(new float[] {50f}, 4, state);
        polyak.publish(new float[] {50f}, state, out);
        assertThat(out[0]).isEqualTo(40f);
        assertThat(state.count).isEqualTo(2);
    }

    @Test
    void shouldNotCountTheIterateOfARejectedUpdateTwice() {
        ParameterAverage polyak = new ParameterAverage(AverageSettings.polyak(1), 1);
        AverageState state = polyak.newState();
        polyak.observe(new float[] {2f}, 1, state);
        polyak.observe(new float[] {4f}, 2, state);
        // the update after step 2 was rejected: the same iterate with the same step count
        polyak.observe(new float[] {4f}, 2, state);
        float[] out = new float[1];
        polyak.publish(new float[] {4f}, state, out);
        assertThat(out[0]).isEqualTo(3f);
        assertThat(state.count).isEqualTo(2);
    }

    @Test
    void shouldPublishTheIterateWithoutAnAverage() {
        ParameterAverage none = new ParameterAverage(AverageSettings.NONE, 2);
        AverageState state = none.newState();
        assertThat(state.average).isEmpty();
        none.observe(new float[] {1f, 2f}, 1, state);
        float[] out = new float[2];
        none.publish(new float[] {3f, 4f}, state, out);
        assertThat(out).containsExactly(3f, 4f);
        assertThat(state.count).isZero();
    }

    @Test
    void shouldStayFiniteForTheLargestFiniteIterates() {
        for (AverageSettings settings :
                new AverageSettings[] {AverageSettings.polyak(1), AverageSettings.ema(0.3)}) {
            ParameterAverage average = new ParameterAverage(settings, 2);
            AverageState state = average.newState();
            float[] out = new float[2];
            for (int s = 1; s <= 50; s++) {
                float sign = s % 3 == 0 ? -1f : 1f;
                float[] iterate = {sign * Float.MAX_VALUE, Float.MAX_VALUE};
                average.observe(iterate, s, state);
                average.publish(iterate, state, out);
                assertThat(Float.isFinite(out[0]) && Float.isFinite(out[1]))
                        .as(settings + ", update " + s)
                        .isTrue();
                assertThat(out[1]).isEqualTo(Float.MAX_VALUE);
            }
        }
    }

    @Test
    void shouldAllocateNothingPerUpdate() {
        int size = 100;
        for (AverageSettings settings :
                new AverageSettings[] {AverageSettings.polyak(1), AverageSettings.ema(0.99)}) {
            ParameterAverage average = new ParameterAverage(settings, size);
            AverageState state = average.newState();
            float[] iterate = new float[size];
            float[] out = new float[size];
            long[] step = {0};
            Runnable update =
                    () -> {
                        iterate[(int) (step[0] % size)] += 1f;
                        average.observe(iterate, ++step[0], state);
                        average.publish(iterate, state, out);
                    };
            assertThat(Allocations.bytesPerCall(update, 1000)).as(settings.toString()).isZero();
        }
    }

    @Test
    void shouldRejectInvalidSettingsAndSizes() {
        assertThatThrownBy(() -> AverageSettings.polyak(0))
                .hasMessage(
                        "Invalid value 0 for the first averaged update: it must be at least 1.");
        assertThatThrownBy(() -> AverageSettings.ema(1.0))
                .hasMessage(
                        "Invalid value 1.0 for the parameter average decay: it must lie in (0, 1).");
        assertThatThrownBy(() -> SettingNames.parse(AverageKind.class, "tail", "average"))
                .hasMessage("Invalid average 'tail': expected one of none, polyak, ema, poly.");
        assertThat(SettingNames.parse(AverageKind.class, "EMA", "average"))
                .isEqualTo(AverageKind.EMA);
        ParameterAverage average = new ParameterAverage(AverageSettings.ema(0.9), 2);
        AverageState state = average.newState();
        assertThatThrownBy(() -> average.observe(new float[3], 1, state))
                .hasMessage("The parameter average was built for 2 parameters.");
        assertThatThrownBy(() -> average.publish(new float[2], state, new float[1]))
                .hasMessage("The parameter average was built for 2 parameters.");
    }
}
