package org.flinkreinforce.cli.sim;

import java.util.Locale;

/** How the simulated application logs a reward: apart from its decision, or with it. */
public enum RewardForm {
    /**
     * The decision at once to the decisions topic, the reward when it comes (if it does) to the
     * rewards topic; a learner with {@code rewards.join} joins them.
     */
    SPLIT,
    /** One event with its reward to the events topic, as if the reward were known at once. */
    INLINE;

    /** {@code split} or {@code inline}, as on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The form of a label, {@code split} or {@code inline}. */
    public static RewardForm of(String label) {
        for (RewardForm form : values()) {
            if (form.label().equals(label)) {
                return form;
            }
        }
        throw new IllegalArgumentException(
                "Invalid reward form '" + label + "': expected split or inline.");
    }
}
