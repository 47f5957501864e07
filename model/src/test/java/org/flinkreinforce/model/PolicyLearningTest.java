package org.flinkreinforce.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.function.Function;
import org.flinkreinforce.model.baseline.BaselineSettings;
import org.flinkreinforce.model.baseline.BaselineState;
import org.flinkreinforce.model.baseline.RunningBaseline;
import org.flinkreinforce.model.kernel.GradientKernels;
import org.flinkreinforce.model.kernel.KernelChoice;
import org.flinkreinforce.model.optim.Optimizer;
import org.flinkreinforce.model.optim.OptimizerSettings;
import org.flinkreinforce.model.optim.OptimizerState;
import org.junit.jupiter.api.Test;

/** The model's parts together, as the learner job runs them, learn a policy. */
class PolicyLearningTest {

    private static final int BATCH_SIZE = 32;

    @Test
    void shouldLearnMostOfTheWayFromUniformToTheOptimalContextualPolicy() {
        ContextualBandit bandit = ContextualBandit.small(0.5, 10.0);
        PolicyParameters parameters = PolicyParameters.zeros(bandit.spec());
        double uniform = bandit.expectedReward(new SoftmaxPolicy(parameters));

        Random random = new Random(1);
        learn(parameters, EstimatorSettings.DEFAULT, 300, policy -> bandit.play(policy, random));

        double learned = bandit.expectedReward(new SoftmaxPolicy(parameters));
        double optimal = bandit.optimalReward();
        double progress = (learned - uniform) / (optimal - uniform);
        System.out.printf(
                "Bandit: uniform %.3f, learned %.3f, optimal %.3f (%.0f%% of the way)%n",
                uniform, learned, optimal, 100 * progress);
        assertThat(progress).isGreaterThan(0.9);
        assertThat(parameters.version()).isEqualTo(300);
    }

    @Test
    void shouldConcentrateANasControllerOnTheBestArchitecture() {
        PolicySpec spec = PolicySpec.parse("nas:0:6,6,4,4");
        int[] best = {4, 1, 3, 0};
        PolicyParameters parameters = PolicyParameters.zeros(spec);
        Random random = new Random(2);
        // A synthetic validation accuracy: 0.6 plus 0.08 per decision matching the best.
        learn(
                parameters,
                new EstimatorSettings(10, 0.001),
                400,
                policy -> {
                    SoftmaxPolicy.Decision decision = policy.sample(new float[0], random);
                    double accuracy = 0.6 + 0.01 * random.nextGaussian();
                    for (int h = 0; h < best.length; h++) {
                        accuracy += decision.actions()[h] == best[h] ? 0.08 : 0.0;
                    }
                    return new ContextualBandit.Round(
                            new float[0], decision.actions(), accuracy, MicroBatch.ON_POLICY);
                });
        SoftmaxPolicy policy = new SoftmaxPolicy(parameters);
        double probabilityOfBest = policy.probability(new float[0], best);
        System.out.printf(
                "NAS controller: probability of the best architecture %.3f (uniform %.4f)%n",
                probabilityOfBest, 1.0 / (6 * 6 * 4 * 4));
        assertThat(probabilityOfBest).isGreaterThan(0.8);
        assertThat(policy.greedy(new float[0])).containsExactly(best);
    }

    /**
     * Learns as the learner job does, from {@code steps} batches of {@link #BATCH_SIZE} rounds that
     * {@code play} answers the policy's decisions with: a running-mean baseline, Adam at 0.05, one
     * version per applied update.
     */
    private static void learn(
            PolicyParameters parameters,
            EstimatorSettings estimatorSettings,
            int steps,
            Function<SoftmaxPolicy, ContextualBandit.Round> play) {
        PolicySpec spec = parameters.spec();
        SoftmaxPolicy policy = new SoftmaxPolicy(parameters);
        RunningBaseline baseline = new RunningBaseline(BaselineSettings.DEFAULT);
        BaselineState state = new BaselineState();
        MicroBatch batch = new MicroBatch(spec, BATCH_SIZE);
        ReinforceEstimator estimator =
                new ReinforceEstimator(
                        spec,
                        BATCH_SIZE,
                        estimatorSettings,
                        GradientKernels.create(KernelChoice.AUTO));
        Optimizer optimizer = new Optimizer(OptimizerSettings.adam(0.05), spec.parameterCount());
        OptimizerState optimizerState = optimizer.newState();
        float[] gradient = new float[spec.parameterCount()];
        for (int step = 0; step < steps; step++) {
            batch.clear();
            for (int i = 0; i < BATCH_SIZE; i++) {
                ContextualBandit.Round round = play.apply(policy);
                round.addTo(
                        batch,
                        baseline.advantageThenUpdate(state, round.reward()),
                        round.propensity());
            }
            estimator.estimate(parameters, batch, gradient);
            if (optimizer.ascend(parameters.values(), gradient, optimizerState).applied()) {
                parameters.setVersion(parameters.version() + 1);
            }
        }
    }
}
