package org.flinkreinforce.model.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.flinkreinforce.model.util.Allocations;
import org.junit.jupiter.api.Test;

class ProgressiveValidationTest {

    /** Sums of a few float64 terms, against hand-computed fractions. */
    private static final double EXACT = 1e-12;

    /**
     * Four events (reward, propensity, policy probability): (1, 0.5, 1), (0, 0.25, 0.5), (1, 0.5,
     * 0.25) and an on-policy 0.5, so the weights are 2, 2, 0.5 and 1.
     */
    private static ProgressiveValidation fourEvents() {
        ProgressiveValidation validation = new ProgressiveValidation();
        validation.add(1, 0.5, 1);
        validation.add(0, 0.25, 0.5);
        validation.add(1, 0.5, 0.25);
        validation.add(0.5, Double.NaN, 0.9);
        return validation;
    }

    @Test
    void shouldGiveTheHandComputedIpsEstimateAndInterval() {
        // w r = 2, 0, 0.5, 0.5: mean 0.75, sample variance (4.5 - 4 * 0.75^2) / 3 = 0.75
        Estimate ips = fourEvents().ips();
        assertThat(ips.value()).isCloseTo(0.75, within(EXACT));
        assertThat(ips.standardError()).isCloseTo(Math.sqrt(0.75 / 4), within(EXACT));
        assertThat(ips.lower())
                .isCloseTo(0.75 - 1.959963984540054 * Math.sqrt(0.1875), within(EXACT));
        assertThat(ips.upper())
                .isCloseTo(0.75 + 1.959963984540054 * Math.sqrt(0.1875), within(EXACT));
    }

    @Test
    void shouldGiveTheHandComputedSnipsEstimateAndDeltaMethodInterval() {
        // V = 3 / 5.5 = 6/11; sum w^2 (r - V)^2 = (100 + 144 + 6.25 + 0.25) / 121 and (sum w)^2 =
        // 121/4, so se^2 = 250.5 / 121 * 4 / 121 * 4/3 = 1336 / 14641
        Estimate snips = fourEvents().snips();
        assertThat(snips.value()).isCloseTo(6.0 / 11, within(EXACT));
        assertThat(snips.standardError()).isCloseTo(Math.sqrt(1336.0 / 14641), within(EXACT));
    }

    @Test
    void shouldGiveTheHandComputedLoggedMeanAndEffectiveSampleSize() {
        // r = 1, 0, 1, 0.5: mean 0.625, sample variance (2.25 - 4 * 0.625^2) / 3 = 0.6875 / 3
        ProgressiveValidation validation = fourEvents();
        Estimate logged = validation.loggedMean();
        assertThat(logged.value()).isCloseTo(0.625, within(EXACT));
        assertThat(logged.standardError()).isCloseTo(Math.sqrt(0.6875 / 12), within(EXACT));
        // (2 + 2 + 0.5 + 1)^2 / (4 + 4 + 0.25 + 1)
        assertThat(validation.effectiveSampleSize()).isCloseTo(30.25 / 9.25, within(EXACT));
        assertThat(validation.effectiveCount()).isEqualTo(4);
    }

    @Test
    void shouldAgreeOnAllThreeEstimatesForOnPolicyEvents() {
        ProgressiveValidation validation = new ProgressiveValidation();
        Random random = new Random(11);
        for (int i = 0; i < 50; i++) {
            validation.add(random.nextGaussian(), Double.NaN, Double.NaN);
        }
        Estimate logged = validation.loggedMean();
        for (Estimate estimate : new Estimate[] {validation.ips(), validation.snips()}) {
            assertThat(estimate.value()).isCloseTo(logged.value(), within(EXACT));
            assertThat(estimate.standardError()).isCloseTo(logged.standardError(), within(EXACT));
        }
        assertThat(validation.effectiveSampleSize()).isCloseTo(50, within(EXACT));
    }

