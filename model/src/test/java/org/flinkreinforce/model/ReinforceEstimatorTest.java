package org.flinkreinforce.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.flinkreinforce.model.baseline.BaselineKind;
import org.flinkreinforce.model.baseline.BaselineSettings;
import org.flinkreinforce.model.baseline.BaselineState;
import org.flinkreinforce.model.baseline.RunningBaseline;
import org.flinkreinforce.model.kernel.GradientKernel;
import org.flinkreinforce.model.kernel.GradientKernels;
import org.flinkreinforce.model.kernel.KernelChoice;
import org.junit.jupiter.api.Test;

class ReinforceEstimatorTest {

    /**
     * Two-sided per-coordinate bound in standard errors. With the 12 coordinates of the bandit
     * policy, a correct estimator passes with probability above 99.99% (Bonferroni).
     */
    private static final double Z_BOUND = 4.5;

    private static final double UNCAPPED = Double.POSITIVE_INFINITY;

    /** The bandit whose exact gradient the estimates are tested against. */
    private static final ContextualBandit BANDIT = ContextualBandit.small(0.5, 0.0);

    /** Draws that stand for an exact all-action term: as many as the head may have actions. */
    private static final int EXACT = Integer.MAX_VALUE;

    private final GradientKernel kernel = GradientKernels.create(KernelChoice.AUTO);

    @Test
    void shouldReproduceTheSeedFormulaOnHandComputedNumbers() {
        // softmax(1, 2, 3) = (0.0900306, 0.2447285, 0.6652410); advantage 1.5 - 0.5 = 1.
        // softmax(0, 0) = (0.5, 0.5); advantage 0 - 0.5 = -0.5.
        double[][] gradient =
                reinforceGradient(
                        new double[][] {{1, 2, 3}, {0, 0}},
                        new int[] {2, 0},
                        new double[] {1.5, 0.0},
                        0.5);
        assertThat(gradient[0][0]).isCloseTo(-0.0900306, within(1e-7));
        assertThat(gradient[0][1]).isCloseTo(-0.2447285, within(1e-7));
        assertThat(gradient[0][2]).isCloseTo(0.3347590, within(1e-7));
        assertThat(gradient[1][0]).isCloseTo(-0.25, within(1e-12));
        assertThat(gradient[1][1]).isCloseTo(0.25, within(1e-12));

        // The estimator gives the same numbers as the bias gradient of a context-free head.
        PolicySpec spec = new PolicySpec("seed", 0, 3);
        PolicyParameters parameters = new PolicyParameters(spec, new float[] {1f, 2f, 3f}, 0);
        MicroBatch batch = new MicroBatch(spec, 1);
        batch.add(new float[0], new int[] {2}, 1.5f, 1.0f, MicroBatch.ON_POLICY);
        float[] estimated = new float[3];
        new ReinforceEstimator(spec, 1, EstimatorSettings.DEFAULT, kernel)
                .estimate(parameters, batch, estimated);
        assertThat(estimated[0]).isCloseTo(-0.0900306f, within(1e-6f));
        assertThat(estimated[1]).isCloseTo(-0.2447285f, within(1e-6f));
        assertThat(estimated[2]).isCloseTo(0.3347590f, within(1e-6f));
    }

    @Test
    void shouldMatchFiniteDifferencesOfTheImportanceWeightedSurrogate() {
        PolicySpec spec = new PolicySpec("fd", 4, 3, 5);
        Random random = new Random(7);
        PolicyParameters parameters = PolicyParameters.gaussian(spec, 0.7, random);
        int batchSize = 6;
        MicroBatch batch = new MicroBatch(spec, batchSize);
        for (int i = 0; i < batchSize; i++) {
            float[] x = new float[4];
            for (int j = 0; j < 4; j++) {
                x[j] = (float) random.nextGaussian();
            }
            int[] actions = {random.nextInt(3), random.nextInt(5)};
            double propensity = i % 2 == 0 ? MicroBatch.ON_POLICY : 0.02f + 0.1f * i;
            batch.add(
                    x,
                    actions,
                    (float) random.nextGaussian(),
                    (float) random.nextGaussian(),
                    propensity);
        }
        double cap = 3.0;
        double beta = 0.05;
        float[] gradient = new float[spec.parameterCount()];
        new ReinforceEstimator(spec, batchSize, new EstimatorSettings(cap, beta), kernel)
                .estimate(parameters, batch, gradient);

        double[] theta = new double[spec.parameterCount()];
        for (int k = 0; k < theta.length; k++) {
            theta[k] = parameters.values()[k];
        }
        // The importance weights are constants of the surrogate (no gradient flows through them).
        double[] coefficients = new double[batchSize];
        for (int i = 0; i < batchSize; i++) {
            double weight = 1;
            double mu = batch.propensities()[i];
            if (!Double.isNaN(mu)) {
                weight = Math.min(Math.exp(logPolicy(spec, theta, batch, i)) / mu, cap);
            }
            coefficients[i] = weight * batch.advantages()[i];
        }
        double step = 1e-5;
        for (int k = 0; k < theta.length; k++) {
            double saved = theta[k];
            theta[k] = saved + step;
            double up = surrogate(spec, theta, batch, coefficients, beta);
            theta[k] = saved - step;
            double down = surrogate(spec, theta, batch, coefficients, beta);
            theta[k] = saved;
            double numeric = (up - down) / (2 * step);
            assertThat((double) gradient[k])
                    .as("parameter %d", k)
                    .isCloseTo(numeric, within(1e-4 + 1e-4 * Math.abs(numeric)));
        }
    }

