package org.flinkreinforce.cli.bench;

import org.flinkreinforce.model.util.SettingNames;

/** Where {@code bench}'s events carry their rewards. */
public enum RewardsMode {
    /** Pre-joined events, each with its reward, on the events topic: the learner's fast path. */
    INLINE,
    /**
     * Also the same events logged apart, decisions and their delayed rewards, and learned with
     * {@code rewards.join}: the join's rate next to the pre-joined one, in one run.
     */
    SPLIT;

    @Override
    public String toString() {
        return SettingNames.name(this);
    }
}