    @Test
    void shouldSayNothingIsKnownBeforeTwoEvents() {
        ProgressiveValidation validation = new ProgressiveValidation();
        assertThat(validation.ips().value()).isNaN();
        assertThat(validation.snips().value()).isNaN();
        assertThat(validation.loggedMean().value()).isNaN();
        assertThat(validation.effectiveSampleSize()).isZero();
        validation.add(1, 0.5, 0.5);
        assertThat(validation.ips().value()).isEqualTo(1);
        assertThat(validation.ips().standardError()).isInfinite();
        assertThat(validation.ips().lower()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(validation.snips().standardError()).isInfinite();
        // every weight 0: SNIPS has nothing to normalise by
        ProgressiveValidation zero = new ProgressiveValidation();
        zero.add(1, 0.5, 0);
        zero.add(0, 0.5, 0);
        assertThat(zero.ips().value()).isZero();
        assertThat(zero.snips().value()).isNaN();
        assertThat(zero.snips().standardError()).isInfinite();
    }

    @Test
    void shouldWeighForgottenEventsByTheirForgettingWeights() {
        // three batches, forgotten by gamma = 0.5 before each: weights 0.25, 0.5 and 1
        Random random = new Random(13);
        double gamma = 0.5;
        ProgressiveValidation validation = new ProgressiveValidation();
        int events = 30;
        double[] a = new double[events];
        double[] w = new double[events];
        double[] r = new double[events];
        for (int i = 0; i < events; i++) {
            if (i % 10 == 0) {
                validation.forget(gamma);
            }
            a[i] = Math.pow(gamma, 2 - i / 10);
            r[i] = random.nextDouble();
            double propensity = 0.1 + 0.9 * random.nextDouble();
            double probability = random.nextDouble();
            w[i] = probability / propensity;
            validation.add(r[i], propensity, probability);
        }
        double sumA = 0;
        double sumA2 = 0;
        double sumAwr = 0;
        double sumAw = 0;
        for (int i = 0; i < events; i++) {
            sumA += a[i];
            sumA2 += a[i] * a[i];
            sumAwr += a[i] * w[i] * r[i];
            sumAw += a[i] * w[i];
        }
        double m = sumA * sumA / sumA2;
        double ips = sumAwr / sumA;
        double snips = sumAwr / sumAw;
        double ipsSquares = 0;
        double snipsSquares = 0;
        for (int i = 0; i < events; i++) {
            ipsSquares += a[i] * Math.pow(w[i] * r[i] - ips, 2);
            snipsSquares += a[i] * Math.pow(w[i] * (r[i] - snips) / (sumAw / sumA), 2);
        }
        assertThat(validation.effectiveCount()).isCloseTo(m, within(EXACT));
        assertThat(validation.ips().value()).isCloseTo(ips, within(EXACT));
        assertThat(validation.ips().standardError())
                .isCloseTo(Math.sqrt(ipsSquares / sumA / (m - 1)), within(EXACT));
        assertThat(validation.snips().value()).isCloseTo(snips, within(EXACT));
        assertThat(validation.snips().standardError())
                .isCloseTo(Math.sqrt(snipsSquares / sumA / (m - 1)), within(EXACT));
    }

    @Test
    void shouldFollowAChangeInRewardWhenForgetting() {
        ProgressiveValidation cumulative = new ProgressiveValidation();
        ProgressiveValidation recent = new ProgressiveValidation();
        for (int i = 0; i < 2000; i++) {
            double reward = i < 1000 ? 0 : 1;
            cumulative.add(reward, Double.NaN, Double.NaN);
            recent.forget(0.99);
            recent.add(reward, Double.NaN, Double.NaN);
        }
        assertThat(cumulative.loggedMean().value()).isCloseTo(0.5, within(EXACT));
        // 0.99^1000 of the weight is left on the first thousand events
        assertThat(recent.loggedMean().value()).isGreaterThan(0.9999);
        assertThat(recent.effectiveCount()).isCloseTo(1.99 / 0.01, within(1e-6));
    }

    @Test
    void shouldMergeAsIfAllEventsWereAddedToOne() {
        Random random = new Random(17);
        ProgressiveValidation all = new ProgressiveValidation();
        ProgressiveValidation left = new ProgressiveValidation();
        ProgressiveValidation right = new ProgressiveValidation();
        for (int i = 0; i < 100; i++) {
            double reward = random.nextGaussian();
            double propensity =
                    random.nextBoolean() ? Double.NaN : 0.05 + 0.95 * random.nextDouble();
            double probability = random.nextDouble();
            all.add(reward, propensity, probability);
            (i % 3 == 0 ? left : right).add(reward, propensity, probability);
        }
        left.merge(right);
        for (Estimate[] pair :
                new Estimate[][] {
                    {all.ips(), left.ips()},
                    {all.snips(), left.snips()},
                    {all.loggedMean(), left.loggedMean()}
                }) {
            assertThat(pair[1].value()).isCloseTo(pair[0].value(), within(EXACT));
            assertThat(pair[1].standardError()).isCloseTo(pair[0].standardError(), within(EXACT));
        }
        assertThat(left.effectiveSampleSize()).isCloseTo(all.effectiveSampleSize(), within(EXACT));
        left.clear();
        assertThat(left.count).isZero();
        assertThat(left.ips().value()).isNaN();
    }

    /**
     * A known policy {@code pi = (0.1, 0.2, 0.3, 0.4)} over four actions with Bernoulli rewards of
     * means {@code (0.1, 0.3, 0.5, 0.8)}, evaluated on events logged uniformly at random: its
     * expected reward is 0.54, the logging policy's 0.425. In each of 400 seeded trials of 1000
     * events, a correct 95% interval covers the true value with probability 0.95 (normal
     * approximation); the share of trials that cover then lies in [0.92, 0.98] (0.95 +- 2.75
     * binomial standard deviations) with probability above 99%.
     */
    @Test
    void shouldCoverTheTrueValueOfAKnownPolicyAtTheStatedRate() {
        double[] policy = {0.1, 0.2, 0.3, 0.4};
        double[] means = {0.1, 0.3, 0.5, 0.8};
        double truth = 0.54;
        double loggedTruth = 0.425;
        int trials = 400;
        int events = 1000;
        Random random = new Random(19);
        int ipsCovers = 0;
        int snipsCovers = 0;
        int loggedCovers = 0;
        int ipsCovers99 = 0;
        ProgressiveValidation validation = new ProgressiveValidation();
        for (int trial = 0; trial < trials; trial++) {
            validation.clear();
            for (int i = 0; i < events; i++) {
                int action = random.nextInt(4);
                double reward = random.nextDouble() < means[action] ? 1 : 0;
                validation.add(reward, 0.25, policy[action]);
            }
            ipsCovers += covers(validation.ips(), truth, Estimate.Z_95);
            ipsCovers99 += covers(validation.ips(), truth, Estimate.Z_99);
            snipsCovers += covers(validation.snips(), truth, Estimate.Z_95);
            loggedCovers += covers(validation.loggedMean(), loggedTruth, Estimate.Z_95);
        }
        assertThat(ipsCovers / (double) trials).as("IPS").isBetween(0.92, 0.98);
        assertThat(snipsCovers / (double) trials).as("SNIPS").isBetween(0.92, 0.98);
        assertThat(loggedCovers / (double) trials).as("logged mean").isBetween(0.92, 0.98);
        // 0.99 +- 2.75 binomial standard deviations (0.005)
        assertThat(ipsCovers99 / (double) trials).as("IPS, 99%").isBetween(0.975, 1.0);
    }

    private static int covers(Estimate estimate, double truth, double z) {
        return estimate.lower(z) <= truth && truth <= estimate.upper(z) ? 1 : 0;
    }

    @Test
    void shouldAllocateNothingPerEvent() {
        ProgressiveValidation validation = new ProgressiveValidation();
        double[] reward = {0};
        Runnable event =
                () -> {
                    reward[0] = 1 - reward[0];
                    validation.forget(0.999);
                    validation.add(reward[0], 0.5, 0.25);
                };
        assertThat(Allocations.bytesPerCall(event, 1000)).isZero();
    }

    @Test
    void shouldRejectInvalidInputsWithTheValue() {
        ProgressiveValidation validation = new ProgressiveValidation();
        assertThatThrownBy(() -> validation.add(1, 0, 0.5))
                .hasMessage("Invalid propensity 0.0: it must lie in (0, 1], or be NaN.");
        assertThatThrownBy(() -> validation.add(1, 0.5, 1.5))
                .hasMessage("Invalid policy probability 1.5: it must lie in [0, 1].");
        assertThatThrownBy(() -> validation.add(Double.NaN, 0.5, 0.5))
                .hasMessage("Invalid reward NaN: it must be finite.");
        assertThatThrownBy(() -> validation.addWeighted(1, -1))
                .hasMessage("Invalid importance weight -1.0: it must be finite and not negative.");
        assertThatThrownBy(() -> validation.forget(0))
                .hasMessage("Invalid forgetting factor 0.0: it must lie in (0, 1].");
        assertThat(validation.count).isZero();
    }
}