    @Test
    void shouldEstimateTheExactGradientWithoutBiasAndCatchBrokenVariants() {
        PolicyParameters parameters = PolicyParameters.gaussian(BANDIT.spec(), 0.5, new Random(11));
        double[] exact = BANDIT.exactGradient(new SoftmaxPolicy(parameters));
        BaselineSettings ema = new BaselineSettings(BaselineKind.EMA, 0.5, false, 1e-6);

        // The test rejects an estimator with the wrong sign, and one whose baseline already saw the
        // reward it is subtracted from.
        assertCaught(
                "against the exact gradient",
                maxZ(exact, parameters, null, ema, Variant.CORRECT, 12),
                new Broken(
                        "wrong sign", maxZ(exact, parameters, null, ema, Variant.WRONG_SIGN, 12)),
                new Broken(
                        "baseline after update",
                        maxZ(exact, parameters, null, ema, Variant.BASELINE_AFTER_UPDATE, 12)));
    }

    /**
     * A target policy (parameters N(0, 0.6^2), seed {@code seed}), the behaviour that logged the
     * events (N(0, 0.4^2), seed {@code seed + 1}), and the target's exact gradient on the bandit.
     */
    private record OffPolicy(PolicyParameters target, SoftmaxPolicy behaviour, double[] exact) {
        static OffPolicy seeded(long seed) {
            PolicyParameters target =
                    PolicyParameters.gaussian(BANDIT.spec(), 0.6, new Random(seed));
            SoftmaxPolicy behaviour =
                    new SoftmaxPolicy(
                            PolicyParameters.gaussian(BANDIT.spec(), 0.4, new Random(seed + 1)));
            return new OffPolicy(
                    target, behaviour, BANDIT.exactGradient(new SoftmaxPolicy(target)));
        }
    }

    @Test
    void shouldEstimateTheOnPolicyGradientFromAnotherPolicysLoggedEvents() {
        OffPolicy s = OffPolicy.seeded(5);
        BaselineSettings mean = BaselineSettings.DEFAULT;

        // Without the importance weights the same events estimate the behaviour's gradient.
        assertCaught(
                "against the on-policy gradient, importance-weighted",
                maxZ(s.exact(), s.target(), s.behaviour(), mean, Variant.CORRECT, 13),
                new Broken(
                        "unweighted",
                        maxZ(
                                s.exact(),
                                s.target(),
                                s.behaviour(),
                                mean,
                                Variant.IGNORE_PROPENSITY,
                                13)));
    }

    @Test
    void shouldCutTheVarianceOfTheEstimateWithARunningBaseline() {
        ContextualBandit bandit = ContextualBandit.small(0.5, 100.0);
        PolicyParameters parameters = PolicyParameters.gaussian(bandit.spec(), 0.5, new Random(3));
        BaselineSettings none = new BaselineSettings(BaselineKind.NONE, 0.5, false, 1e-6);
        Estimate withoutBaseline =
                estimate(bandit, parameters, null, none, Variant.CORRECT, 17, 4000, 1);
        Estimate withBaseline =
                estimate(
                        bandit,
                        parameters,
                        null,
                        BaselineSettings.DEFAULT,
                        Variant.CORRECT,
                        17,
                        4000,
                        1);
        assertVarianceCut(
                "REINFORCE without a baseline over the running mean at reward offset 100",
                withoutBaseline,
                withBaseline,
                100.0);
    }

    @Test
    void shouldEstimateTheExactGradientDoublyRobustlyWithAnyRewardModel() {
        OffPolicy setting = OffPolicy.seeded(21);
        PolicyParameters target = setting.target();
        SoftmaxPolicy behaviour = setting.behaviour();
        double[] exact = setting.exact();
        // A reward model far from the truth: unbiasedness must not depend on it.
        RewardModel wrong = RewardModel.zeros(BANDIT.spec());
        Random random = new Random(23);
        for (int k = 0; k < wrong.weights.length; k++) {
            wrong.weights[k] = (float) (2 * random.nextGaussian());
        }

        // The reward model's term alone is biased by the model's error; a sign error is caught as
        // for REINFORCE.
        assertCaught(
                "of the doubly robust estimate against the exact gradient",
                doublyRobust(BANDIT, target, behaviour, wrong, DoublyRobust.CORRECT, 24)
                        .maxZ(exact),
                new Broken(
                        "without the correction term",
                        doublyRobust(
                                        BANDIT,
                                        target,
                                        behaviour,
                                        wrong,
                                        DoublyRobust.NO_CORRECTION,
                                        24)
                                .maxZ(exact)),
                new Broken(
                        "wrong sign",
                        doublyRobust(BANDIT, target, behaviour, wrong, DoublyRobust.WRONG_SIGN, 24)
                                .maxZ(exact)));
    }

