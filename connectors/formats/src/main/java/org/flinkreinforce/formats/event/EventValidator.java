package org.flinkreinforce.formats.event;

import java.util.Map;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.model.PolicySpec;

/**
 * The checks of an event against its policy, the same for every format, in one place: the policy is
 * configured, the reward and actions are there, the feature count is the policy's d, there is one
 * action per head, each in range. The readers check only what their format says (types, finiteness,
 * and what an {@link OptionalField} requires of its value).
 *
 * <p>Without policies, a decoder checks only what needs no spec; the learner, which follows the
 * policies as they change, checks the rest with {@link #checkAgainst} when the event reaches its
 * policy.
 *
 * <p>A decision is checked as an event without a reward, but must have an event id; a reward must
 * have an event id and a reward, and its policy id is a hint that is not checked.
 */
public final class EventValidator {

    private final RecordKind kind;

    /** The policies by id; {@code null} where the checks against a spec are left to the learner. */
    private final Map<String, PolicySpec> policies;

    EventValidator(RecordKind kind, Map<String, PolicySpec> policies) {
        this.kind = kind;
        this.policies = policies;
    }

    /** Checks that the draft describes a valid record of its kind, which the draft then fills. */
    void validate(EventDraft draft) throws EventRejection {
        if (kind == RecordKind.REWARD) {
            requireEventId(draft, "it names the decision");
            if (!draft.hasReward) {
                throw missing("reward");
            }
            checkLength("eventId", draft.eventId);
            return;
        }
        if (draft.policyId == null) {
            throw missing("policyId");
        }
        PolicySpec spec = policies == null ? null : policies.get(draft.policyId);
        if (spec == null && policies != null) {
            throw unknownPolicy(draft.policyId);
        }
        if (kind == RecordKind.EVENT && !draft.hasReward) {
            throw missing("reward");
        }
        if (kind == RecordKind.DECISION) {
            requireEventId(draft, "its rewards name it");
        }
        // Both become durable state (the baseline key a map key, the event id in a pending
        // batch): bounded, whatever max-event-bytes allows.
        checkLength("baselineKey", draft.baselineKey);
        checkLength("eventId", draft.eventId);
        checkActionsGiven(draft.actionsField);
        if (spec != null) {
            checkAgainst(
                    spec,
                    draft.hasFeatures,
                    draft.featureCount,
                    draft.actions,
                    draft.actionCount,
                    draft.actionsField == EventDraft.ActionsField.SINGLE);
        }
    }

    private static EventRejection missing(String field) {
        return new EventRejection(
                DeadLetterReason.MISSING_FIELD, "The field " + field + " is missing.");
    }

    private void requireEventId(EventDraft draft, String why) throws EventRejection {
        if (draft.eventId == null) {
            throw new EventRejection(
                    DeadLetterReason.MISSING_FIELD,
                    "The field eventId is missing; "
                            + kind.withArticle()
                            + " needs one: "
                            + why
                            + ".");
        }
    }

    /** The rejection of an event whose policy is not (or no longer) defined. */
    public static EventRejection unknownPolicy(String policyId) {
        return new EventRejection(
                DeadLetterReason.UNKNOWN_POLICY,
                "No policy '" + abbreviate(policyId) + "' is configured.");
    }

    /**
     * Checks an event's features and actions against its policy's spec: the feature count is the
     * policy's d (none given is fine only where d is 0), one action per head, each in range.
     *
     * @param single whether the event gave one {@code action} rather than an array (for the
     *     message)
     */
    public static void checkAgainst(
            PolicySpec spec,
            boolean hasFeatures,
            int featureCount,
            int[] actions,
            int actionCount,
            boolean single)
            throws EventRejection {
        if (!hasFeatures) {
            featureCount = missingFeatures(spec);
        }
        if (featureCount != spec.features()) {
            throw new EventRejection(
                    DeadLetterReason.FEATURE_DIMENSION,
                    "Policy "
                            + spec.id()
                            + " needs "
                            + spec.features()
                            + " features, the event has "
                            + featureCount
                            + ".");
        }
        checkActions(spec, actions, actionCount, single);
    }

    /** The longest {@code baselineKey} and {@code eventId}, in characters. */
    static final int MAX_ID_CHARS = 256;

    private static void checkLength(String field, String value) throws EventRejection {
        if (value != null && value.length() > MAX_ID_CHARS) {
            throw new EventRejection(
                    DeadLetterReason.TOO_LARGE,
                    "The field "
                            + field
                            + " has "
                            + value.length()
                            + " characters, more than "
                            + MAX_ID_CHARS
                            + ".");
        }
    }

    static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    private static void checkActionsGiven(EventDraft.ActionsField field) throws EventRejection {
        if (field == EventDraft.ActionsField.MISSING) {
            throw new EventRejection(
                    DeadLetterReason.MISSING_FIELD, "The field action (or actions) is missing.");
        }
        if (field == EventDraft.ActionsField.CONFLICTING) {
            throw new EventRejection(
                    DeadLetterReason.ACTION_COUNT, "Give either action or actions, once.");
        }
    }

    /** The feature count of an event without features: 0, where the policy takes none. */
    private static int missingFeatures(PolicySpec spec) throws EventRejection {
        if (spec.features() > 0) {
            throw new EventRejection(
                    DeadLetterReason.MISSING_FIELD,
                    "The field features is missing; policy "
                            + spec.id()
                            + " needs "
                            + spec.features()
                            + ".");
        }
        return 0;
    }

    private static void checkActions(
            PolicySpec spec, int[] actions, int actionCount, boolean single) throws EventRejection {
        if (actionCount != spec.headCount()) {
            throw new EventRejection(
                    DeadLetterReason.ACTION_COUNT,
                    "Policy "
                            + spec.id()
                            + " has "
                            + spec.headCount()
                            + " heads, the event has "
                            + actionCount
                            + (single ? " action." : " actions."));
        }
        for (int h = 0; h < actionCount; h++) {
            int action = actions[h];
            if (action < 0 || action >= spec.actions(h)) {
                throw new EventRejection(
                        DeadLetterReason.ACTION_OUT_OF_RANGE,
                        "Action "
                                + action
                                + " of head "
                                + h
                                + " is outside [0, "
                                + spec.actions(h)
                                + ").");
            }
        }
    }
}
