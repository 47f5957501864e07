package org.flinkreinforce.connectors.event;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;

/**
 * Flink's serializer of {@link JoinInput} on its way to the join (keyed by event id): one byte of
 * kind, then the decision ({@link PolicyEventSerializer}), the ranker decision's, the reward's or
 * the dead letter's fields; no reflection. The layout is versioned ({@link #LAYOUT}, recorded by
 * its {@link Snapshot}): layout 2 added the ranker decision's kind, and reads layout 1 unchanged;
 * layout 3 writes a decision as its {@link EncodedDecision} (event id, policy id, time, then the
 * bytes it holds, which are {@link PolicyEventSerializer}'s layout {@link
 * PolicyEventSerializer#FORMAT_VERSION}: a new layout of that serializer is a new layout of this
 * one), and reads a decision of the earlier layouts, the whole event, into one. From layout 3 the
 * ids of decisions and rewards (event id, policy id) are written as their length and bytes where
 * they are ASCII ({@link #writeId}), the join's thread reading each with one copy.
 */
public final class JoinInputSerializer extends TypeSerializerSingleton<JoinInput> {

    private static final long serialVersionUID = 1L;

    public static final JoinInputSerializer INSTANCE = new JoinInputSerializer();

    /** The layout this serializer writes. */
    public static final int LAYOUT = 3;

    private static final int DECISION = 0;
    private static final int REWARD = 1;
    private static final int REWARD_WITH_POLICY = 2;
    private static final int DEAD_LETTER = 3;
    private static final int RANKER_DECISION = 4;
    private static final int ENCODED_DECISION = 5;
    private static final int REWARD_IDS = 6;
    private static final int REWARD_IDS_WITH_POLICY = 7;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public JoinInput createInstance() {
        return new JoinInput();
    }

    @Override
    public JoinInput copy(JoinInput from) {
        JoinInput copy = new JoinInput();
        copy.decision = from.decision;
        if (from.reward != null) {
            copy.reward = from.reward.copy();
        }
        if (from.ranker != null) {
            copy.ranker = copyRanker(from.ranker);
        }
        copy.deadLetter = from.deadLetter;
        return copy;
    }