    @Test
    void shouldCutTheVarianceBelowTheRunningBaselinesWithAGoodRewardModel() {
        // Rewards that differ by action far more than their noise: where the model pays off.
        ContextualBandit bandit = ContextualBandit.small(0.1, 0.0);
        PolicyParameters target = PolicyParameters.gaussian(bandit.spec(), 0.6, new Random(31));
        SoftmaxPolicy uniform = new SoftmaxPolicy(PolicyParameters.zeros(bandit.spec()));
        Estimate reinforce =
                estimate(
                        bandit,
                        target,
                        uniform,
                        BaselineSettings.DEFAULT,
                        Variant.CORRECT,
                        32,
                        400,
                        50);
        Estimate doublyRobust =
                doublyRobust(bandit, target, uniform, fitted(bandit, 33), DoublyRobust.CORRECT, 32);
        // What remains is mostly the variance of the contexts, which no control variate removes.
        assertVarianceCut(
                "REINFORCE with the running mean over the doubly robust estimate with a fitted"
                        + " reward model, uniformly logged events",
                reinforce,
                doublyRobust,
                2.0);
    }

    @Test
    void shouldEstimateTheExactGradientFromSampledActionValues() {
        OffPolicy setting = OffPolicy.seeded(21);
        RewardModel wrong = RewardModel.zeros(BANDIT.spec());
        Random random = new Random(23);
        for (int k = 0; k < wrong.weights.length; k++) {
            wrong.weights[k] = (float) (2 * random.nextGaussian());
        }
        // Two draws, or one, for three actions. Each draw must come with its 1 / p_b.
        for (int sampledActions : new int[] {2, 1}) {
            assertCaught(
                    "of the doubly robust estimate with K = "
                            + sampledActions
                            + " actions drawn, against the exact gradient",
                    sampled(setting, wrong, DoublyRobust.CORRECT, sampledActions)
                            .maxZ(setting.exact()),
                    new Broken(
                            "without the correction term",
                            sampled(setting, wrong, DoublyRobust.NO_CORRECTION, sampledActions)
                                    .maxZ(setting.exact())),
                    new Broken(
                            "wrong sign",
                            sampled(setting, wrong, DoublyRobust.WRONG_SIGN, sampledActions)
                                    .maxZ(setting.exact())));
        }
    }

    private Estimate sampled(
            OffPolicy setting, RewardModel model, DoublyRobust variant, int sampledActions) {
        return doublyRobust(
                BANDIT, setting.target(), setting.behaviour(), model, variant, 24, sampledActions);
    }

    @Test
    void shouldCutTheVarianceBelowTheRunningBaselinesWithSampledActionValuesOverManyActions() {
        // 40 actions logged uniformly: REINFORCE's importance weights reach 40 pi(a|x); the
        // sampled all-action term draws from the policy itself and needs none.
        Random random = new Random(41);
        double[][] meanRewards = new double[3][40];
        for (double[] row : meanRewards) {
            for (int a = 0; a < row.length; a++) {
                row[a] = random.nextGaussian();
            }
        }
        ContextualBandit bandit =
                new ContextualBandit(
                        ContextualBandit.small(0, 0).contexts,
                        new double[] {0.5, 0.3, 0.2},
                        meanRewards,
                        0.1,
                        0.0);
        PolicyParameters target = PolicyParameters.gaussian(bandit.spec(), 0.6, new Random(42));
        SoftmaxPolicy uniform = new SoftmaxPolicy(PolicyParameters.zeros(bandit.spec()));
        Estimate reinforce =
                estimate(
                        bandit,
                        target,
                        uniform,
                        BaselineSettings.DEFAULT,
                        Variant.CORRECT,
                        43,
                        400,
                        50);
        RewardModel model = fitted(bandit, 44);
        Estimate exact = doublyRobust(bandit, target, uniform, model, DoublyRobust.CORRECT, 43);
        Estimate sampled =
                doublyRobust(bandit, target, uniform, model, DoublyRobust.CORRECT, 43, 8);
        assertVarianceCut(
                "REINFORCE with the running mean over the doubly robust estimate with sampled"
                        + " action values (8 draws), 40 uniformly logged actions",
                reinforce,
                sampled,
                2.0);
        // The draw costs variance, not bias: it lies between REINFORCE's and the exact term's.
        assertVarianceCut(
                "the sampled over the exact doubly robust estimate, 40 uniformly logged actions",
                sampled,
                exact,
                1.0);
    }

