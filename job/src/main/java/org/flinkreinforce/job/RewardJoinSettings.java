package org.flinkreinforce.job;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

/**
 * How the learner joins decisions with their rewards ({@link JoinRewardsFunction}).
 *
 * @param waits how long a decision waits for rewards after its time, in milliseconds, per policy
 *     id; {@code defaultWait} for a policy not in the map
 * @param defaultWait the wait of the policies {@code waits} does not name, positive
 * @param earlyWindow how long before its decision a reward may be timed and still count, in
 *     milliseconds, not negative
 * @param aggregation how several rewards make one
 * @param defaultReward the reward of a decision that got none; {@link Double#NaN} to drop such a
 *     decision (counted) instead
 * @param processingTime whether windows run on the join's clock, records timed by their arrival,
 *     rather than on the records' timestamps and the watermarks
 */
public record RewardJoinSettings(
        Map<String, Long> waits,
        long defaultWait,
        long earlyWindow,
        RewardAggregation aggregation,
        double defaultReward,
        boolean processingTime)
        implements Serializable {

    public RewardJoinSettings {
        waits = Map.copyOf(waits);
        Objects.requireNonNull(aggregation, "The reward aggregation must not be null.");
        if (defaultWait <= 0 || waits.values().stream().anyMatch(w -> w <= 0)) {
            throw new IllegalArgumentException("A reward wait must be positive.");
        }
        if (earlyWindow < 0) {
            throw new IllegalArgumentException(
                    "The early window of rewards must not be negative: " + earlyWindow + " ms.");
        }
        if (Double.isInfinite(defaultReward)) {
            throw new IllegalArgumentException("The default reward must be finite (or NaN).");
        }
    }

    /** These settings with {@code waits} instead of theirs. */
    public RewardJoinSettings withWaits(Map<String, Long> waits) {
        return new RewardJoinSettings(
                waits, defaultWait, earlyWindow, aggregation, defaultReward, processingTime);
    }

    /** The wait of {@code policyId}'s decisions. */
    public long waitOf(String policyId) {
        return waits.getOrDefault(policyId, defaultWait);
    }

    /** Whether a decision that got no reward is dropped rather than given the default. */
    public boolean dropsUnrewarded() {
        return Double.isNaN(defaultReward);
    }
}
