package org.flinkreinforce.formats.event;

import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.model.util.SettingNames;

/**
 * The wire formats of events and their constants, in one place. The learner reads both from the
 * same topic: a record whose first byte is {@link #BINARY_MAGIC} is binary, anything else is JSON.
 */
public enum EventFormat {
    /** JSON v1: readable, what most producers write (see docs/wire-formats.md). */
    JSON(1, "Event format"),
    /** Binary v1: compact little-endian, about a third of the JSON size, several times faster. */
    BINARY(1, "Binary event format");

    /** The first byte of every binary event; never the first byte of a JSON text. */
    public static final byte BINARY_MAGIC = (byte) 0xB7;

    /** The deepest nesting of JSON objects and arrays a JSON event may have. */
    static final int MAX_JSON_NESTING = 16;

    private final int version;

    /** What a dead letter's detail calls the format. */
    private final String name;

    EventFormat(int version, String name) {
        this.version = version;
        this.name = name;
    }

    /** The version of this format that this release writes and reads. */
    public int version() {
        return version;
    }

    /** Rejects a record of this format that says it is of version {@code found}, another one. */
    void requireVersion(long found) throws EventRejection {
        if (found != version) {
            throw new EventRejection(
                    DeadLetterReason.UNSUPPORTED_VERSION,
                    name
                            + " version "
                            + found
                            + " is not supported; this learner reads version "
                            + version
                            + ".");
        }
    }

    /** The format of a record's value, by its first byte. */
    public static EventFormat of(byte[] value) {
        return value.length > 0 && value[0] == BINARY_MAGIC ? BINARY : JSON;
    }

    public byte[] encode(LoggedEvent event) {
        return this == JSON ? JsonEventEncoder.encode(event) : BinaryEventCodec.encode(event);
    }

    public static EventFormat parse(String text) {
        return SettingNames.parse(EventFormat.class, text, "event format");
    }

    @Override
    public String toString() {
        return SettingNames.name(this);
    }
}