    @Test
    void shouldFitTheRewardModelToTheLoggedRewards() {
        RewardModel model = fitted(BANDIT, 41);
        for (int c = 0; c < BANDIT.contexts.length; c++) {
            for (int a = 0; a < 3; a++) {
                assertThat(value(model, BANDIT.spec(), BANDIT.contexts[c], a))
                        .as("context %d, action %d", c, a)
                        .isCloseTo(BANDIT.meanRewards[c][a], within(0.1));
            }
        }
    }

    @Test
    void shouldFitEachLoggedRowOnceAndLeaveTheOthersAlone() {
        // Two heads, actions logged more than once per batch, two fits in a row: every fit is one
        // AdaGrad step of the batch's mean squared-error gradient, as written out here densely.
        PolicySpec spec = new PolicySpec("fit", 3, 4, 6);
        int size = 5;
        int[][] actions = {{1, 0}, {1, 5}, {3, 5}, {1, 2}, {0, 5}};
        Random random = new Random(3);
        MicroBatch batch = new MicroBatch(spec, size);
        for (int[] logged : actions) {
            float[] x = {
                (float) random.nextGaussian(),
                (float) random.nextGaussian(),
                (float) random.nextGaussian()
            };
            batch.add(x, logged, 0f, (float) random.nextGaussian(), 0.25f);
        }
        PolicyParameters parameters = PolicyParameters.gaussian(spec, 0.3, random);
        ReinforceEstimator estimator =
                new ReinforceEstimator(
                        spec, size, new EstimatorSettings(UNCAPPED, 0).doublyRobust(0.1), kernel);
        RewardModel model = RewardModel.zeros(spec);
        float[] expectedWeights = model.weights.clone();
        float[] expectedSquares = model.squares.clone();
        float[] gradient = new float[spec.parameterCount()];
        for (int fit = 0; fit < 2; fit++) {
            double[] g = new double[spec.parameterCount()];
            for (int h = 0; h < 2; h++) {
                for (int i = 0; i < size; i++) {
                    int a = actions[i][h];
                    float[] x = Arrays.copyOfRange(batch.features(), 3 * i, 3 * i + 3);
                    RewardModel current = new RewardModel();
                    current.weights = expectedWeights;
                    float error =
                            (float) (batch.advantages()[i] - headValue(current, spec, h, x, a));
                    for (int j = 0; j < 3; j++) {
                        g[spec.weightOffset(h) + a * 3 + j] += error * x[j];
                    }
                    g[spec.biasOffset(h) + a] += error;
                }
            }
            for (int k = 0; k < g.length; k++) {
                double step = (float) g[k] / (double) size;
                if (step != 0) {
                    double sum = expectedSquares[k] + step * step;
                    expectedSquares[k] = (float) sum;
                    expectedWeights[k] += (float) (0.1 * step / (Math.sqrt(sum) + 1e-8));
                }
            }
            estimator.estimate(parameters, batch, gradient, null, model, null);
            estimator.fitRewardModel(batch, model);
            assertThat(model.weights)
                    .as("fit %d", fit)
                    .containsExactly(expectedWeights, within(1e-6f));
            assertThat(model.squares)
                    .as("fit %d", fit)
                    .containsExactly(expectedSquares, within(1e-6f));
        }
        // Action 2 of the first head was never logged.
        assertThat(model.weights[spec.weightOffset(0) + 2 * 3]).isZero();
        assertThat(model.weights[spec.biasOffset(0) + 2]).isZero();
    }

    @Test
    void shouldMoveNoRewardModelWeightByMoreThanTheStepWhateverTheErrors() {
        // Errors at float's limits: a mean gradient whose square overflows, and one that is
        // infinite (two huge errors of the same sign on one row add up beyond float's range).
        PolicySpec spec = new PolicySpec("extreme", 2, 3);
        MicroBatch batch = new MicroBatch(spec, 4);
        batch.add(new float[] {1f, -1f}, new int[] {0}, 0f, 3e38f, 0.5f);
        batch.add(new float[] {2f, 0.5f}, new int[] {1}, 0f, -3e38f, 0.5f);
        batch.add(new float[] {1f, 1f}, new int[] {2}, 0f, 3e38f, 0.5f);
        batch.add(new float[] {1f, 1f}, new int[] {2}, 0f, 3e38f, 0.5f);
        ReinforceEstimator estimator =
                new ReinforceEstimator(
                        spec, 4, new EstimatorSettings(UNCAPPED, 0).doublyRobust(0.1), kernel);
        RewardModel model = RewardModel.zeros(spec);
        float[] gradient = new float[spec.parameterCount()];
        PolicyParameters parameters = PolicyParameters.zeros(spec);
        for (int fit = 0; fit < 3; fit++) {
            float[] before = model.weights.clone();
            estimator.estimate(parameters, batch, gradient, null, model, null);
            estimator.fitRewardModel(batch, model);
            for (int k = 0; k < before.length; k++) {
                assertThat(model.weights[k]).as("weight %d, fit %d", k, fit).isFinite();
                assertThat(Math.abs(model.weights[k] - before[k]))
                        .as("move of weight %d, fit %d", k, fit)
                        .isLessThanOrEqualTo(0.1f + 1e-6f);
                assertThat(model.squares[k]).as("square %d, fit %d", k, fit).isFinite();
            }
        }
        // Rows 0 and 1 learned (their means are finite); row 2's gradient is not finite: skipped.
        assertThat(model.weights[spec.biasOffset(0)]).isPositive();
        assertThat(model.weights[spec.biasOffset(0) + 1]).isNegative();
        assertThat(model.weights[spec.biasOffset(0) + 2]).isZero();
    }

