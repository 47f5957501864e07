package org.flinkreinforce.formats.event;

import org.flinkreinforce.formats.deadletter.DeadLetterReason;

/**
 * Why a record is not a valid event: a {@link DeadLetterReason} and a detail for people. The event
 * readers and the validation throw it; {@link EventDecoder} turns it into a dead letter and never
 * lets it out. It carries no stack trace: it is control flow, not an error.
 */
public final class EventRejection extends Exception {

    private static final long serialVersionUID = 1L;

    private final DeadLetterReason reason;

    public EventRejection(DeadLetterReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public DeadLetterReason reason() {
        return reason;
    }
}
