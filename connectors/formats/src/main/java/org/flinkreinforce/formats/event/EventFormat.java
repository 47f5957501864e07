package org.flinkreinforce.formats.event;

import org.flinkreinforce.model.util.SettingNames;

/**
 * The wire formats of events, decisions and rewards, and their constants, in one place. A decoder
 * tells the formats apart by the first byte: a record whose first byte is its kind's magic ({@link
 * #BINARY_MAGIC} for events) is binary, one that starts with another kind's magic belongs on
 * another topic, anything else is JSON.
 */
public enum EventFormat {
    /** JSON v1: readable, what most producers write (see docs/wire-formats.md). */
    JSON(1),
    /** Binary v1: compact little-endian, about a third of the JSON size, several times faster. */
    BINARY(1);

    /** The first byte of every binary event; never the first byte of a JSON text. */
    public static final byte BINARY_MAGIC = (byte) 0xB7;

    /** The first byte of every binary decision; never the first byte of a JSON text. */
    public static final byte BINARY_DECISION_MAGIC = (byte) 0xB8;

    /** The first byte of every binary reward; never the first byte of a JSON text. */
    public static final byte BINARY_REWARD_MAGIC = (byte) 0xB9;

    /** The deepest nesting of JSON objects and arrays a JSON event may have. */
    static final int MAX_JSON_NESTING = 16;

    private final int version;

    EventFormat(int version) {
        this.version = version;
    }

    /** The version of this format that this release writes and reads. */
    public int version() {
        return version;
    }

    /** The format of a record's value, by its first byte. */
    public static EventFormat of(byte[] value) {
        return value.length > 0 && value[0] == BINARY_MAGIC ? BINARY : JSON;
    }

    public byte[] encode(LoggedEvent event) {
        return this == JSON ? JsonEventEncoder.encode(event) : BinaryEventCodec.encode(event);
    }

    /** A decision in this format, for the decisions topic. */
    public byte[] encode(LoggedDecision decision) {
        return this == JSON ? JsonEventEncoder.encode(decision) : BinaryEventCodec.encode(decision);
    }

    /** A reward in this format, for the rewards topic. */
    public byte[] encode(LoggedReward reward) {
        return this == JSON ? JsonEventEncoder.encode(reward) : BinaryEventCodec.encode(reward);
    }

    public static EventFormat parse(String text) {
        return SettingNames.parse(EventFormat.class, text, "event format");
    }

    @Override
    public String toString() {
        return SettingNames.name(this);
    }
}
