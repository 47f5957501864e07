package org.flinkreinforce.model.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

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
    void shouldRejectInvalidSettingsWithTheValueAndTheReason() {
        assertThatThrownBy(() -> OptimizerSettings.adam(-1))
                .hasMessage(
                        "Invalid value -1.0 for the learning rate: it must be positive and finite.");
        assertThatThrownBy(() -> OptimizerSettings.sgd(0.1, 1.0)).hasMessageContaining("momentum");
        assertThatThrownBy(() -> OptimizerKind.parse("rmsprop")).hasMessageContaining("sgd, adam");
    }
}
