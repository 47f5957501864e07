package org.flinkreinforce.formats.event;

import org.flinkreinforce.formats.deadletter.DeadLetter;

/**
 * What one record decodes to: exactly one of a valid record (a {@link LoggedDecision} or {@link
 * LoggedReward}) or a {@link DeadLetter} that says why not.
 */
public record Decoded<R>(R record, DeadLetter deadLetter) {

    public static <R> Decoded<R> valid(R record) {
        return new Decoded<>(record, null);
    }

    public static <R> Decoded<R> rejected(DeadLetter deadLetter) {
        return new Decoded<>(null, deadLetter);
    }

    public boolean isValid() {
        return record != null;
    }
}
