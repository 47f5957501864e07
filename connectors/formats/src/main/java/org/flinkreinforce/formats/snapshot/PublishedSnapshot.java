package org.flinkreinforce.formats.snapshot;

/**
 * An encoded {@link ParameterSnapshot} on its way to the parameters topic: the record key (policy
 * id), the version (for logs and tests) and the {@link SnapshotCodec} bytes. A Flink POJO.
 */
public class PublishedSnapshot {

    public String policyId;
    public long version;
    public byte[] payload;

    public PublishedSnapshot() {}

    public PublishedSnapshot(String policyId, long version, byte[] payload) {
        this.policyId = policyId;
        this.version = version;
        this.payload = payload;
    }

    public static PublishedSnapshot of(ParameterSnapshot snapshot) {
        return new PublishedSnapshot(
                snapshot.policyId(), snapshot.version(), SnapshotCodec.encode(snapshot));
    }

    @Override
    public String toString() {
        return "PublishedSnapshot{" + policyId + " v" + version + ", " + payload.length + " bytes}";
    }
}
