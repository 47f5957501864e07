package org.flinkreinforce.connectors.event;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.flinkreinforce.formats.deadletter.DeadLetter;

/**
 * One record for the join of decisions and rewards: exactly one of a decision (an event without its
 * reward, which is {@link Double#NaN}, {@link EncodedDecision encoded}), a ranker policy's decision
 * (its record undecoded, with its event id and time), a reward, or the dead letter of a record that
 * is none of them. A Flink type of its own ({@link JoinInputSerializer}), so that the two topics'
 * records make one stream, keyed by event id once the dead letters are split off.
 */
@TypeInfo(JoinInputTypeInfo.Factory.class)
public class JoinInput {

    public EncodedDecision decision;
    public RankerRecord ranker;
    public PendingReward reward;
    public DeadLetter deadLetter;

    public JoinInput() {}

    public static JoinInput decision(EncodedDecision decision) {
        JoinInput input = new JoinInput();
        input.decision = decision;
        return input;
    }

    /** {@code decision} (its reward {@link Double#NaN}), encoded. */
    public static JoinInput decision(PolicyEvent decision) {
        return decision(EncodedDecision.of(decision));
    }

    /** A ranker policy's decision: {@code ranker} with its event id, no reward. */
    public static JoinInput ranker(RankerRecord ranker) {
        JoinInput input = new JoinInput();
        input.ranker = ranker;
        return input;
    }

    public static JoinInput reward(PendingReward reward) {
        JoinInput input = new JoinInput();
        input.reward = reward;
        return input;
    }

    public static JoinInput rejected(DeadLetter deadLetter) {
        JoinInput input = new JoinInput();
        input.deadLetter = deadLetter;
        return input;
    }

    public boolean isValid() {
        return deadLetter == null;
    }

    /** The record's timestamp, milliseconds since the epoch; that of a dead letter's record. */
    public long timestamp() {
        if (decision != null) {
            return decision.timestamp;
        }
        if (ranker != null) {
            return ranker.timestamp;
        }
        return reward != null ? reward.timestamp : deadLetter.timestamp;
    }

    /** The event id, the join's key. */
    public String eventId() {
        if (decision != null) {
            return decision.eventId;
        }
        return ranker != null ? ranker.eventId : reward.eventId;
    }
}