    private static double headValue(
            RewardModel model, PolicySpec spec, int head, float[] x, int a) {
        double q = model.weights[spec.biasOffset(head) + a];
        for (int j = 0; j < x.length; j++) {
            q += model.weights[spec.weightOffset(head) + a * x.length + j] * x[j];
        }
        return q;
    }

    @Test
    void shouldEstimateTheExactGradientWithALinearBaselineFittedAfterUse() {
        ContextualBandit bandit = contextOffsets();
        PolicyParameters target = PolicyParameters.gaussian(bandit.spec(), 0.6, new Random(51));
        double[] exact = bandit.exactGradient(new SoftmaxPolicy(target));
        // A baseline that has seen the rewards it is subtracted from biases the estimate.
        assertCaught(
                "with the linear baseline fitted after use, against the exact gradient",
                linearBaseline(bandit, target, false, 52, 1000, 10).maxZ(exact),
                new Broken(
                        "fitted on the batch first",
                        linearBaseline(bandit, target, true, 52, 1000, 10).maxZ(exact)));
    }

    @Test
    void shouldCutTheVarianceBelowTheRunningMeansWhereTheRewardLevelDependsOnTheContext() {
        ContextualBandit bandit = contextOffsets();
        PolicyParameters target = PolicyParameters.gaussian(bandit.spec(), 0.6, new Random(61));
        Estimate mean =
                estimate(
                        bandit,
                        target,
                        null,
                        BaselineSettings.DEFAULT,
                        Variant.CORRECT,
                        62,
                        400,
                        50);
        Estimate linear = linearBaseline(bandit, target, false, 62, 400, 50);
        assertVarianceCut(
                "REINFORCE with the running mean over the linear baseline, context-dependent"
                        + " reward levels",
                mean,
                linear,
                5.0);
    }

    /** {@link ContextualBandit#small}'s contexts with reward levels of 10, -4 and 0 by context. */
    private static ContextualBandit contextOffsets() {
        ContextualBandit small = ContextualBandit.small(0.5, 0.0);
        return new ContextualBandit(
                small.contexts,
                small.contextProbabilities,
                new double[][] {{11.0, 10.0, 9.5}, {-4.5, -2.5, -4.0}, {0.0, -1.0, 2.0}},
                0.5,
                0.0);
    }

    /**
     * Means and variances of on-policy REINFORCE batch gradients of {@code size} events with a
     * linear baseline fitted after each batch, after 200 batches that fit it; or, {@code leaky},
     * with a baseline fitted to each batch before it serves that batch.
     */
    private Estimate linearBaseline(
            ContextualBandit bandit,
            PolicyParameters target,
            boolean leaky,
            long seed,
            int batches,
            int size) {
        PolicySpec spec = target.spec();
        SoftmaxPolicy policy = new SoftmaxPolicy(target);
        ReinforceEstimator estimator =
                new ReinforceEstimator(spec, size, new EstimatorSettings(UNCAPPED, 0), kernel);
        ReinforceEstimator leakyFitter =
                new ReinforceEstimator(
                        spec,
                        size,
                        new EstimatorSettings(UNCAPPED, 0, EstimatorKind.REINFORCE, 2.0),
                        kernel);
        RewardModel baseline = RewardModel.zeros(spec.features() + 1);
        MicroBatch batch = new MicroBatch(spec, size);
        float[] gradient = new float[spec.parameterCount()];
        Random random = new Random(seed);
        double[][] samples = new double[batches][];
        for (int b = -200; b < batches; b++) {
            batch.clear();
            for (int i = 0; i < size; i++) {
                ContextualBandit.Round round = bandit.play(policy, random);
                round.addTo(batch, round.reward(), MicroBatch.ON_POLICY);
            }
            if (leaky) {
                // Large steps from zero: the baseline learns the batch's own rewards.
                baseline = RewardModel.zeros(spec.features() + 1);
                for (int k = 0; k < 200; k++) {
                    leakyFitter.estimate(target, batch, gradient, null, null, baseline);
                    leakyFitter.fitBaseline(batch, baseline);
                }
            }
            estimator.estimate(target, batch, gradient, null, null, baseline);
            estimator.fitBaseline(batch, baseline);
            if (b >= 0) {
                samples[b] = new double[gradient.length];
                for (int k = 0; k < gradient.length; k++) {
                    samples[b][k] = gradient[k];
                }
            }
        }
        return Estimate.of(samples);
    }

