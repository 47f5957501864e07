package org.flinkreinforce.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SoftmaxPolicyTest {

    @Test
    void shouldGiveStableProbabilitiesForHugeLogits() {
        PolicySpec spec = new PolicySpec("p", 0, 4);
        PolicyParameters parameters =
                new PolicyParameters(spec, new float[] {1e4f, -1e4f, 1e4f - 1f, 0f}, 3);
        SoftmaxPolicy policy = new SoftmaxPolicy(parameters);
        double[] p = policy.probabilities(0, new float[0]);
        double e = Math.exp(-1);
        assertThat(p[0]).isCloseTo(1 / (1 + e), within(1e-12));
        assertThat(p[2]).isCloseTo(e / (1 + e), within(1e-12));
        assertThat(p[1]).isEqualTo(0.0);
        assertThat(policy.logProbability(new float[0], new int[] {1}))
                .isCloseTo(-2e4 - Math.log1p(e), within(1e-6));
        assertThat(policy.greedy(new float[0])).containsExactly(0);
    }

    @Test
    void shouldDecideTheSameInACallersScratchAndRefuseOneTooShort() {
        PolicySpec spec = PolicySpec.parse("nas:3:4,7");
        PolicyParameters parameters = PolicyParameters.gaussian(spec, 1.0, new Random(2));
        float[] features = {0.5f, -1, 2};
        double[] scratch = new double[7];
        for (int seed = 0; seed < 50; seed++) {
            SoftmaxPolicy.Decision own =
                    new SoftmaxPolicy(parameters).sample(features, new SplittableRandom(seed));
            SoftmaxPolicy.Decision shared =
                    new SoftmaxPolicy(parameters, scratch)
                            .sample(features, new SplittableRandom(seed));
            assertThat(shared).usingRecursiveComparison().isEqualTo(own);
        }
        assertThatThrownBy(() -> new SoftmaxPolicy(parameters, new double[6]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 7");
    }

    @Test
    void shouldSampleEachActionWithItsProbabilityAndReportThatAsThePropensity() {
        PolicySpec spec = new PolicySpec("recs", 2, 3);
        PolicyParameters parameters = PolicyParameters.gaussian(spec, 1.0, new Random(1));
        SoftmaxPolicy policy = new SoftmaxPolicy(parameters);
        float[] x = {0.3f, -1.2f};
        double[] p = policy.probabilities(0, x);
        int draws = 60_000;
        int[] counts = new int[3];
        SplittableRandom random = new SplittableRandom(9);
        for (int k = 0; k < draws; k++) {
            SoftmaxPolicy.Decision decision = policy.sample(x, random);
            counts[decision.actions()[0]]++;
            assertThat(decision.propensity()).isCloseTo(p[decision.actions()[0]], within(1e-12));
        }
        // Chi-square with 2 degrees of freedom: 13.8 is its 99.9% quantile.
        double chiSquare = 0;
        for (int a = 0; a < 3; a++) {
            double expected = draws * p[a];
            chiSquare += (counts[a] - expected) * (counts[a] - expected) / expected;
        }
        assertThat(chiSquare).isLessThan(13.8);
    }

    @Test
    void shouldDecideOneOptionPerHeadForANasController() {
        PolicySpec spec = PolicySpec.parse("nas:0:6,6,4,4");
        float[] values = new float[spec.parameterCount()];
        values[spec.biasOffset(2) + 3] = 50f; // head 2 almost surely picks option 3
        SoftmaxPolicy policy = new SoftmaxPolicy(new PolicyParameters(spec, values, 7));
        SoftmaxPolicy.Decision decision = policy.sample(new float[0], new SplittableRandom(4));
        assertThat(decision.actions()).hasSize(4);
        assertThat(decision.actions()[2]).isEqualTo(3);
        assertThat(decision.policyVersion()).isEqualTo(7);
        assertThat(decision.propensity())
                .isCloseTo(policy.probability(new float[0], decision.actions()), within(1e-12))
                .isCloseTo(1.0 / (6 * 6 * 4), within(1e-12));
        // The same seed gives the same decision.
        assertThat(policy.sample(new float[0], new SplittableRandom(4)).actions())
                .containsExactly(decision.actions());
    }

    @Test
    void shouldComputeLogitsAsWeightsTimesFeaturesPlusBias() {
        PolicySpec spec = new PolicySpec("p", 2, 2);
        PolicyParameters parameters =
                new PolicyParameters(spec, new float[] {1f, 2f, -1f, 0.5f, 0.25f, -0.25f}, 0);
        SoftmaxPolicy policy = new SoftmaxPolicy(parameters);
        double[] z = new double[2];
        policy.logits(0, new float[] {3f, 4f}, z);
        assertThat(z).containsExactly(11.25, -1.25);
        assertThat(policy.greedy(new float[] {3f, 4f})).containsExactly(0);
        assertThat(policy.greedy(new float[] {-3f, -4f})).containsExactly(1);
    }
}
