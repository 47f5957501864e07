package org.flinkreinforce.job;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;
import org.flinkreinforce.connectors.event.LayoutSnapshot;
import org.flinkreinforce.connectors.event.PendingReward;

/**
 * Flink's serializer of the join's {@link JoinEntry}: a byte of phase (its high bit set where the
 * decision is a ranker policy's), the window and the timer, then what the phase holds (the
 * decision's {@link org.flinkreinforce.connectors.event.PolicyEventSerializer} bytes and the tally,
 * or the early rewards), all without the event id, which is the key's; no reflection. The layout is
 * versioned ({@link #LAYOUT}, recorded in checkpoints by its {@link Snapshot}): layout 2 added the
 * ranker bit, never set in layout 1, whose entries it reads unchanged.
 *
 * <p>A copy (which the heap state backend makes of a value read while a snapshot is being written)
 * shares the decision, which the join never changes once it is in state, and copies the rest.
 */
public final class JoinEntrySerializer extends TypeSerializerSingleton<JoinEntry> {

    private static final long serialVersionUID = 1L;

    public static final JoinEntrySerializer INSTANCE = new JoinEntrySerializer();

    /** The layout this serializer writes. */
    public static final int LAYOUT = 2;

    private static final int RANKER = 0x80;

    private static final JoinEntry.Phase[] PHASES = JoinEntry.Phase.values();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public JoinEntry createInstance() {
        return new JoinEntry();
    }

    @Override
    public JoinEntry copy(JoinEntry from) {
        JoinEntry copy = new JoinEntry();
        copy.phase = from.phase;
        copy.start = from.start;
        copy.end = from.end;
        copy.timer = from.timer;
        copy.decision = from.decision;
        copy.ranker = from.ranker;
        copy.tally = from.tally == null ? null : from.tally.copy();
        if (from.early != null) {
            copy.early = new ArrayList<>(from.early.size());
            for (PendingReward reward : from.early) {
                copy.early.add(reward.copy());
            }
        }
        return copy;
    }

    @Override
    public JoinEntry copy(JoinEntry from, JoinEntry reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(JoinEntry entry, DataOutputView out) throws IOException {
        out.writeByte(entry.phase.ordinal() | (entry.ranker ? RANKER : 0));
        out.writeLong(entry.start);
        out.writeLong(entry.end);
        out.writeLong(entry.timer);
        out.writeInt(entry.decision == null ? -1 : entry.decision.length);
        if (entry.decision != null) {
            out.write(entry.decision);
        }
        RewardTally tally = entry.tally;
        out.writeInt(tally == null ? -1 : tally.count);
        if (tally != null) {
            out.writeDouble(tally.sum);
            out.writeDouble(tally.min);
            out.writeDouble(tally.max);
            out.writeLong(tally.earliestTime);
            out.writeDouble(tally.earliest);
            out.writeLong(tally.latestTime);
            out.writeDouble(tally.latest);
        }
        out.writeInt(entry.early == null ? -1 : entry.early.size());
        if (entry.early != null) {
            for (PendingReward reward : entry.early) {
                out.writeDouble(reward.reward);
                out.writeLong(reward.timestamp);
                out.writeBoolean(reward.policyId != null);
                if (reward.policyId != null) {
                    StringValue.writeString(reward.policyId, out);
                }
            }
        }
    }

    @Override
    public JoinEntry deserialize(DataInputView in) throws IOException {
        JoinEntry entry = new JoinEntry();
        int phase = in.readUnsignedByte();
        entry.ranker = (phase & RANKER) != 0;
        phase &= ~RANKER;
        if (phase >= PHASES.length) {
            throw new IOException("Unknown phase " + phase + " of a join entry.");
        }
        entry.phase = PHASES[phase];
        entry.start = in.readLong();
        entry.end = in.readLong();
        entry.timer = in.readLong();
        int decision = in.readInt();
        if (decision >= 0) {
            entry.decision = new byte[decision];
            in.readFully(entry.decision);
        }
        int count = in.readInt();
        if (count >= 0) {
            RewardTally tally = new RewardTally();
            tally.count = count;
            tally.sum = in.readDouble();
            tally.min = in.readDouble();
            tally.max = in.readDouble();
            tally.earliestTime = in.readLong();
            tally.earliest = in.readDouble();
            tally.latestTime = in.readLong();
            tally.latest = in.readDouble();
            entry.tally = tally;
        }
        int early = in.readInt();
        if (early >= 0) {
            List<PendingReward> rewards = new ArrayList<>(early);
            for (int i = 0; i < early; i++) {
                PendingReward reward = new PendingReward();
                reward.reward = in.readDouble();
                reward.timestamp = in.readLong();
                if (in.readBoolean()) {
                    reward.policyId = StringValue.readString(in);
                }
                rewards.add(reward);
            }
            entry.early = rewards;
        }
        return entry;
    }

    @Override
    public JoinEntry deserialize(JoinEntry reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<JoinEntry> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The layout of the join entries a checkpoint holds. */
    public static final class Snapshot extends LayoutSnapshot<JoinEntry> {

        public Snapshot() {
            super(LAYOUT);
        }

        @Override
        protected TypeSerializer<JoinEntry> serializer() {
            return INSTANCE;
        }

        @Override
        protected int newestLayout() {
            return LAYOUT;
        }
    }
}
