package org.flinkreinforce.formats.deadletter;

/**
 * Why a record went to the dead-letter topic. The names are a stable part of the wire format; later
 * releases may add names, so a reader of dead letters must expect names it does not know ({@link
 * DeadLetterCodec#decode} reports one as an {@link java.io.IOException}).
 */
public enum DeadLetterReason {
    /** A null value (tombstone), no bytes, or only whitespace. */
    EMPTY,
    /** More bytes than the configured maximum event size. */
    TOO_LARGE,
    /**
     * Not a JSON object: syntax error, truncation, invalid UTF-8, duplicate or too deeply nested
     * fields.
     */
    MALFORMED_JSON,
    /**
     * A binary event, decision, reward or ranker record (first byte 0xB7, 0xB8, 0xB9, 0xBA or 0xBB)
     * that is truncated, has bytes left over, unknown flags, or a string that is not valid UTF-8;
     * or a binary record of another kind than its topic's (a binary event on the decisions topic,
     * say).
     */
    MALFORMED_BINARY,
    /** A format version (JSON or binary) this build does not read. */
    UNSUPPORTED_VERSION,
    /**
     * A required field is absent: of an event policyId, reward, or action/actions; of a decision
     * the same but reward, and eventId; of a reward eventId and reward.
     */
    MISSING_FIELD,
    /** A field has the wrong JSON type, e.g. a string where a number belongs. */
    WRONG_TYPE,
    /** The policy id names no policy defined when the event reached the learner. */
    UNKNOWN_POLICY,
    /** The number of features differs from the policy's dimension. */
    FEATURE_DIMENSION,
    /** The number of actions differs from the policy's number of heads. */
    ACTION_COUNT,
    /** An action is negative, not an integer, or not below its head's number of actions. */
    ACTION_OUT_OF_RANGE,
    /** A reward, feature or propensity is NaN or infinite, or overflows its type. */
    NON_FINITE,
    /** A propensity outside (0, 1]. */
    BAD_PROPENSITY,
    /**
     * A valid event whose micro-batch produced a non-finite gradient or update: the batch was
     * rejected as a whole and none of its events reached the parameters.
     */
    REJECTED_BATCH,
    /**
     * A valid event buffered for a policy that was removed (while the job ran, or before it
     * restored): it was never applied. Send it again once the policy is back.
     */
    POLICY_REMOVED,
    /**
     * A valid event of a policy whose spec changed before it was learned (while the job ran, or
     * when it restored): it no longer fits and was never applied.
     */
    POLICY_CHANGED,
    /**
     * A valid reward that arrived after its decision's reward window had closed (in event time):
     * its decision was already learned from without it.
     */
    LATE_REWARD,
    /** A valid reward whose event id names no decision that arrived within the reward window. */
    ORPHAN_REWARD,
    /** A valid decision whose event id an earlier decision, still awaiting rewards, already has. */
    DUPLICATE_DECISION,
    /** A ranker decision with no candidates, or more than its policy's {@code max-candidates}. */
    CANDIDATE_COUNT,
    /** A ranker decision whose {@code chosen} is not the index of one of its candidates. */
    CHOSEN_OUT_OF_RANGE,
    /**
     * A ranker decision whose shared context or one of whose candidates has more features than its
     * policy's {@code max-features}.
     */
    FEATURE_COUNT,
    /**
     * A binary ranker decision whose features were hashed with another seed than its policy's: its
     * hashes would index the wrong weights.
     */
    HASH_SEED_MISMATCH
}
