package org.flinkreinforce.connectors.event;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.flinkreinforce.formats.event.EventFields;
import org.flinkreinforce.formats.event.LoggedEvent;
import org.flinkreinforce.model.MicroBatch;

/**
 * The learner's form of a {@link LoggedEvent}: its fields, mutable ({@link EventFields}, which the
 * decoder fills), plus the {@code advantage} the baseline operator fills in, {@link Double#NaN}
 * before that. Between operators and in state Flink serializes it with {@link
 * PolicyEventSerializer} (no reflection, no Kryo). Applications never see this type.
 */
@TypeInfo(PolicyEventTypeInfo.Factory.class)
public class PolicyEvent extends EventFields {

    /** {@link #propensity} of an on-policy event. */
    public static final float ON_POLICY = LoggedEvent.ON_POLICY;

    /** {@link #policyVersion} when the event did not say. */
    public static final long UNKNOWN_VERSION = LoggedEvent.UNKNOWN_VERSION;

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

    /**
     * Appends this event to {@code batch} as the estimator reads it: features, actions, reward and
     * advantage (float32), propensity.
     */
    public void addTo(MicroBatch batch) {
        batch.add(features, actions, (float) reward, (float) advantage, propensity);
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