    /** A reward model fitted on 2000 batches of 50 uniformly logged events of {@code bandit}. */
    private RewardModel fitted(ContextualBandit bandit, long seed) {
        PolicySpec spec = bandit.spec();
        PolicyParameters parameters = PolicyParameters.zeros(spec);
        SoftmaxPolicy uniform = new SoftmaxPolicy(parameters);
        ReinforceEstimator estimator =
                new ReinforceEstimator(
                        spec, 50, new EstimatorSettings(UNCAPPED, 0).doublyRobust(0.1), kernel);
        RewardModel model = RewardModel.zeros(spec);
        MicroBatch batch = new MicroBatch(spec, 50);
        float[] gradient = new float[spec.parameterCount()];
        Random random = new Random(seed);
        for (int b = 0; b < 2000; b++) {
            batch.clear();
            for (int i = 0; i < 50; i++) {
                ContextualBandit.Round round = bandit.play(uniform, random);
                round.addTo(batch, round.reward(), round.propensity());
            }
            estimator.estimate(parameters, batch, gradient, null, model, null);
            estimator.fitRewardModel(batch, model);
        }
        return model;
    }

    private static double value(RewardModel model, PolicySpec spec, float[] x, int action) {
        double q = model.weights[spec.biasOffset(0) + action];
        for (int j = 0; j < x.length; j++) {
            q += model.weights[spec.weightOffset(0) + action * x.length + j] * x[j];
        }
        return q;
    }

    private enum DoublyRobust {
        CORRECT,
        /** The reward model's all-action term alone: advantages equal to the logged value. */
        NO_CORRECTION,
        WRONG_SIGN
    }

    /**
     * Means and variances of 400 doubly robust batch gradients of 50 events of {@code bandit}
     * logged by {@code behaviour}, under the fixed reward model {@code model}.
     */
    private Estimate doublyRobust(
            ContextualBandit bandit,
            PolicyParameters target,
            SoftmaxPolicy behaviour,
            RewardModel model,
            DoublyRobust variant,
            long seed) {
        return doublyRobust(bandit, target, behaviour, model, variant, seed, EXACT);
    }

    /**
     * {@link #doublyRobust(ContextualBandit, PolicyParameters, SoftmaxPolicy, RewardModel,
     * DoublyRobust, long)} (whose all-action term is exact) with the term from {@code
     * sampledActions} draws where the head has more actions; each batch under its own version, so
     * that the draws differ from batch to batch.
     */
    private Estimate doublyRobust(
            ContextualBandit bandit,
            PolicyParameters target,
            SoftmaxPolicy behaviour,
            RewardModel model,
            DoublyRobust variant,
            long seed,
            int sampledActions) {
        PolicySpec spec = target.spec();
        int batches = 400;
        int size = 50;
        ReinforceEstimator estimator =
                new ReinforceEstimator(
                        spec,
                        size,
                        new EstimatorSettings(UNCAPPED, 0)
                                .doublyRobust(0.1)
                                .withAllActionTerm(
                                        sampledActions == EXACT ? EXACT : 1, sampledActions),
                        kernel);
        MicroBatch batch = new MicroBatch(spec, size);
        float[] gradient = new float[spec.parameterCount()];
        double[][] samples = new double[batches][];
        Random random = new Random(seed);
        for (int b = 0; b < batches; b++) {
            batch.clear();
            for (int i = 0; i < size; i++) {
                ContextualBandit.Round round = bandit.play(behaviour, random);
                double advantage =
                        variant == DoublyRobust.NO_CORRECTION
                                ? value(model, spec, round.features(), round.actions()[0])
                                : round.reward();
                round.addTo(batch, advantage, round.propensity());
            }
            estimator.estimate(
                    new PolicyParameters(spec, target.values(), b),
                    batch,
                    gradient,
                    null,
                    model,
                    null);
            samples[b] = new double[gradient.length];
            for (int k = 0; k < gradient.length; k++) {
                samples[b][k] = (variant == DoublyRobust.WRONG_SIGN ? -1 : 1) * gradient[k];
            }
        }
        return Estimate.of(samples);
    }

