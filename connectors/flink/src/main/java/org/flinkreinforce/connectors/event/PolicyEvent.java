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
 *
 * <p>A marker ({@link #isChange()}) carries a {@link PolicyChange} instead of an event: the
 * baseline operator passes each change it applied on to the learner in the stream of events, so
 * that the two stay one chain and the learner sees the change exactly between the events before and
 * after it.
 */
@TypeInfo(PolicyEventTypeInfo.Factory.class)
public class PolicyEvent extends EventFields {

    /** {@link #propensity} of an on-policy event. */
    public static final double ON_POLICY = LoggedEvent.ON_POLICY;

    /** {@link #policyVersion} when the event did not say. */
    public static final long UNKNOWN_VERSION = LoggedEvent.UNKNOWN_VERSION;

    public double advantage = Double.NaN;

    /** The policy change this marker carries; {@code null} for an event. */
    public PolicyChange change;

    public PolicyEvent() {}

    /** A marker that carries {@code change} to the learner. */
    public static PolicyEvent marker(PolicyChange change) {
        PolicyEvent marker = new PolicyEvent();
        marker.policyId = change.policyId;
        marker.change = change;
        return marker;
    }

    /** Whether this is a marker of a policy change rather than an event. */
    public boolean isChange() {
        return change != null;
    }

    public PolicyEvent(
            String policyId,
            float[] features,
            int[] actions,
            double reward,
            double propensity,
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
                && toLogged().equals(that.toLogged())
                && (change == null
                        ? that.change == null
                        : that.change != null
                                && change.offset == that.change.offset
                                && java.util.Arrays.equals(change.value, that.change.value));
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
