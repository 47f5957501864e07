package org.flinkreinforce.connectors.event;

import org.flinkreinforce.formats.deadletter.DeadLetter;

/**
 * What one Kafka record decodes to: exactly one of a valid {@link PolicyEvent}, a {@link
 * DeadLetter}, or a {@link RankerRecord} (a ranker policy's event, decoded by its learner). A Flink
 * POJO, so the source emits one type and a later operator splits it.
 */
public class DecodedRecord {

    public PolicyEvent event;
    public DeadLetter deadLetter;
    public RankerRecord ranker;

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

    public static DecodedRecord ranker(RankerRecord ranker) {
        DecodedRecord record = new DecodedRecord();
        record.ranker = ranker;
        return record;
    }

    public boolean isRanker() {
        return ranker != null;
    }

    /** Whether it is a valid event of a softmax policy. */
    public boolean isValid() {
        return event != null;
    }

    @Override
    public String toString() {
        return isValid()
                ? event.toString()
                : isRanker() ? ranker.toString() : String.valueOf(deadLetter);
    }
}
