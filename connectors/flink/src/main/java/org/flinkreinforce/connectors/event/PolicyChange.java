package org.flinkreinforce.connectors.event;

/**
 * One record of the policy control topic, as the job's control stream carries it to the policy's
 * operators (keyed by policy id): the policy, the record's offset and its value, {@code null} for a
 * tombstone (the policy was removed). Decoded where it is applied, so that a bad record is refused
 * there, once, with its policy named. A Flink POJO.
 */
public class PolicyChange {

    public String policyId;
    public long offset;
    public byte[] value;

    public PolicyChange() {}

    public PolicyChange(String policyId, long offset, byte[] value) {
        this.policyId = policyId;
        this.offset = offset;
        this.value = value;
    }

    public boolean isRemoval() {
        return value == null;
    }

    @Override
    public String toString() {
        return "PolicyChange{" + policyId + " at " + offset + (value == null ? ", removed}" : "}");
    }
}
