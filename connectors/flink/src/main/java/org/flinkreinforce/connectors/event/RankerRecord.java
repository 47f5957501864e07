package org.flinkreinforce.connectors.event;

/**
 * A ranker record as the source read it, not yet decoded: its policy is keyed by the id, and the
 * learner of ranker policies decodes it with the policy's spec (JSON features are hashed with its
 * seed). Either an event of the events topic, which carries its reward, or a decision of the
 * decisions topic, which the job joined with its rewards: then {@link #reward} is the joined
 * reward. A Flink POJO.
 */
public class RankerRecord {

    public String policyId;
    public byte[] key;
    public byte[] value;
    public String topic;
    public int partition;
    public long offset;

    /**
     * Milliseconds since the epoch: the Kafka record's timestamp, or, for a decision, the time the
     * join gave it (its {@code timestamp} field, else the Kafka record's).
     */
    public long timestamp;

    /** A decision's event id, the join's key; null for an event (its value has its id). */
    public String eventId;

    /**
     * A decision's reward as the join aggregated it (or its default); null for an event, whose
     * value carries its reward.
     */
    public Double reward;

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

    /** Whether this is a decision the job joined with its reward, not an event. */
    public boolean isJoined() {
        return reward != null;
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
