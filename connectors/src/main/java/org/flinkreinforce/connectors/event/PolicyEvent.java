package org.flinkreinforce.connectors.event;

import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One logged decision with its reward: the validated form of an event record. Between operators and
 * in state Flink serializes it with {@link PolicyEventSerializer} (no reflection, no Kryo).
 *
 * <ul>
 *   <li>{@code propensity}: the probability the serving policy gave the logged action tuple, in (0,
 *       1]; {@link Float#NaN} when the event logged none (on-policy).
 *   <li>{@code policyVersion}: the parameter version that made the decision; -1 when unknown.
 *   <li>{@code eventId}: unique per event; defaults to {@code topic-partition-offset}.
 *   <li>{@code timestamp}: milliseconds since the epoch; defaults to the Kafka record's timestamp.
 *   <li>{@code advantage}: filled in by the baseline operator; {@link Double#NaN} before that.
 * </ul>
 */
@TypeInfo(PolicyEventTypeInfo.Factory.class)
public class PolicyEvent {

    /** {@link #propensity} of an on-policy event. */
    public static final float ON_POLICY = Float.NaN;

    /** {@link #policyVersion} when the event did not say. */
    public static final long UNKNOWN_VERSION = -1L;

    public String policyId;
    public float[] features;
    public int[] actions;
    public double reward;
    public float propensity = ON_POLICY;
    public long policyVersion = UNKNOWN_VERSION;
    public String baselineKey;
    public String eventId;
    public long timestamp;
    public double advantage = Double.NaN;

    public PolicyEvent() {}

    public PolicyEvent(
            String policyId,
            float[] features,
            int[] actions,
            double reward,
            float propensity,
            long policyVersion,
            String baselineKey,
            String eventId,
            long timestamp) {
        this.policyId = policyId;
        this.features = features;
        this.actions = actions;
        this.reward = reward;
        this.propensity = propensity;
        this.policyVersion = policyVersion;
        this.baselineKey = baselineKey;
        this.eventId = eventId;
        this.timestamp = timestamp;
    }

    public boolean hasPropensity() {
        return !Float.isNaN(propensity);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PolicyEvent)) {
            return false;
        }
        PolicyEvent that = (PolicyEvent) o;
        return Double.compare(reward, that.reward) == 0
                && Float.compare(propensity, that.propensity) == 0
                && policyVersion == that.policyVersion
                && timestamp == that.timestamp
                && Double.compare(advantage, that.advantage) == 0
                && Objects.equals(policyId, that.policyId)
                && Arrays.equals(features, that.features)
                && Arrays.equals(actions, that.actions)
                && Objects.equals(baselineKey, that.baselineKey)
                && Objects.equals(eventId, that.eventId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(policyId, eventId, reward, timestamp);
    }

    @Override
    public String toString() {
        return "PolicyEvent{policyId="
                + policyId
                + ", eventId="
                + eventId
                + ", actions="
                + Arrays.toString(actions)
                + ", reward="
                + reward
                + ", propensity="
                + propensity
                + ", policyVersion="
                + policyVersion
                + ", baselineKey="
                + baselineKey
                + ", features="
                + (features == null ? "null" : features.length + " values")
                + '}';
    }
}
