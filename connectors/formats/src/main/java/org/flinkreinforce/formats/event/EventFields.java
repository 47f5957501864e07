package org.flinkreinforce.formats.event;

/**
 * The fields of a {@link LoggedEvent} in a mutable object, one public field each, as {@link
 * LoggedEvent} documents them: for a consumer that keeps events in a type of its own (the learner's
 * event extends this class). {@link EventDecoder} fills one straight from a record, with no {@link
 * LoggedEvent} made on the way, and {@link #toLogged} gives the event back as it was logged. The
 * arrays are shared, never copied.
 */
public class EventFields {

    public String policyId;
    public float[] features;
    public int[] actions;
    public double reward;
    public double propensity = LoggedEvent.ON_POLICY;
    public long policyVersion = LoggedEvent.UNKNOWN_VERSION;
    public String baselineKey;
    public String eventId;
    public long timestamp;

    public boolean hasPropensity() {
        return !Double.isNaN(propensity);
    }

    /** The event as it was logged; the arrays are shared, not copied. */
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
}
