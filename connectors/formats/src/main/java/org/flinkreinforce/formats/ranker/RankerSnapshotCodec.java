package org.flinkreinforce.formats.ranker;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.flinkreinforce.formats.snapshot.SnapshotCodec;
import org.flinkreinforce.formats.snapshot.SnapshotFormatException;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.RankerSpec;

/**
 * The binary ranker-snapshot format, version 1 (big-endian, as the softmax snapshot; the record key
 * is the policy id; docs/wire-formats.md): its own magic {@code "RFRS"}, so that a reader of the
 * parameters topic tells the two apart by their first four bytes. The weights are written dense
 * ({@code 2^bits} float32) or sparse (the nonzero ones as index and value), whichever is smaller.
 */
public final class RankerSnapshotCodec {

    public static final byte[] MAGIC = {'R', 'F', 'R', 'S'};
    public static final int FORMAT_VERSION = 1;

    static final int DENSE = 0;
    static final int SPARSE = 1;

    private RankerSnapshotCodec() {}

    /** Whether {@code bytes} start with a ranker snapshot's magic. */
    public static boolean isRankerSnapshot(byte[] bytes) {
        if (bytes == null || bytes.length < MAGIC.length) {
            return false;
        }
        for (int k = 0; k < MAGIC.length; k++) {
            if (bytes[k] != MAGIC[k]) {
                return false;
            }
        }
        return true;
    }

    public static byte[] encode(RankerSnapshot snapshot) {
        RankerSpec spec = snapshot.spec();
        byte[] id = utf8(spec.id());
        List<byte[]> interactions = new ArrayList<>();
        int interactionBytes = 0;
        for (Interaction interaction : spec.interactions()) {
            byte[] shared = utf8(interaction.shared());
            byte[] candidate = utf8(interaction.candidate());
            interactions.add(shared);
            interactions.add(candidate);
            interactionBytes += 4 + shared.length + candidate.length;
        }
        float[] weights = snapshot.weights();
        int nonzero = 0;
        for (float weight : weights) {
            nonzero += weight != 0 ? 1 : 0;
        }
        boolean sparse = 4L + 8L * nonzero < 4L * weights.length;
        long weightBytes = sparse ? 4L + 8L * nonzero : 4L * weights.length;
        long size =
                4
                        + 2
                        + 2
                        + id.length
                        + 5 * 8
                        + 1
                        + 4
                        + 2
                        + 2
                        + 2
                        + interactionBytes
                        + 2
                        + 8L * snapshot.statistics().length
                        + 1
                        + weightBytes
                        + 4;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "Ranker policy " + spec.id() + "'s snapshot would take " + size + " bytes.");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) size).order(ByteOrder.BIG_ENDIAN);
        buffer.put(MAGIC);
        buffer.putShort((short) FORMAT_VERSION);
        putString(buffer, id);
        buffer.putLong(snapshot.version());
        buffer.putLong(snapshot.createdAtMillis());
        buffer.putLong(snapshot.eventsApplied());
        buffer.putLong(snapshot.updates());
        buffer.putLong(snapshot.eventDigest());
        buffer.put((byte) spec.bits());
        buffer.putInt(spec.seed());
        buffer.putShort((short) spec.maxCandidates());
        buffer.putShort((short) spec.maxFeatures());
        buffer.putShort((short) spec.interactions().size());
        for (byte[] name : interactions) {
            putString(buffer, name);
        }
        buffer.putShort((short) snapshot.statistics().length);
        for (double value : snapshot.statistics()) {
            buffer.putDouble(value);
        }
        buffer.put((byte) (sparse ? SPARSE : DENSE));
        if (sparse) {
            buffer.putInt(nonzero);
            for (int j = 0; j < weights.length; j++) {
                if (weights[j] != 0) {
                    buffer.putInt(j);
                    buffer.putFloat(weights[j]);
                }
            }
        } else {
            buffer.asFloatBuffer().put(weights);
            buffer.position(buffer.position() + 4 * weights.length);
        }
        CRC32 crc = new CRC32();
        crc.update(buffer.array(), 0, buffer.position());
        buffer.putInt((int) crc.getValue());
        return buffer.array();
    }

    public static RankerSnapshot decode(byte[] bytes) throws SnapshotFormatException {
        if (!isRankerSnapshot(bytes) || bytes.length < 4 + 2 + 4) {
            throw new SnapshotFormatException(
                    "Not a ranker snapshot: empty, truncated, or the magic is not RFRS.");
        }
        ByteBuffer buffer = SnapshotCodec.checkedBody(bytes, FORMAT_VERSION, "Ranker snapshot");
        try {
            String id = string(buffer);
            long version = buffer.getLong();
            long createdAt = buffer.getLong();
            long eventsApplied = buffer.getLong();
            long updates = buffer.getLong();
            long digest = buffer.getLong();
            int bits = buffer.get() & 0xff;
            int seed = buffer.getInt();
            int maxCandidates = buffer.getShort() & 0xffff;
            int maxFeatures = buffer.getShort() & 0xffff;
            int interactionCount = buffer.getShort() & 0xffff;
            List<Interaction> interactions = new ArrayList<>();
            for (int i = 0; i < interactionCount; i++) {
                interactions.add(new Interaction(string(buffer), string(buffer)));
            }
            RankerSpec spec =
                    new RankerSpec(id, bits, seed, interactions, maxCandidates, maxFeatures);
            double[] statistics = new double[buffer.getShort() & 0xffff];
            for (int k = 0; k < statistics.length; k++) {
                statistics[k] = buffer.getDouble();
            }
            int encoding = buffer.get() & 0xff;
            float[] weights = new float[spec.weightCount()];
            if (encoding == SPARSE) {
                int count = buffer.getInt();
                if (count < 0 || buffer.remaining() != 8L * count + 4) {
                    throw new SnapshotFormatException(
                            "The snapshot's length does not match its " + count + " weights.");
                }
                for (int k = 0; k < count; k++) {
                    int index = buffer.getInt();
                    if (index < 0 || index >= weights.length) {
                        throw new SnapshotFormatException(
                                "Weight index " + index + " is outside 2^" + bits + ".");
                    }
                    weights[index] = buffer.getFloat();
                }
            } else if (encoding == DENSE) {
                if (buffer.remaining() != 4L * weights.length + 4) {
                    throw new SnapshotFormatException(
                            "The snapshot's length does not match 2^" + bits + " weights.");
                }
                buffer.asFloatBuffer().get(weights);
            } else {
                throw new SnapshotFormatException("Unknown weight encoding " + encoding + ".");
            }
            for (int j = 0; j < weights.length; j++) {
                if (!Float.isFinite(weights[j])) {
                    throw new SnapshotFormatException("Weight " + j + " is not finite.");
                }
            }
            return new RankerSnapshot(
                    spec, version, createdAt, eventsApplied, updates, digest, statistics, weights);
        } catch (BufferUnderflowException e) {
            throw new SnapshotFormatException("The snapshot is truncated.");
        } catch (IllegalArgumentException e) {
            throw new SnapshotFormatException("Invalid ranker snapshot: " + e.getMessage());
        }
    }

    private static byte[] utf8(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0xffff) {
            throw new IllegalArgumentException("A string is longer than 65535 bytes.");
        }
        return bytes;
    }

    private static void putString(ByteBuffer buffer, byte[] bytes) {
        buffer.putShort((short) bytes.length);
        buffer.put(bytes);
    }

    private static String string(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.getShort() & 0xffff];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
