package org.flinkreinforce.job;

import org.flinkreinforce.model.util.SettingNames;

/** How the rewards of one decision that arrived within its window make its reward. */
public enum RewardAggregation {
    /** The reward of the earliest timestamp (the first to arrive among equal timestamps). */
    EARLIEST,
    /** The reward of the latest timestamp (the last to arrive among equal timestamps). */
    LATEST,
    SUM,
    MEAN,
    MIN,
    MAX;

    @Override
    public String toString() {
        return SettingNames.name(this);
    }
}
