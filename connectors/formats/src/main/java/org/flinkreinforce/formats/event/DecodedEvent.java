package org.flinkreinforce.formats.event;

import org.flinkreinforce.formats.deadletter.DeadLetter;

/**
 * What one record decodes to: exactly one of a valid {@link LoggedEvent} or a {@link DeadLetter}
 * that says why not.
 */
public record DecodedEvent(LoggedEvent event, DeadLetter deadLetter) {

    public static DecodedEvent valid(LoggedEvent event) {
        return new DecodedEvent(event, null);
    }

    public static DecodedEvent rejected(DeadLetter deadLetter) {
        return new DecodedEvent(null, deadLetter);
    }

    public boolean isValid() {
        return event != null;
    }
}
