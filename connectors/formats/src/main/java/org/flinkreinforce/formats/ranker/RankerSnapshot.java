package org.flinkreinforce.formats.ranker;

import java.util.Objects;
import org.flinkreinforce.formats.snapshot.TrainingStatistics;
import org.flinkreinforce.model.ranker.RankerSpec;

/**
 * A published version of a ranker policy: its spec (bits, hash seed, interactions, limits), so that
 * a client scores exactly as the learner does, and its {@code 2^bits} weights.
 *
 * @param statistics training statistics in the order of the softmax snapshot's
 *     (docs/wire-formats.md), as many as the learner recorded
 * @param weights {@code 2^bits} finite weights; not copied
 */
public record RankerSnapshot(
        RankerSpec spec,
        long version,
        long createdAtMillis,
        long eventsApplied,
        long updates,
        long eventDigest,
        double[] statistics,
        float[] weights) {

    public RankerSnapshot {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(statistics, "statistics");
        spec.requireLength(weights, "weights");
    }

    public String policyId() {
        return spec.id();
    }

    /** Whether the snapshot carries statistics: a ranker publishes none before its first batch. */
    public boolean hasStatistics() {
        return statistics.length > 0;
    }

    /**
     * The {@link #statistics} read as a softmax snapshot's; {@link TrainingStatistics#NONE} where
     * it carries none.
     */
    public TrainingStatistics trainingStatistics() {
        return hasStatistics() ? TrainingStatistics.fromArray(statistics) : TrainingStatistics.NONE;
    }
}
