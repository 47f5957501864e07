package org.flinkreinforce.formats.deadletter;

import java.util.Objects;

/**
 * A rejected record: why, where it came from, and its original bytes. A Flink POJO.
 *
 * @see DeadLetterCodec for its JSON wire format
 */
public class DeadLetter {

    public DeadLetterReason reason;
    public String detail;
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;

    /** The record's key bytes, or null. */
    public byte[] key;

    /** The record's value bytes, or null for a tombstone. */
    public byte[] value;

    /**
     * Where a dead letter read back carries only the first {@link DeadLetterCodec#MAX_BYTES} bytes
     * of the original key or value: the original's length; -1 where it carries all of it.
     */
    public int keyLength = -1;

    public int valueLength = -1;

    /** The SHA-256 (hex) of the original key and value, where a dead letter read back cut them. */
    public String keySha256;

    public String valueSha256;

    public DeadLetter() {}

    public DeadLetter(
            DeadLetterReason reason,
            String detail,
            String topic,
            int partition,
            long offset,
            long timestamp,
            byte[] key,
            byte[] value) {
        this.reason = Objects.requireNonNull(reason);
        this.detail = detail;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }

    @Override
    public String toString() {
        return "DeadLetter{"
                + reason
                + ": "
                + detail
                + " at "
                + topic
                + "-"
                + partition
                + "@"
                + offset
                + '}';
    }
}
