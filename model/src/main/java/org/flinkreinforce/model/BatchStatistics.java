package org.flinkreinforce.model;

/**
 * What one micro-batch looked like, for dashboards and snapshots.
 *
 * @param batchSize the number of events {@code B}
 * @param meanReward the mean of {@code r_i}
 * @param meanAdvantage the mean of {@code A_i = r_i - baseline}
 * @param meanEntropy the mean over events of the policy entropy, summed over heads (nats)
 * @param meanImportanceWeight the mean of the capped importance weights (1 for on-policy events)
 * @param maxImportanceWeight the largest uncapped importance weight
 * @param effectiveSampleSize {@code (sum w)^2 / sum w^2} of the capped weights: {@code B} when all
 *     weights are equal, close to 1 when one event dominates
 * @param cappedWeights how many weights the cap cut
 * @param gradientNorm the L2 norm of the averaged parameter gradient (before clipping)
 */
public record BatchStatistics(
        int batchSize,
        double meanReward,
        double meanAdvantage,
        double meanEntropy,
        double meanImportanceWeight,
        double maxImportanceWeight,
        double effectiveSampleSize,
        int cappedWeights,
        double gradientNorm) {

    /** These statistics with {@code meanReward}: for a learner that sees advantages only. */
    public BatchStatistics withMeanReward(double meanReward) {
        return new BatchStatistics(
                batchSize,
                meanReward,
                meanAdvantage,
                meanEntropy,
                meanImportanceWeight,
                maxImportanceWeight,
                effectiveSampleSize,
                cappedWeights,
                gradientNorm);
    }

    /** Statistics of no batch at all, all zero. */
    public static final BatchStatistics EMPTY = new BatchStatistics(0, 0, 0, 0, 0, 0, 0, 0, 0);
}
