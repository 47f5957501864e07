package org.flinkreinforce.connectors.event;

/**
 * A ranker record (event) as the source read it, not yet decoded: its policy is keyed by the id,
 * and the learner of ranker policies decodes it with the policy's spec (JSON features are hashed
 * with its seed). A Flink POJO.
 */
public class RankerRecord {

    public String policyId;
    public byte[] key;
    public byte[] value;
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;

    public RankerRecord() {}

    public RankerRecord(
            String policyId,
            byte[] key,
            byte[] value,
            String topic,
            int partition,
            long offset,
            long timestamp) {
        this.policyId = policyId;
        this.key = key;
        this.value = value;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
    }

    /** The id the learner gives an event that has none: {@code topic-partition-offset}. */
    public String defaultEventId() {
        return topic + "-" + partition + "-" + offset;
    }

    @Override
    public String toString() {
        return "RankerRecord{" + policyId + " at " + topic + "-" + partition + "@" + offset + "}";
    }
}
