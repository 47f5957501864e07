package org.flinkreinforce.formats.snapshot;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.flinkreinforce.model.PolicySpec;

/**
 * The binary parameter-snapshot format, version 1 (big-endian; the record key is the policy id):
 *
 * <pre>
 * bytes  field
 * 4      magic "RFPS" (ASCII)
 * 2      format version = 1
 * 2      L, then L bytes: policy id (UTF-8)
 * 8      version
 * 8      created-at, milliseconds since the epoch
 * 8      events applied, in all
 * 8      updates, in all
 * 8      applied-event digest ({@link EventDigest})
 * 4      d, the feature dimension
 * 4      H, the number of heads, then H x 4: actions per head
 * 2      S, the number of statistics, then S x 8: float64 statistics in
 *        {@link TrainingStatistics} component order (readers ignore extra ones, missing ones are 0)
 * 4 x P  float32 parameters, P = sum_h n_h (d + 1); per head W_h row-major, then b_h
 * 4      CRC32 of every byte before it
 * </pre>
 *
 * Decoding checks the magic, the version, the lengths, the CRC and that every parameter is finite,
 * and throws {@link SnapshotFormatException} with the reason otherwise.
 */
public final class SnapshotCodec {

    public static final byte[] MAGIC = {'R', 'F', 'P', 'S'};
    public static final int FORMAT_VERSION = 1;

    private SnapshotCodec() {}

    public static byte[] encode(ParameterSnapshot snapshot) {
        PolicySpec spec = snapshot.spec();
        byte[] id = spec.id().getBytes(StandardCharsets.UTF_8);
        if (id.length > 0xffff) {
            throw new IllegalArgumentException("The policy id is longer than 65535 bytes.");
        }
        double[] statistics = snapshot.statistics().toArray();
        int size =
                4
                        + 2
                        + 2
                        + id.length
                        + 5 * 8
                        + 4
                        + 4
                        + 4 * spec.headCount()
                        + 2
                        + 8 * statistics.length
                        + 4 * spec.parameterCount()
                        + 4;
        ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.BIG_ENDIAN);
        buffer.put(MAGIC);
        buffer.putShort((short) FORMAT_VERSION);
        buffer.putShort((short) id.length);
        buffer.put(id);
        buffer.putLong(snapshot.version());
        buffer.putLong(snapshot.createdAtMillis());
        buffer.putLong(snapshot.eventsApplied());
        buffer.putLong(snapshot.updates());
        buffer.putLong(snapshot.eventDigest());
        buffer.putInt(spec.features());
        buffer.putInt(spec.headCount());
        for (int h = 0; h < spec.headCount(); h++) {
            buffer.putInt(spec.actions(h));
        }
        buffer.putShort((short) statistics.length);
        for (double value : statistics) {
            buffer.putDouble(value);
        }
        buffer.asFloatBuffer().put(snapshot.parameters());
        buffer.position(buffer.position() + 4 * spec.parameterCount());
        CRC32 crc = new CRC32();
        crc.update(buffer.array(), 0, buffer.position());
        buffer.putInt((int) crc.getValue());
        return buffer.array();
    }

    /**
     * The snapshot's bytes after its magic and format version, big-endian, once the version is
     * {@code supported} and the trailing CRC32 matches: the checks both snapshot kinds share.
     */
    public static ByteBuffer checkedBody(byte[] bytes, int supported, String kind)
            throws SnapshotFormatException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        buffer.position(4);
        int format = buffer.getShort() & 0xffff;
        if (format != supported) {
            throw new SnapshotFormatException(
                    kind
                            + " format version "
                            + format
                            + " is not supported; this build reads "
                            + supported
                            + ".");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
            throw new SnapshotFormatException("The snapshot's CRC32 does not match its contents.");
        }
        return buffer;
    }

    public static ParameterSnapshot decode(byte[] bytes) throws SnapshotFormatException {
        if (bytes == null || bytes.length < 4 + 2 + 4) {
            throw new SnapshotFormatException("The snapshot is empty or truncated.");
        }
        for (int k = 0; k < MAGIC.length; k++) {
            if (bytes[k] != MAGIC[k]) {
                throw new SnapshotFormatException(
                        "Not a parameter snapshot: the magic is not RFPS.");
            }
        }
        ByteBuffer buffer = checkedBody(bytes, FORMAT_VERSION, "Snapshot");
        try {
            byte[] id = new byte[buffer.getShort() & 0xffff];
            buffer.get(id);
            long version = buffer.getLong();
            long createdAt = buffer.getLong();
            long eventsApplied = buffer.getLong();
            long updates = buffer.getLong();
            long digest = buffer.getLong();
            int features = buffer.getInt();
            int headCount = buffer.getInt();
            if (headCount < 1 || headCount > PolicySpec.MAX_HEADS) {
                throw new SnapshotFormatException("Invalid head count " + headCount + ".");
            }
            int[] heads = new int[headCount];
            for (int h = 0; h < headCount; h++) {
                heads[h] = buffer.getInt();
            }
            PolicySpec spec =
                    new PolicySpec(new String(id, StandardCharsets.UTF_8), features, heads);
            int statisticCount = buffer.getShort() & 0xffff;
            double[] statistics = new double[Math.max(statisticCount, TrainingStatistics.COUNT)];
            for (int k = 0; k < statisticCount; k++) {
                statistics[k] = buffer.getDouble();
            }
            int parameterCount = spec.parameterCount();
            if (buffer.remaining() != 4L * parameterCount + 4) {
                throw new SnapshotFormatException(
                        "The snapshot's length does not match its shape " + spec + ".");
            }
            float[] parameters = new float[parameterCount];
            buffer.asFloatBuffer().get(parameters);
            for (int k = 0; k < parameterCount; k++) {
                if (!Float.isFinite(parameters[k])) {
                    throw new SnapshotFormatException("Parameter " + k + " is not finite.");
                }
            }
            return new ParameterSnapshot(
                    spec,
                    version,
                    createdAt,
                    eventsApplied,
                    updates,
                    parameters,
                    TrainingStatistics.fromArray(statistics),
                    digest);
        } catch (BufferUnderflowException e) {
            throw new SnapshotFormatException("The snapshot is truncated.");
        } catch (IllegalArgumentException e) {
            throw new SnapshotFormatException("Invalid snapshot: " + e.getMessage());
        }
    }
}