    @Test
    void shouldReportCappedWeightsAndTheEffectiveSampleSize() {
        PolicySpec spec = new PolicySpec("stats", 0, 2);
        PolicyParameters parameters = PolicyParameters.zeros(spec); // pi = 1/2 for each action
        MicroBatch batch = new MicroBatch(spec, 4);
        batch.add(new float[0], new int[] {0}, 1f, 0.5f, MicroBatch.ON_POLICY); // weight 1
        batch.add(new float[0], new int[] {1}, 2f, 1.5f, 0.5f); // weight 1
        batch.add(new float[0], new int[] {0}, 3f, 2.5f, 0.25f); // weight 2
        batch.add(new float[0], new int[] {1}, 4f, 3.5f, 0.01f); // weight 50, capped to 5
        float[] gradient = new float[spec.parameterCount()];
        BatchStatistics statistics =
                new ReinforceEstimator(spec, 4, new EstimatorSettings(5.0, 0.0), kernel)
                        .estimate(parameters, batch, gradient);
        assertThat(statistics.batchSize()).isEqualTo(4);
        assertThat(statistics.meanReward()).isCloseTo(2.5, within(1e-9));
        assertThat(statistics.meanAdvantage()).isCloseTo(2.0, within(1e-9));
        assertThat(statistics.meanEntropy()).isCloseTo(Math.log(2), within(1e-6));
        assertThat(statistics.maxImportanceWeight()).isCloseTo(50.0, within(1e-4));
        assertThat(statistics.cappedWeights()).isEqualTo(1);
        assertThat(statistics.meanImportanceWeight()).isCloseTo(9.0 / 4, within(1e-6));
        assertThat(statistics.effectiveSampleSize()).isCloseTo(81.0 / 31, within(1e-6));
        // Bias gradient of action 1: (1/4) sum_i c_i (1[a_i = 1] - 1/2).
        double expected = (0.5 * -0.5 + 1.5 * 0.5 + 2 * 2.5 * -0.5 + 5 * 3.5 * 0.5) / 4;
        assertThat((double) gradient[1]).isCloseTo(expected, within(1e-5));
        assertThat(statistics.gradientNorm())
                .isCloseTo(Math.sqrt(2) * Math.abs(expected), within(1e-5));
    }

    /** Prints the ratio of the total variances and asserts it is above {@code atLeast}. */
    private static void assertVarianceCut(
            String what, Estimate before, Estimate after, double atLeast) {
        double factor = before.totalVariance() / after.totalVariance();
        System.out.printf("Variance of %s: %.1fx%n", what, factor);
        assertThat(factor).as("variance ratio").isGreaterThan(atLeast);
    }

    /** A broken variant of an estimator and its largest z-score against the exact gradient. */
    private record Broken(String name, double z) {}

    /**
     * Prints the z-scores, then asserts that the correct estimate passes the test and that the test
     * rejects every broken variant.
     */
    private static void assertCaught(String what, double correct, Broken... broken) {
        StringBuilder line = new StringBuilder("Largest z-score " + what + ": correct ");
        line.append(String.format("%.2f", correct));
        for (Broken variant : broken) {
            line.append(String.format(", %s %.1f", variant.name(), variant.z()));
        }
        System.out.println(line);
        assertThat(correct).as("z-score of the correct estimate").isLessThan(Z_BOUND);
        for (Broken variant : broken) {
            assertThat(variant.z()).as("z-score, %s", variant.name()).isGreaterThan(Z_BOUND);
        }
    }

    private enum Variant {
        CORRECT,
        WRONG_SIGN,
        BASELINE_AFTER_UPDATE,
        IGNORE_PROPENSITY
    }

    private record Estimate(double[] mean, double[] variance, int samples) {

        static Estimate of(double[][] samples) {
            int size = samples[0].length;
            double[] mean = new double[size];
            double[] variance = new double[size];
            for (double[] sample : samples) {
                for (int k = 0; k < size; k++) {
                    mean[k] += sample[k] / samples.length;
                }
            }
            for (double[] sample : samples) {
                for (int k = 0; k < size; k++) {
                    variance[k] +=
                            (sample[k] - mean[k]) * (sample[k] - mean[k]) / (samples.length - 1);
                }
            }
            return new Estimate(mean, variance, samples.length);
        }

        double maxZ(double[] exact) {
            double max = 0;
            for (int k = 0; k < mean.length; k++) {
                double standardError = Math.sqrt(variance[k] / samples);
                if (standardError > 0) {
                    max = Math.max(max, Math.abs(mean[k] - exact[k]) / standardError);
                }
            }
            return max;
        }

        double totalVariance() {
            double total = 0;
            for (double v : variance) {
                total += v;
            }
            return total;
        }
    }

    /**
     * The largest z-score against {@code exact} of 400 batch gradients of 50 events of {@link
     * #BANDIT}.
     */
    private double maxZ(
            double[] exact,
            PolicyParameters target,
            SoftmaxPolicy behaviour,
            BaselineSettings baselineSettings,
            Variant variant,
            long seed) {
        return estimate(BANDIT, target, behaviour, baselineSettings, variant, seed, 400, 50)
                .maxZ(exact);
    }

