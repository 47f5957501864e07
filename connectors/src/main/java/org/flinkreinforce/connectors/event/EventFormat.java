package org.flinkreinforce.connectors.event;

import java.util.Locale;

/**
 * The wire formats of events. The learner reads both from the same topic: a record whose first byte
 * is {@link BinaryEventCodec#MAGIC} is binary, anything else is JSON.
 */
public enum EventFormat {
    /** JSON v1: readable, what most producers write (see the README's wire formats). */
    JSON,
    /** Binary v1: compact little-endian, about a third of the JSON size, several times faster. */
    BINARY;

    public byte[] encode(PolicyEvent event) {
        return this == JSON ? JsonEventEncoder.encode(event) : BinaryEventCodec.encode(event);
    }

    public static EventFormat parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Unknown event format '" + text + "': use json or binary.", e);
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
