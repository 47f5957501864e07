package org.flinkreinforce.formats.event;

import java.util.Arrays;
import java.util.Objects;

/**
 * One decision as an application logs it right after deciding, before any reward, to the decisions
 * topic; its rewards follow on the rewards topic as {@link LoggedReward}s that name its event id.
 * The fields are those of a {@link LoggedEvent} but the reward, with the same meaning, types and
 * checks; only the event id is required here. Immutable by contract: the arrays are not copied.
 *
 * @param policyId the policy that decided
 * @param features the context x the policy saw (float32, length d of the policy)
 * @param actions the chosen action of each head
 * @param propensity the probability the serving policy gave the logged action tuple, in (0, 1];
 *     {@link LoggedEvent#ON_POLICY} (NaN) when the decision logged none
 * @param policyVersion the parameter version that decided; {@link LoggedEvent#UNKNOWN_VERSION} when
 *     unknown
 * @param baselineKey the key of the running reward baseline; the decoder defaults it to the policy
 *     id
 * @param eventId unique per decision, at most 256 characters: the rewards name it; never null
 * @param timestamp when the decision was made, milliseconds since the epoch; the decoder defaults
 *     it to the Kafka record's
 */
public record LoggedDecision(
        String policyId,
        float[] features,
        int[] actions,
        double propensity,
        long policyVersion,
        String baselineKey,
        String eventId,
        long timestamp) {

    public LoggedDecision {
        Objects.requireNonNull(eventId, "A decision needs an event id: its rewards name it.");
    }

    /** The decision of {@code fields} (their reward, if any, is not part of it); arrays shared. */
    public static LoggedDecision of(EventFields fields) {
        return new LoggedDecision(
                fields.policyId,
                fields.features,
                fields.actions,
                fields.propensity,
                fields.policyVersion,
                fields.baselineKey,
                fields.eventId,
                fields.timestamp);
    }

    public boolean hasPropensity() {
        return !Double.isNaN(propensity);
    }

    /** The event this decision and that reward make, at the decision's time; arrays shared. */
    public LoggedEvent withReward(double reward) {
        return new LoggedEvent(
                policyId,
                features,
                actions,
                reward,
                propensity,
                policyVersion,
                baselineKey,
                eventId,
                timestamp);
    }

    @Override
    public boolean equals(Object o) {
        return this == o
                || o instanceof LoggedDecision that && withReward(0.0).equals(that.withReward(0.0));
    }

    @Override
    public int hashCode() {
        return Objects.hash(policyId, eventId, timestamp);
    }

    @Override
    public String toString() {
        return "LoggedDecision{eventId="
                + eventId
                + ", policyId="
                + policyId
                + ", actions="
                + Arrays.toString(actions)
                + ", timestamp="
                + timestamp
                + '}';
    }
}
