package org.flinkreinforce.formats.event;

import java.util.Objects;

/**
 * One reward for an earlier {@link LoggedDecision}, as an application logs it to the rewards topic
 * once it knows what the decision earned. A decision may get several.
 *
 * @param eventId the decision's event id, at most 256 characters; never null
 * @param reward what the decision earned (finite), higher is better
 * @param policyId the policy that decided, a hint for consumers; {@code null} where not given
 * @param timestamp when the reward was observed, milliseconds since the epoch; the decoder defaults
 *     it to the Kafka record's
 */
public record LoggedReward(String eventId, double reward, String policyId, long timestamp) {

    public LoggedReward {
        Objects.requireNonNull(eventId, "A reward needs the event id of its decision.");
    }
}
