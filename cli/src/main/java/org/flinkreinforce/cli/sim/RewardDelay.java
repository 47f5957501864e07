package org.flinkreinforce.cli.sim;

import java.time.Duration;
import java.util.Random;

/**
 * How long after a decision its reward is known, drawn per decision, and the longest that can be: a
 * learner that joins decisions with their rewards waits a little longer than {@link #maximum()}, so
 * no reward comes after its decision's window.
 *
 * <ul>
 *   <li>{@link #exponential}: a click, most within a few seconds, some later; an exponential
 *       distribution truncated at four times its mean (inverse-CDF sampling of the truncated law,
 *       so the mean is about 0.93 of the parameter).
 *   <li>{@link #uniform}: a trainer's run, between half and one and a half times its mean.
 * </ul>
 */
public final class RewardDelay {

    /** The exponential law is cut at this many means. */
    static final int EXPONENTIAL_CUTOFF = 4;

    private final boolean exponential;
    private final double meanMillis;
    private final long maximumMillis;

    private RewardDelay(boolean exponential, double meanMillis, long maximumMillis) {
        this.exponential = exponential;
        this.meanMillis = meanMillis;
        this.maximumMillis = maximumMillis;
    }

    /** An exponential delay with mean {@code mean}, truncated at four times {@code mean}. */
    public static RewardDelay exponential(Duration mean) {
        long millis = positive(mean);
        return new RewardDelay(true, millis, EXPONENTIAL_CUTOFF * millis);
    }

    /** A delay uniform between half and one and a half times {@code mean}. */
    public static RewardDelay uniform(Duration mean) {
        long millis = positive(mean);
        return new RewardDelay(false, millis, millis * 3 / 2);
    }

    private static long positive(Duration mean) {
        if (mean.isNegative() || mean.isZero()) {
            throw new IllegalArgumentException(
                    "A reward delay must be positive, not " + mean.toMillis() + " ms.");
        }
        return mean.toMillis();
    }

    /** One delay in milliseconds, in {@code [0, maximum]}. */
    public long sampleMillis(Random random) {
        double u = random.nextDouble();
        double delay;
        if (exponential) {
            // F(t) = (1 - e^{-t/m}) / (1 - e^{-c}) on [0, c m]: t = -m ln(1 - u (1 - e^{-c})).
            delay = -meanMillis * Math.log1p(-u * (1 - Math.exp(-EXPONENTIAL_CUTOFF)));
        } else {
            delay = meanMillis * (0.5 + u);
        }
        return Math.min(maximumMillis, Math.round(delay));
    }

    /** The longest delay {@link #sampleMillis} returns. */
    public Duration maximum() {
        return Duration.ofMillis(maximumMillis);
    }

    /** E.g. {@code exponential, mean 2 s, at most 8 s}. */
    public String describe() {
        return exponential
                ? String.format(
                        "exponential with mean %s, at most %s",
                        seconds(meanMillis), seconds(maximumMillis))
                : String.format(
                        "between %s and %s", seconds(meanMillis / 2), seconds(maximumMillis));
    }

    private static String seconds(double millis) {
        return millis % 1000 == 0
                ? String.format("%.0f s", millis / 1000)
                : String.format("%.1f s", millis / 1000);
    }
}
