package org.flinkreinforce.formats.event;

import java.util.Arrays;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.model.PolicySpec;

/**
 * An event as a reader found it, before {@link EventValidator} checks it against its policy: every
 * field of a {@link LoggedEvent} plus what was present. Features and actions sit in buffers reused
 * from record to record; one draft per decoder. A reader fills a draft that {@link #reset} cleared;
 * the {@link OptionalField}s store their values here.
 */
final class EventDraft {

    /** How the record gave its actions. */
    enum ActionsField {
        /** Neither {@code action} nor {@code actions}. */
        MISSING,
        /** {@code action}: one head. */
        SINGLE,
        /** {@code actions}: one per head. */
        ARRAY,
        /** Both, or one of them twice. */
        CONFLICTING
    }

    String policyId;
    float[] features = new float[64];
    int featureCount;
    boolean hasFeatures;
    int[] actions = new int[8];
    int actionCount;
    ActionsField actionsField;
    double reward;
    boolean hasReward;
    double propensity;
    long policyVersion;
    String baselineKey;
    String eventId;
    long timestamp;

    void reset(long recordTimestamp) {
        policyId = null;
        featureCount = 0;
        hasFeatures = false;
        actionCount = 0;
        actionsField = ActionsField.MISSING;
        reward = 0.0;
        hasReward = false;
        propensity = LoggedEvent.ON_POLICY;
        policyVersion = LoggedEvent.UNKNOWN_VERSION;
        baselineKey = null;
        eventId = null;
        timestamp = recordTimestamp;
    }

    /**
     * Writes the event, once valid, into {@code event} and returns it: the arrays are exact-size
     * copies of the buffers; the baseline key defaults to the policy id.
     *
     * @param nullWithoutFeatures {@code null} features where the record gave none, else an empty
     *     array
     */
    <E extends EventFields> E fill(E event, boolean nullWithoutFeatures) {
        event.policyId = policyId;
        event.features =
                nullWithoutFeatures && !hasFeatures ? null : Arrays.copyOf(features, featureCount);
        event.actions = Arrays.copyOf(actions, actionCount);
        event.reward = reward;
        event.propensity = propensity;
        event.policyVersion = policyVersion;
        event.baselineKey = baselineKey == null ? policyId : baselineKey;
        event.eventId = eventId;
        event.timestamp = timestamp;
        return event;
    }

    /** Records the field {@code action}: a second actions field makes them conflict. */
    void singleAction(int action) {
        actions[0] = action;
        actionCount = 1;
        actionsField =
                actionsField == ActionsField.MISSING
                        ? ActionsField.SINGLE
                        : ActionsField.CONFLICTING;
    }

    /** Records {@code count} actions read into {@link #actions}. */
    void actionArray(int count) {
        actionCount = count;
        actionsField = ActionsField.ARRAY;
    }

    /** Records {@code count} features read into {@link #features}. */
    void features(int count) {
        featureCount = count;
        hasFeatures = true;
    }

    float[] growFeatures(int maxEventBytes) throws EventRejection {
        if (features.length >= maxEventBytes / 2) {
            throw new EventRejection(DeadLetterReason.TOO_LARGE, "Too many features.");
        }
        features = Arrays.copyOf(features, features.length * 2);
        return features;
    }

    int[] growActions() throws EventRejection {
        if (actions.length >= PolicySpec.MAX_HEADS) {
            throw new EventRejection(DeadLetterReason.ACTION_COUNT, "Too many actions.");
        }
        actions = Arrays.copyOf(actions, actions.length * 2);
        return actions;
    }
}
