package org.flinkreinforce.formats.event;

import java.util.Arrays;
import java.util.Objects;

/**
 * One logged decision with its reward, as an application writes it to the events topic and as the
 * {@link EventDecoder} reads it back after validation. Immutable by contract: the arrays are not
 * copied, so neither side may change them after handing them over.
 *
 * @param policyId the policy that decided
 * @param features the context x the policy saw (float32, length d of the policy)
 * @param actions the chosen action of each head
 * @param reward the reward the decision earned (finite)
 * @param propensity the probability the serving policy gave the logged action tuple, in (0, 1], a
 *     double so that the joint probability of many heads does not underflow; {@link #ON_POLICY}
 *     (NaN) when the event logged none
 * @param policyVersion the parameter version that made the decision; {@link #UNKNOWN_VERSION} when
 *     unknown
 * @param baselineKey the key of the running reward baseline; the decoder defaults it to the policy
 *     id
 * @param eventId unique per event; the decoder defaults it to {@code topic-partition-offset}
 * @param timestamp milliseconds since the epoch; the decoder defaults it to the Kafka record's
 */
public record LoggedEvent(
        String policyId,
        float[] features,
        int[] actions,
        double reward,
        double propensity,
        long policyVersion,
        String baselineKey,
        String eventId,
        long timestamp) {

    /** {@link #propensity} of an on-policy event. */
    public static final double ON_POLICY = Double.NaN;

    /** {@link #policyVersion} when the event did not say. */
    public static final long UNKNOWN_VERSION = -1L;

    public boolean hasPropensity() {
        return !Double.isNaN(propensity);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LoggedEvent that)) {
            return false;
        }
        return Double.compare(reward, that.reward) == 0
                && Double.compare(propensity, that.propensity) == 0
                && policyVersion == that.policyVersion
                && timestamp == that.timestamp
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
        return "LoggedEvent{policyId="
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