    @Override
    public JoinInput copy(JoinInput from, JoinInput reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(JoinInput input, DataOutputView out) throws IOException {
        if (input.decision != null) {
            EncodedDecision decision = input.decision;
            out.writeByte(ENCODED_DECISION);
            writeId(decision.eventId, out);
            out.writeBoolean(decision.policyId != null);
            if (decision.policyId != null) {
                writeId(decision.policyId, out);
            }
            out.writeLong(decision.timestamp);
            out.writeInt(decision.bytes.length);
            out.write(decision.bytes);
        } else if (input.ranker != null) {
            out.writeByte(RANKER_DECISION);
            writeRanker(input.ranker, out);
        } else if (input.reward != null) {
            PendingReward reward = input.reward;
            out.writeByte(reward.policyId == null ? REWARD_IDS : REWARD_IDS_WITH_POLICY);
            writeId(reward.eventId, out);
            out.writeDouble(reward.reward);
            out.writeLong(reward.timestamp);
            if (reward.policyId != null) {
                writeId(reward.policyId, out);
            }
        } else {
            out.writeByte(DEAD_LETTER);
            writeDeadLetter(input.deadLetter, out);
        }
    }

    @Override
    public JoinInput deserialize(DataInputView in) throws IOException {
        JoinInput input = new JoinInput();
        int kind = in.readUnsignedByte();
        switch (kind) {
            case ENCODED_DECISION:
                String eventId = readId(in);
                String policyId = in.readBoolean() ? readId(in) : null;
                long timestamp = in.readLong();
                byte[] bytes = new byte[in.readInt()];
                in.readFully(bytes);
                input.decision = new EncodedDecision(eventId, policyId, timestamp, bytes);
                break;
            case DECISION:
                input.decision = EncodedDecision.of(PolicyEventSerializer.INSTANCE.deserialize(in));
                break;
            case REWARD:
            case REWARD_WITH_POLICY:
                PendingReward reward = new PendingReward();
                reward.eventId = StringValue.readString(in);
                reward.reward = in.readDouble();
                reward.timestamp = in.readLong();
                if (kind == REWARD_WITH_POLICY) {
                    reward.policyId = StringValue.readString(in);
                }
                input.reward = reward;
                break;
            case REWARD_IDS:
            case REWARD_IDS_WITH_POLICY:
                PendingReward ids = new PendingReward();
                ids.eventId = readId(in);
                ids.reward = in.readDouble();
                ids.timestamp = in.readLong();
                if (kind == REWARD_IDS_WITH_POLICY) {
                    ids.policyId = readId(in);
                }
                input.reward = ids;
                break;
            case DEAD_LETTER:
                input.deadLetter = readDeadLetter(in);
                break;
            case RANKER_DECISION:
                input.ranker = readRanker(in);
                break;
            default:
                throw new IOException("Unknown kind " + kind + " of a join input.");
        }
        return input;
    }

    /**
     * Writes a ranker record's fields but its reward, which it has from the join on: policy id,
     * event id, key, value, topic, partition, offset, timestamp.
     */
    public static void writeRanker(RankerRecord ranker, DataOutputView out) throws IOException {
        StringValue.writeString(ranker.policyId, out);
        writeNullable(ranker.eventId, out);
        writeNullable(ranker.key, out);
        writeNullable(ranker.value, out);
        writeNullable(ranker.topic, out);
        out.writeInt(ranker.partition);
        out.writeLong(ranker.offset);
        out.writeLong(ranker.timestamp);
    }

    /** Reads what {@link #writeRanker} wrote. */
    public static RankerRecord readRanker(DataInputView in) throws IOException {
        RankerRecord ranker = new RankerRecord();
        ranker.policyId = StringValue.readString(in);
        ranker.eventId = readNullableString(in);
        ranker.key = readNullableBytes(in);
        ranker.value = readNullableBytes(in);
        ranker.topic = readNullableString(in);
        ranker.partition = in.readInt();
        ranker.offset = in.readLong();
        ranker.timestamp = in.readLong();
        return ranker;
    }

    /** A copy of {@code ranker} that shares its key and value, which nothing changes. */
    private static RankerRecord copyRanker(RankerRecord from) {
        RankerRecord copy =
                new RankerRecord(
                        from.policyId,
                        from.key,
                        from.value,
                        from.topic,
                        from.partition,
                        from.offset,
                        from.timestamp);
        copy.eventId = from.eventId;
        copy.reward = from.reward;
        return copy;
    }

    private static void writeDeadLetter(DeadLetter letter, DataOutputView out) throws IOException {
        StringValue.writeString(letter.reason.name(), out);
        writeNullable(letter.detail, out);
        writeNullable(letter.topic, out);
        out.writeInt(letter.partition);
        out.writeLong(letter.offset);
        out.writeLong(letter.timestamp);
        writeNullable(letter.key, out);
        writeNullable(letter.value, out);
        out.writeInt(letter.keyLength);
        out.writeInt(letter.valueLength);
        writeNullable(letter.keySha256, out);
        writeNullable(letter.valueSha256, out);
    }

    private static DeadLetter readDeadLetter(DataInputView in) throws IOException {
        DeadLetter letter = new DeadLetter();
        String reason = StringValue.readString(in);
        try {
            letter.reason = DeadLetterReason.valueOf(reason);
        } catch (IllegalArgumentException e) {
            throw new IOException("Unknown dead-letter reason " + reason + ".", e);
        }
        letter.detail = readNullableString(in);
        letter.topic = readNullableString(in);
        letter.partition = in.readInt();
        letter.offset = in.readLong();
        letter.timestamp = in.readLong();
        letter.key = readNullableBytes(in);
        letter.value = readNullableBytes(in);
        letter.keyLength = in.readInt();
        letter.valueLength = in.readInt();
        letter.keySha256 = readNullableString(in);
        letter.valueSha256 = readNullableString(in);
        return letter;
    }

    /**
     * Writes an id as its length and its chars as bytes where every char is ASCII (an id's usual
     * form, read back with one copy and no loop over its chars), else as -1 and {@link
     * StringValue}'s form.
     */
    static void writeId(String id, DataOutputView out) throws IOException {
        int length = id.length();
        for (int i = 0; i < length; i++) {
            if (id.charAt(i) >= 0x80) {
                out.writeInt(-1);
                StringValue.writeString(id, out);
                return;
            }
        }
        out.writeInt(length);
        // Not writeBytes: DataOutputSerializer's moves its position past the string twice.
        for (int i = 0; i < length; i++) {
            out.writeByte(id.charAt(i));
        }
    }

    /** Reads what {@link #writeId} wrote. */
    static String readId(DataInputView in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return StringValue.readString(in);
        }
        byte[] ascii = new byte[length];
        in.readFully(ascii);
        return new String(ascii, StandardCharsets.ISO_8859_1);
    }

    private static void writeNullable(String value, DataOutputView out) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            StringValue.writeString(value, out);
        }
    }

    private static void writeNullable(byte[] value, DataOutputView out) throws IOException {
        out.writeInt(value == null ? -1 : value.length);
        if (value != null) {
            out.write(value);
        }
    }

    private static String readNullableString(DataInputView in) throws IOException {
        return in.readBoolean() ? StringValue.readString(in) : null;
    }

    private static byte[] readNullableBytes(DataInputView in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] value = new byte[length];
        in.readFully(value);
        return value;
    }

    @Override
    public JoinInput deserialize(JoinInput reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<JoinInput> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The layout of the join inputs a checkpoint holds (in flight, with unaligned checkpoints). */
    public static final class Snapshot extends LayoutSnapshot<JoinInput> {

        public Snapshot() {
            super(LAYOUT);
        }

        @Override
        protected TypeSerializer<JoinInput> serializer() {
            return INSTANCE;
        }

        @Override
        protected int newestLayout() {
            return LAYOUT;
        }
    }
}
