package org.flinkreinforce.connectors.event;

import org.flinkreinforce.formats.event.LoggedReward;

/** A reward on its way to its decision: a Flink POJO for the join's input and keyed state. */
public class PendingReward {

    public String eventId;
    public double reward;

    /** The policy that decided, a hint; {@code null} where the reward did not say. */
    public String policyId;

    /** Milliseconds since the epoch: the record's timestamp, or its arrival in processing time. */
    public long timestamp;

    public PendingReward() {}

    public static PendingReward of(LoggedReward reward) {
        PendingReward pending = new PendingReward();
        pending.eventId = reward.eventId();
        pending.reward = reward.reward();
        pending.policyId = reward.policyId();
        pending.timestamp = reward.timestamp();
        return pending;
    }

    public PendingReward copy() {
        PendingReward copy = new PendingReward();
        copy.eventId = eventId;
        copy.reward = reward;
        copy.policyId = policyId;
        copy.timestamp = timestamp;
        return copy;
    }

    public LoggedReward toLogged() {
        return new LoggedReward(eventId, reward, policyId, timestamp);
    }
}
