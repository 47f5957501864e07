package org.flinkreinforce.formats.event;

import java.util.Map;
import org.flinkreinforce.model.PolicySpec;

/**
 * Decodes and validates decisions, JSON v1 or binary v1 (first byte {@link
 * EventFormat#BINARY_DECISION_MAGIC}), as {@link EventDecoder} does events: the same readers and
 * checks, but a decision has no reward (a JSON {@code reward} is skipped as an unknown field) and
 * must have an event id. It never throws on any input: every record becomes a valid {@link
 * LoggedDecision} or a dead letter with a reason. Not thread-safe; create one per task.
 */
public final class DecisionDecoder implements RecordDecoder<LoggedDecision> {

    private static final long serialVersionUID = 1L;

    private final EventDecoder decisions;

    /** A decoder that checks decisions against {@code policies}, as {@link EventDecoder} does. */
    public DecisionDecoder(Map<String, PolicySpec> policies, int maxEventBytes) {
        this(new EventDecoder(RecordKind.DECISION, policies, true, maxEventBytes, true));
    }

    /**
     * A decoder that leaves the checks against a spec to a later step, as {@link
     * EventDecoder#withoutSpecs}.
     */
    public static DecisionDecoder withoutSpecs(
            Map<String, PolicySpec> policies, int maxEventBytes) {
        return new DecisionDecoder(
                new EventDecoder(RecordKind.DECISION, policies, false, maxEventBytes, true));
    }

    DecisionDecoder(EventDecoder decisions) {
        this.decisions = decisions;
    }

    @Override
    public Decoded<LoggedDecision> decode(
            String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        return decisions.decodeRecord(
                topic, partition, offset, timestamp, key, value, LoggedDecision::of);
    }
}