    /**
     * Means and variances of {@code batches} independent batch gradients of {@code size} events.
     */
    private Estimate estimate(
            ContextualBandit bandit,
            PolicyParameters parameters,
            SoftmaxPolicy behaviour,
            BaselineSettings baselineSettings,
            Variant variant,
            long seed,
            int batches,
            int size) {
        PolicySpec spec = parameters.spec();
        Random random = new Random(seed);
        SoftmaxPolicy target = new SoftmaxPolicy(parameters);
        SoftmaxPolicy sampler = behaviour == null ? target : behaviour;
        RunningBaseline baseline = new RunningBaseline(baselineSettings);
        BaselineState state = new BaselineState();
        MicroBatch batch = new MicroBatch(spec, size);
        ReinforceEstimator estimator =
                new ReinforceEstimator(spec, size, new EstimatorSettings(UNCAPPED, 0), kernel);
        float[] gradient = new float[spec.parameterCount()];
        double[] sum = new double[gradient.length];
        double[] sumOfSquares = new double[gradient.length];
        for (int b = 0; b < batches; b++) {
            batch.clear();
            for (int i = 0; i < size; i++) {
                ContextualBandit.Round round = bandit.play(sampler, random);
                double reward = round.reward();
                double advantage;
                if (variant == Variant.BASELINE_AFTER_UPDATE) {
                    baseline.update(state, reward);
                    advantage = baseline.advantage(state, reward);
                } else {
                    advantage = baseline.advantageThenUpdate(state, reward);
                }
                double propensity =
                        behaviour == null || variant == Variant.IGNORE_PROPENSITY
                                ? MicroBatch.ON_POLICY
                                : round.propensity();
                round.addTo(batch, advantage, propensity);
            }
            estimator.estimate(parameters, batch, gradient);
            double sign = variant == Variant.WRONG_SIGN ? -1 : 1;
            for (int k = 0; k < gradient.length; k++) {
                double g = sign * gradient[k];
                sum[k] += g;
                sumOfSquares[k] += g * g;
            }
        }
        double[] mean = new double[sum.length];
        double[] variance = new double[sum.length];
        for (int k = 0; k < sum.length; k++) {
            mean[k] = sum[k] / batches;
            variance[k] = (sumOfSquares[k] - batches * mean[k] * mean[k]) / (batches - 1);
        }
        return new Estimate(mean, variance, batches);
    }

    private static double logPolicy(PolicySpec spec, double[] theta, MicroBatch batch, int row) {
        double total = 0;
        for (int h = 0; h < spec.headCount(); h++) {
            double[] z = logits(spec, theta, batch, row, h);
            total +=
                    z[batch.actions()[row * spec.headCount() + h]] - Softmax.logSumExp(z, z.length);
        }
        return total;
    }

    /** {@code (1/B) sum_i [c_i log pi(a_i | x_i) + beta sum_h H_h(x_i)]} in float64. */
    private static double surrogate(
            PolicySpec spec, double[] theta, MicroBatch batch, double[] coefficients, double beta) {
        double total = 0;
        for (int i = 0; i < batch.size(); i++) {
            total += coefficients[i] * logPolicy(spec, theta, batch, i);
            for (int h = 0; h < spec.headCount(); h++) {
                double[] p = logits(spec, theta, batch, i, h);
                Softmax.softmaxInPlace(p, p.length);
                total += beta * Softmax.entropy(p, p.length);
            }
        }
        return total / batch.size();
    }

    private static double[] logits(
            PolicySpec spec, double[] theta, MicroBatch batch, int row, int head) {
        int d = spec.features();
        int n = spec.actions(head);
        double[] z = new double[n];
        for (int a = 0; a < n; a++) {
            z[a] = theta[spec.biasOffset(head) + a];
            for (int j = 0; j < d; j++) {
                z[a] += theta[spec.weightOffset(head) + a * d + j] * batch.features()[row * d + j];
            }
        }
        return z;
    }

    /**
     * The seed's formula: for one head and a batch of logits, {@code (onehot(a_i) - softmax(z_i)) *
     * (r_i - baseline)} per row. A plain float64 reference, kept to pin the math down.
     */
    private static double[][] reinforceGradient(
            double[][] logits, int[] actions, double[] rewards, double baseline) {
        double[][] gradient = new double[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            double[] p = logits[i].clone();
            Softmax.softmaxInPlace(p, p.length);
            double advantage = rewards[i] - baseline;
            for (int a = 0; a < p.length; a++) {
                p[a] = ((a == actions[i] ? 1.0 : 0.0) - p[a]) * advantage;
            }
            gradient[i] = p;
        }
        return gradient;
    }
}
