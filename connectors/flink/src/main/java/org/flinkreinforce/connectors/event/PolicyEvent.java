package org.flinkreinforce.connectors.event;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.flinkreinforce.formats.event.LoggedEvent;
import org.flinkreinforce.model.MicroBatch;

/**
 * The learner's form of a {@link LoggedEvent}: its fields, mutable, plus the {@code advantage} the
 * baseline operator fills in. Between operators and in state Flink serializes it with {@link
 * PolicyEventSerializer} (no reflection, no Kryo). Applications never see this type.
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
    public static final float ON_POLICY = LoggedEvent.ON_POLICY;

    /** {@link #policyVersion} when the event did not say. */
    public static final long UNKNOWN_VERSION = LoggedEvent.UNKNOWN_VERSION;

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

    /** The learner's event for a decoded one; the arrays are shared, not copied. */
    public static PolicyEvent of(LoggedEvent event) {
        return new PolicyEvent(
                event.policyId(),
                event.features(),
                event.actions(),
                event.reward(),
                event.propensity(),
                event.policyVersion(),
                event.baselineKey(),
                event.eventId(),
                event.timestamp());
    }

    /** The event as it was logged, without the advantage: for dead letters of the learner. */
    public LoggedEvent toLogged() {
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

    /**
     * Appends this event to {@code batch} as the estimator reads it: features, actions, reward and
     * advantage (float32), propensity.
     */
    public void addTo(MicroBatch batch) {
        batch.add(features, actions, (float) reward, (float) advantage, propensity);
    }

    public boolean hasPropensity() {
        return !Float.isNaN(propensity);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PolicyEvent that
                && Double.compare(advantage, that.advantage) == 0
                && toLogged().equals(that.toLogged());
    }

    @Override
    public int hashCode() {
        return toLogged().hashCode();
    }

    @Override
    public String toString() {
        return "PolicyEvent{" + toLogged() + ", advantage=" + advantage + '}';
    }
}
