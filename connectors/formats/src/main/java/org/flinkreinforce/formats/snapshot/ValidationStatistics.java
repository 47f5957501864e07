package org.flinkreinforce.formats.snapshot;

import org.flinkreinforce.model.evaluation.Estimate;
import org.flinkreinforce.model.evaluation.ProgressiveValidation;

/**
 * The progressive validation a snapshot carries: the value of the policy, estimated on events it
 * had not yet learned from, each event scored by the policy of its time before the update that used
 * it (see {@link ProgressiveValidation}). The learner keeps these totals over a window of recent
 * events ({@code validation.window}), so they follow learning. A 95% interval is the value plus or
 * minus 1.96 standard errors.
 *
 * @param events the effective number of events the estimates cover
 * @param ips the inverse-propensity estimate of the policy's expected reward
 * @param ipsStandardError its standard error
 * @param snips the self-normalised estimate of the policy's expected reward
 * @param snipsStandardError its standard error
 * @param loggedMean the mean reward the logging policy observed on the same events
 * @param loggedMeanStandardError its standard error
 */
public record ValidationStatistics(
        double events,
        double ips,
        double ipsStandardError,
        double snips,
        double snipsStandardError,
        double loggedMean,
        double loggedMeanStandardError) {

    /** The number of values on the wire. */
    static final int COUNT = 7;

    /** No validation: a snapshot of an older release, or of a policy before its first batch. */
    public static final ValidationStatistics NONE =
            new ValidationStatistics(
                    0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    /**
     * The estimates of {@code validation} now; {@link #NONE} until every one of them is finite (no
     * event yet, a single one, whose standard error is infinite, or weights that are all 0), so
     * that no NaN or infinity is ever published.
     */
    public static ValidationStatistics of(ProgressiveValidation validation) {
        if (validation.count <= 0) {
            return NONE;
        }
        Estimate ips = validation.ips();
        Estimate snips = validation.snips();
        Estimate logged = validation.loggedMean();
        ValidationStatistics statistics =
                new ValidationStatistics(
                        validation.effectiveCount(),
                        ips.value(),
                        ips.standardError(),
                        snips.value(),
                        snips.standardError(),
                        logged.value(),
                        logged.standardError());
        double[] values = new double[COUNT];
        statistics.copyTo(values, 0);
        for (double value : values) {
            if (!Double.isFinite(value)) {
                return NONE;
            }
        }
        return statistics;
    }

    /** Whether there is any validation: at least one event. */
    public boolean isPresent() {
        return events > 0;
    }

    void copyTo(double[] values, int offset) {
        values[offset] = events;
        values[offset + 1] = ips;
        values[offset + 2] = ipsStandardError;
        values[offset + 3] = snips;
        values[offset + 4] = snipsStandardError;
        values[offset + 5] = loggedMean;
        values[offset + 6] = loggedMeanStandardError;
    }

    static ValidationStatistics from(double[] v, int offset) {
        return new ValidationStatistics(
                v[offset],
                v[offset + 1],
                v[offset + 2],
                v[offset + 3],
                v[offset + 4],
                v[offset + 5],
                v[offset + 6]);
    }
}
