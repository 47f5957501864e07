package org.flinkreinforce.formats.snapshot;

import java.util.Arrays;
import java.util.Objects;
import org.flinkreinforce.model.BatchStatistics;

/**
 * The training statistics a snapshot carries: those of the latest applied micro-batch, plus
 * counters over the policy's life. On the wire they are a list of float64 values in the order of
 * the components (see {@link SnapshotCodec}); {@link #toArray()} and {@link #fromArray} are that
 * list, and the one place that gives the order.
 *
 * <p>The first nine components are the model's {@link BatchStatistics} of the latest applied batch
 * (see there for their definitions), as float64; {@link #of} copies them over. The {@link
 * ValidationStatistics} follow the first eleven values on the wire, and only when there are some: a
 * snapshot without them has the eleven values of the first release, and reads back with {@link
 * ValidationStatistics#NONE}.
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
 * @param validation the progressive validation of the policy over recent events
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
        double rejectedBatches,
        ValidationStatistics validation) {

    /** The number of values on the wire without validation, as the first release wrote them. */
    static final int COUNT = 11;

    /** All zero: the statistics of a policy that has applied no batch yet. */
    public static final TrainingStatistics NONE = fromArray(new double[COUNT]);

    public TrainingStatistics {
        Objects.requireNonNull(validation, "validation");
    }

    /**
     * The statistics of a just-applied {@code batch}, with the learner's staleness and rejection
     * count.
     */
    public static TrainingStatistics of(
            BatchStatistics batch,
            double meanStaleness,
            long rejectedBatches,
            ValidationStatistics validation) {
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
                rejectedBatches,
                validation);
    }

    /** The same statistics with a new count of rejected batches. */
    public TrainingStatistics withRejectedBatches(long rejected) {
        double[] components = toArray();
        components[COUNT - 1] = rejected;
        return fromArray(components);
    }

    /** The same statistics with {@code validation}. */
    public TrainingStatistics withValidation(ValidationStatistics validation) {
        double[] components = Arrays.copyOf(toArray(), COUNT + ValidationStatistics.COUNT);
        validation.copyTo(components, COUNT);
        return fromArray(components);
    }

    /**
     * The components in declaration order, as carried on the wire: eleven values, and the seven of
     * the validation after them where it {@linkplain ValidationStatistics#isPresent is present}.
     */
    public double[] toArray() {
        double[] values =
                new double[validation.isPresent() ? COUNT + ValidationStatistics.COUNT : COUNT];
        values[0] = batchSize;
        values[1] = meanReward;
        values[2] = meanAdvantage;
        values[3] = meanEntropy;
        values[4] = meanImportanceWeight;
        values[5] = maxImportanceWeight;
        values[6] = effectiveSampleSize;
        values[7] = cappedWeights;
        values[8] = gradientNorm;
        values[9] = meanStaleness;
        values[10] = rejectedBatches;
        if (validation.isPresent()) {
            validation.copyTo(values, COUNT);
        }
        return values;
    }

    /**
     * The inverse of {@link #toArray()}: the validation is read where {@code v} holds it, values
     * beyond it (written by a later release) are ignored.
     *
     * @throws ArrayIndexOutOfBoundsException if {@code v} holds fewer than {@link #COUNT} values
     */
    public static TrainingStatistics fromArray(double[] v) {
        ValidationStatistics validation =
                v.length >= COUNT + ValidationStatistics.COUNT
                        ? ValidationStatistics.from(v, COUNT)
                        : ValidationStatistics.NONE;
        return new TrainingStatistics(
                v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], validation);
    }
}
