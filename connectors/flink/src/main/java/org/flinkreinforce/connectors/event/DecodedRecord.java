package org.flinkreinforce.connectors.event;

import org.flinkreinforce.formats.deadletter.DeadLetter;

/**
 * What one Kafka record decodes to: exactly one of a valid {@link PolicyEvent} or a {@link
 * DeadLetter}. A Flink POJO, so the source emits one type and a later operator splits it.
 */
public class DecodedRecord {

    public PolicyEvent event;
    public DeadLetter deadLetter;

    public DecodedRecord() {}

    public static DecodedRecord valid(PolicyEvent event) {
        DecodedRecord record = new DecodedRecord();
        record.event = event;
        return record;
    }

    public static DecodedRecord rejected(DeadLetter deadLetter) {
        DecodedRecord record = new DecodedRecord();
        record.deadLetter = deadLetter;
        return record;
    }

    public boolean isValid() {
        return event != null;
    }

    @Override
    public String toString() {
        return isValid() ? event.toString() : String.valueOf(deadLetter);
    }
}
