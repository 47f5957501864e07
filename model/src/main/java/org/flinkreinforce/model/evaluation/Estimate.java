package org.flinkreinforce.model.evaluation;

/**
 * An estimate with its standard error, and the normal-approximation confidence interval {@code
 * value +- z standardError}.
 *
 * @param value the estimate; NaN where there is nothing to estimate from
 * @param standardError the estimated standard deviation of {@code value}; {@code Infinity} where
 *     the events cannot tell (fewer than two)
 */
public record Estimate(double value, double standardError) {

    /** The two-sided 95% quantile of the standard normal distribution, {@code Phi^-1(0.975)}. */
    public static final double Z_95 = 1.959963984540054;

    /** The two-sided 99% quantile of the standard normal distribution, {@code Phi^-1(0.995)}. */
    public static final double Z_99 = 2.5758293035489004;

    /** The lower end of the 95% interval. */
    public double lower() {
        return lower(Z_95);
    }

    /** The upper end of the 95% interval. */
    public double upper() {
        return upper(Z_95);
    }

    /** {@code value - z standardError}, e.g. with {@code z = } {@link #Z_99}. */
    public double lower(double z) {
        return value - z * standardError;
    }

    /** {@code value + z standardError}. */
    public double upper(double z) {
        return value + z * standardError;
    }
}
