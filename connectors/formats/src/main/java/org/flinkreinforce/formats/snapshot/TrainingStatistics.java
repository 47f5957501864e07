package org.flinkreinforce.formats.snapshot;

import org.flinkreinforce.model.BatchStatistics;

/**
 * The training statistics a snapshot carries: those of the latest applied micro-batch, plus
 * counters over the policy's life. On the wire they are a list of float64 values in the order of
 * the components (see {@link SnapshotCodec}).
 *
 * @param batchSize events in the latest batch
 * @param meanReward mean reward of the latest batch
 * @param meanAdvantage mean advantage of the latest batch
 * @param meanEntropy mean policy entropy (nats, summed over heads) on the latest batch
 * @param meanImportanceWeight mean capped importance weight of the latest batch
 * @param maxImportanceWeight largest uncapped importance weight of the latest batch
 * @param effectiveSampleSize effective sample size of the latest batch's weights
 * @param cappedWeights weights the cap cut in the latest batch
 * @param gradientNorm gradient norm of the latest batch, before clipping
 * @param meanStaleness mean of (version at update - policyVersion of the event) over the latest
 *     batch's events that carried a policyVersion; 0 if none did
 * @param rejectedBatches batches rejected for a non-finite gradient or update, in all
 */
public record TrainingStatistics(
        double batchSize,
        double meanReward,
        double meanAdvantage,
        double meanEntropy,
        double meanImportanceWeight,
        double maxImportanceWeight,
        double effectiveSampleSize,
        double cappedWeights,
        double gradientNorm,
        double meanStaleness,
        double rejectedBatches) {

    public static final TrainingStatistics NONE =
            new TrainingStatistics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** The number of values on the wire. */
    static final int COUNT = 11;

    public static TrainingStatistics of(
            BatchStatistics batch, double meanStaleness, long rejectedBatches) {
        return new TrainingStatistics(
                batch.batchSize(),
                batch.meanReward(),
                batch.meanAdvantage(),
                batch.meanEntropy(),
                batch.meanImportanceWeight(),
                batch.maxImportanceWeight(),
                batch.effectiveSampleSize(),
                batch.cappedWeights(),
                batch.gradientNorm(),
                meanStaleness,
                rejectedBatches);
    }

    /** The same statistics with a new count of rejected batches. */
    public TrainingStatistics withRejectedBatches(long rejected) {
        return new TrainingStatistics(
                batchSize,
                meanReward,
                meanAdvantage,
                meanEntropy,
                meanImportanceWeight,
                maxImportanceWeight,
                effectiveSampleSize,
                cappedWeights,
                gradientNorm,
                meanStaleness,
                rejected);
    }

    /** The components in declaration order, as carried on the wire. */
    public double[] toArray() {
        return new double[] {
            batchSize, meanReward, meanAdvantage, meanEntropy, meanImportanceWeight,
            maxImportanceWeight, effectiveSampleSize, cappedWeights, gradientNorm, meanStaleness,
            rejectedBatches
        };
    }

    /** The inverse of {@link #toArray()}. */
    public static TrainingStatistics fromComponents(double[] v) {
        return fromArray(v);
    }

    static TrainingStatistics fromArray(double[] v) {
        return new TrainingStatistics(
                v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]);
    }
}
