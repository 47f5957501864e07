package org.flinkreinforce.cli.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What the simulated application sees of the environments: rewards that may never come, with the
 * expected reward of every action unchanged, and the delays they come after. Statistical checks use
 * a seeded {@link Random} and a bound of {@value #Z} standard errors (two-sided, about 1 in 150,000
 * for a correct implementation).
 */
class RewardOutcomeTest {

    private static final double Z = 4.5;
    private static final int DRAWS = 200_000;

    @Test
    void shouldKeepEveryItemsExpectedRewardThoughHalfTheRecommendationsAreNeverClicked() {
        RecommenderEnvironment environment = new RecommenderEnvironment(16, 10, 0.5, 0.5, 3);
        Random random = new Random(11);
        for (int trial = 0; trial < 4; trial++) {
            float[] x = environment.context(random);
            int item = trial * 3;
            double sum = 0;
            double squares = 0;
            int clicks = 0;
            for (int i = 0; i < DRAWS; i++) {
                Environment.Outcome outcome = environment.outcome(x, new int[] {item}, random);
                if (outcome.observed()) {
                    clicks++;
                } else {
                    assertThat(outcome.reward()).isZero();
                }
                sum += outcome.reward();
                squares += outcome.reward() * outcome.reward();
            }
            double mean = sum / DRAWS;
            double standardError = Math.sqrt((squares / DRAWS - mean * mean) / DRAWS);
            assertThat(mean).isCloseTo(environment.meanReward(x, item), offset(Z * standardError));
            double p = environment.clickProbability();
            assertThat((double) clicks / DRAWS)
                    .isCloseTo(p, offset(Z * Math.sqrt(p * (1 - p) / DRAWS)));
        }
        assertThat(environment.unobservedReward()).hasValue(0);
    }

    @Test
    void shouldGiveEveryArchitectureItsAccuracy() {
        Environment environment = Environment.of("nas", 3);
        Random random = new Random(12);
        for (int i = 0; i < 100; i++) {
            assertThat(environment.outcome(new float[0], new int[] {1, 2, 3, 0}, random).observed())
                    .isTrue();
        }
        assertThat(environment.unobservedReward()).isEmpty();
    }

    @Test
    void shouldDrawExponentialDelaysUpToFourMeansWithTheTruncatedLawsMean() {
        RewardDelay delay = RewardDelay.exponential(Duration.ofSeconds(2));
        assertThat(delay.maximum()).isEqualTo(Duration.ofSeconds(8));
        // The mean of an exponential law with mean m cut at c m: m (1 - (1 + c) e^-c) / (1 - e^-c).
        double c = RewardDelay.EXPONENTIAL_CUTOFF;
        double expected = 2000 * (1 - (1 + c) * Math.exp(-c)) / (1 - Math.exp(-c));
        assertMeanAndBounds(delay, expected, 0, 8000);
    }

    @Test
    void shouldDrawUniformDelaysBetweenHalfAndOneAndAHalfTimesTheMean() {
        RewardDelay delay = RewardDelay.uniform(Duration.ofSeconds(5));
        assertThat(delay.maximum()).isEqualTo(Duration.ofMillis(7500));
        assertMeanAndBounds(delay, 5000, 2500, 7500);
    }

    @Test
    void shouldRefuseADelayThatIsNotPositiveAndAnUnknownForm() {
        assertThatThrownBy(() -> RewardDelay.exponential(Duration.ZERO))
                .hasMessageContaining("positive");
        assertThat(RewardForm.of("split")).isEqualTo(RewardForm.SPLIT);
        assertThat(RewardForm.of("inline")).isEqualTo(RewardForm.INLINE);
        assertThatThrownBy(() -> RewardForm.of("later"))
                .hasMessageContaining("expected split or inline");
    }

    private static void assertMeanAndBounds(
            RewardDelay delay, double expectedMean, long lowest, long highest) {
        Random random = new Random(13);
        double sum = 0;
        double squares = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < DRAWS; i++) {
            long millis = delay.sampleMillis(random);
            min = Math.min(min, millis);
            max = Math.max(max, millis);
            sum += millis;
            squares += (double) millis * millis;
        }
        double mean = sum / DRAWS;
        double standardError = Math.sqrt((squares / DRAWS - mean * mean) / DRAWS);
        assertThat(mean).isCloseTo(expectedMean, offset(Z * standardError));
        assertThat(min).isGreaterThanOrEqualTo(lowest);
        assertThat(max).isLessThanOrEqualTo(highest);
    }
}
