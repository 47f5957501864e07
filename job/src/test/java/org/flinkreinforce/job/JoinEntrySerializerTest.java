package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.flinkreinforce.connectors.event.PendingReward;
import org.junit.jupiter.api.Test;

class JoinEntrySerializerTest {

    private final JoinEntrySerializer serializer = JoinEntrySerializer.INSTANCE;

    private static PendingReward reward(double value, long time, String policyId) {
        PendingReward reward = new PendingReward();
        reward.reward = value;
        reward.timestamp = time;
        reward.policyId = policyId;
        return reward;
    }

    private static JoinEntry early() {
        JoinEntry entry = JoinEntry.early(reward(1, 10, null), 130);
        entry.early.add(reward(-2.5, 12, "nas-\u00e9"));
        return entry;
    }

    private static JoinEntry open() {
        JoinEntry entry = new JoinEntry();
        entry.phase = JoinEntry.Phase.OPEN;
        entry.start = 1_000;
        entry.end = 601_000;
        entry.timer = 601_000;
        entry.decision = new byte[] {1, 2, 3, -4};
        entry.tally = new RewardTally();
        entry.tally.add(1_500, 1);
        entry.tally.add(1_200, 0.25);
        return entry;
    }

    private static JoinEntry openRanker() {
        JoinEntry entry = open();
        entry.ranker = true;
        return entry;
    }

    private static JoinEntry closed() {
        JoinEntry entry = new JoinEntry();
        entry.phase = JoinEntry.Phase.CLOSED;
        entry.start = 1_000;
        entry.end = 601_000;
        entry.timer = entry.forgetAt();
        return entry;
    }

    @Test
    void shouldRoundTripEachPhase() throws Exception {
        for (JoinEntry entry : List.of(early(), open(), openRanker(), closed())) {
            DataOutputSerializer out = new DataOutputSerializer(64);
            serializer.serialize(entry, out);
            serializer.serialize(entry, out);
            DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
            assertThat(serializer.deserialize(in))
                    .usingRecursiveComparison()
                    .withEqualsForType((a, b) -> Double.compare(a, b) == 0, Double.class)
                    .isEqualTo(entry);
            DataOutputSerializer copied = new DataOutputSerializer(64);
            serializer.copy(in, copied);
            assertThat(in.available()).isZero();
            assertThat(serializer.deserialize(new DataInputDeserializer(copied.getCopyOfBuffer())))
                    .usingRecursiveComparison()
                    .withEqualsForType((a, b) -> Double.compare(a, b) == 0, Double.class)
                    .isEqualTo(entry);
        }
    }

    /**
     * A copy is what a snapshot being written keeps while the join goes on with the value it read:
     * the tally and the early rewards, which the join changes in place, are the copy's own; the
     * decision's bytes, which it never changes, are shared.
     */
    @Test
    void shouldCopyWhatTheJoinChangesAndShareTheDecision() {
        JoinEntry open = open();
        JoinEntry copy = serializer.copy(open);
        open.tally.add(2_000, 100);
        assertThat(copy.tally.count).isEqualTo(2);
        assertThat(copy.decision).isSameAs(open.decision);

        JoinEntry early = early();
        JoinEntry earlyCopy = serializer.copy(early);
        early.early.add(reward(3, 14, null));
        early.early.get(0).reward = 9;
        assertThat(earlyCopy.early).hasSize(2);
        assertThat(earlyCopy.early.get(0).reward).isEqualTo(1);
    }

    @Test
    void shouldBeWhatFlinkUsesForTheEntry() {
        assertThat(TypeInformation.of(JoinEntry.class)).isSameAs(JoinEntryTypeInfo.INSTANCE);
    }

    @Test
    void shouldMarkARankersDecisionInThePhaseByte() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(openRanker(), out);
        assertThat(out.getCopyOfBuffer()[0]).isEqualTo((byte) (0x80 | 1));
        assertThat(serializer.copy(openRanker()).ranker).isTrue();
    }

    @Test
    void shouldRefuseAnUnknownPhase() {
        assertThatThrownBy(() -> serializer.deserialize(new DataInputDeserializer(new byte[] {7})))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Unknown phase 7");
    }

    /**
     * The state bytes of the three phases, pinned: pending decisions sit in checkpoints and
     * savepoints, so a change of this layout must come with a new {@link
     * JoinEntrySerializer#LAYOUT} that still reads this one. Layout 2 writes softmax decisions'
     * entries as layout 1 did.
     */
    @Test
    void shouldKeepTheStateBytesOfLayout1() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        List<JoinEntry> entries = new ArrayList<>(List.of(early(), open(), closed()));
        for (JoinEntry entry : entries) {
            serializer.serialize(entry, out);
        }
        byte[] golden;
        try (InputStream in =
                getClass().getClassLoader().getResourceAsStream("golden/join-entry-layout-1.bin")) {
            golden = in.readAllBytes();
        }
        assertThat(out.getCopyOfBuffer()).isEqualTo(golden);
        DataInputDeserializer in = new DataInputDeserializer(golden);
        for (JoinEntry entry : entries) {
            assertThat(serializer.deserialize(in))
                    .usingRecursiveComparison()
                    .withEqualsForType((a, b) -> Double.compare(a, b) == 0, Double.class)
                    .isEqualTo(entry);
        }

        DataOutputSerializer snapshot = new DataOutputSerializer(128);
        TypeSerializerSnapshot.writeVersionedSnapshot(snapshot, serializer.snapshotConfiguration());
        TypeSerializerSnapshot<JoinEntry> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(snapshot.getCopyOfBuffer()),
                        getClass().getClassLoader());
        assertThat(((JoinEntrySerializer.Snapshot) restored).layout())
                .isEqualTo(JoinEntrySerializer.LAYOUT);
        assertThat(restored.restoreSerializer()).isSameAs(serializer);
    }
}
