package org.flinkreinforce.job;

/**
 * Keyed state of a policy's operators: the control-topic record of the policy they applied last,
 * its offset and its value ({@code null} where the policy was removed). A Flink POJO; {@code
 * StateLayoutTest} pins its layout.
 */
public class AppliedDefinition {

    /** The record's offset on the (single-partition) control topic. */
    public long offset;

    /** The encoded definition; {@code null} for a removal. */
    public byte[] value;

    public AppliedDefinition() {}

    public AppliedDefinition(long offset, byte[] value) {
        this.offset = offset;
        this.value = value;
    }
}
