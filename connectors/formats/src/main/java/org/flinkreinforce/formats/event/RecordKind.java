package org.flinkreinforce.formats.event;

import java.util.Set;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;

/**
 * The kinds of logged records, each on a topic of its own: an event (a decision with its reward), a
 * decision (logged when made, before any reward) and a reward (for an earlier decision, named by
 * its event id). All three share the readers of both formats, the field table ({@link
 * OptionalField}) and the {@link EventValidator}; they differ in the JSON fields they read, the
 * binary layout and first byte, and the fields they require. The first byte of each binary format
 * is a UTF-8 continuation byte, so never the first byte of a JSON text nor of another kind's binary
 * record.
 */
enum RecordKind {
    /** {@link LoggedEvent}: every field. */
    EVENT("event", EventFormat.BINARY_MAGIC, Set.of()),
    /** {@link LoggedDecision}: the event's fields but the reward; the event id is required. */
    DECISION("decision", EventFormat.BINARY_DECISION_MAGIC, Set.of("reward")),
    /** {@link LoggedReward}: the event id, the reward, and optionally policy id and timestamp. */
    REWARD(
            "reward",
            EventFormat.BINARY_REWARD_MAGIC,
            Set.of("features", "action", "actions", "propensity", "policyVersion", "baselineKey"));

    /** The version of every kind's JSON and binary format that this release writes and reads. */
    static final int VERSION = 1;

    /**
     * The binary version of an event or a decision whose propensity is a float64: written only
     * where float32 would not hold it (below {@link Float#MIN_NORMAL}, the joint probability of
     * many heads), so that learners of version 1 go on reading every other record.
     */
    static final int WIDE_PROPENSITY_VERSION = 2;

    /** What the messages call a record of this kind. */
    final String noun;

    /** The first byte of this kind's binary records. */
    final byte magic;

    /** The event's JSON fields that this kind does not have: a reader skips them. */
    private final Set<String> skipped;

    RecordKind(String noun, byte magic, Set<String> skipped) {
        this.noun = noun;
        this.magic = magic;
        this.skipped = skipped;
    }

    /** Whether a JSON record of this kind reads the event's field of that name. */
    boolean reads(String jsonField) {
        return !skipped.contains(jsonField);
    }

    /** The kind whose binary format starts {@code value}; {@code null} for JSON (or nothing). */
    static RecordKind ofBinary(byte[] value) {
        if (value.length == 0) {
            return null;
        }
        byte first = value[0];
        for (RecordKind kind : KINDS) {
            if (first == kind.magic) {
                return kind;
            }
        }
        return null;
    }

    private static final RecordKind[] KINDS = values();

    /** "an event", "a decision", "a reward". */
    String withArticle() {
        return (noun.charAt(0) == 'e' ? "an " : "a ") + noun;
    }

    static String capitalised(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    /**
     * Rejects a record of this kind that says it is of version {@code found}, another one (binary
     * events and decisions may also be of {@link #WIDE_PROPENSITY_VERSION}).
     */
    void requireVersion(boolean binary, long found) throws EventRejection {
        if (found != VERSION && !(binary && this != REWARD && found == WIDE_PROPENSITY_VERSION)) {
            throw new EventRejection(
                    DeadLetterReason.UNSUPPORTED_VERSION,
                    (binary ? "Binary " + noun : capitalised(noun))
                            + " format version "
                            + found
                            + " is not supported; this learner reads "
                            + (binary && this != REWARD
                                    ? "versions " + VERSION + " and " + WIDE_PROPENSITY_VERSION
                                    : "version " + VERSION)
                            + ".");
        }
    }

    /** The rejection of a binary record of kind {@code found} where one of this kind belongs. */
    EventRejection wrongKind(RecordKind found) {
        return new EventRejection(
                DeadLetterReason.MALFORMED_BINARY,
                String.format(
                        "The record is %s in binary (first byte 0x%02X), not %s: was it sent to"
                                + " the wrong topic?",
                        found.withArticle(), found.magic & 0xFF, withArticle()));
    }
}
