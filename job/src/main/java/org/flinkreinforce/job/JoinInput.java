package org.flinkreinforce.job;

import org.flinkreinforce.connectors.event.PolicyEvent;

/**
 * One record for the join of decisions and rewards: exactly one of a decision (an event without its
 * reward, which is {@link Double#NaN}) or a reward. A Flink POJO, so that the two sources' records
 * make one stream keyed by event id.
 */
public class JoinInput {

    public PolicyEvent decision;
    public PendingReward reward;

    public JoinInput() {}

    public static JoinInput decision(PolicyEvent decision) {
        JoinInput input = new JoinInput();
        input.decision = decision;
        return input;
    }

    public static JoinInput reward(PendingReward reward) {
        JoinInput input = new JoinInput();
        input.reward = reward;
        return input;
    }

    /** The event id, the join's key. */
    public String eventId() {
        return decision != null ? decision.eventId : reward.eventId;
    }
}
