package org.flinkreinforce.connectors.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.StringValue;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.junit.jupiter.api.Test;

class JoinInputSerializerTest {

    private final JoinInputSerializer serializer = JoinInputSerializer.INSTANCE;

    private static PendingReward reward(String policyId) {
        PendingReward reward = new PendingReward();
        reward.eventId = "id-\u4e16";
        reward.reward = -0.5;
        reward.policyId = policyId;
        reward.timestamp = 1_700_000_000_123L;
        return reward;
    }

    @Test
    void shouldRoundTripADecisionARankerDecisionARewardAndADeadLetter() throws Exception {
        PolicyEvent decision =
                new PolicyEvent(
                        "recs",
                        new float[] {1.5f, -2},
                        new int[] {3},
                        Double.NaN,
                        0.25f,
                        7,
                        "recs",
                        "e-1",
                        99);
        DeadLetter letter =
                new DeadLetter(
                        DeadLetterReason.MALFORMED_JSON,
                        "not JSON",
                        "reinforce-rewards",
                        2,
                        41,
                        5,
                        null,
                        new byte[] {1, 2});
        letter.valueLength = 2;
        letter.valueSha256 = "ab";
        RankerRecord ranker =
                new RankerRecord("shop", null, new byte[] {(byte) 0xBB, 1}, "decisions", 1, 8, 77);
        ranker.eventId = "r-\u00e9";
        for (JoinInput input :
                new JoinInput[] {
                    JoinInput.decision(decision),
                    JoinInput.ranker(ranker),
                    JoinInput.reward(reward(null)),
                    JoinInput.reward(reward("nas")),
                    JoinInput.rejected(letter)
                }) {
            DataOutputSerializer out = new DataOutputSerializer(64);
            serializer.serialize(input, out);
            serializer.serialize(input, out);
            DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
            assertThat(serializer.deserialize(in))
                    .usingRecursiveComparison()
                    .withEqualsForType((a, b) -> Double.compare(a, b) == 0, Double.class)
                    .isEqualTo(input);
            DataOutputSerializer copied = new DataOutputSerializer(64);
            serializer.copy(in, copied);
            assertThat(in.available()).isZero();
            assertThat(serializer.deserialize(new DataInputDeserializer(copied.getCopyOfBuffer())))
                    .usingRecursiveComparison()
                    .withEqualsForType((a, b) -> Double.compare(a, b) == 0, Double.class)
                    .isEqualTo(input);
            JoinInput copy = serializer.copy(input);
            assertThat(copy)
                    .usingRecursiveComparison()
                    .withEqualsForType((a, b) -> Double.compare(a, b) == 0, Double.class)
                    .isEqualTo(input);
            if (input.reward != null) {
                assertThat(copy.reward).isNotSameAs(input.reward);
            }
        }
    }

    /**
     * A decision as layouts 1 and 2 wrote it (kind 0, then the whole event) reads as the decision
     * encoded, as layout 3 carries it.
     */
    @Test
    void shouldReadADecisionOfAnEarlierLayoutIntoItsEncodedForm() throws Exception {
        PolicyEvent decision =
                new PolicyEvent(
                        "recs",
                        new float[] {0.5f, 4},
                        new int[] {2},
                        Double.NaN,
                        0.5f,
                        3,
                        "other-key",
                        "e-\u00e9",
                        1_234);
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeByte(0);
        PolicyEventSerializer.INSTANCE.serialize(decision, out);
        JoinInput read = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(read.decision)
                .usingRecursiveComparison()
                .isEqualTo(EncodedDecision.of(decision));
        assertThat(read.eventId()).isEqualTo("e-\u00e9");
        assertThat(read.timestamp()).isEqualTo(1_234);
        assertThat(read.decision.decode())
                .usingRecursiveComparison()
                .withEqualsForType((a, b) -> Double.compare(a, b) == 0, Double.class)
                .isEqualTo(decision);
    }

    /** Rewards as layouts 1 and 2 wrote them (kinds 1 and 2, ids in StringValue's form) read. */
    @Test
    void shouldReadARewardOfAnEarlierLayout() throws Exception {
        for (String policyId : new String[] {null, "nas"}) {
            PendingReward reward = reward(policyId);
            DataOutputSerializer out = new DataOutputSerializer(64);
            out.writeByte(policyId == null ? 1 : 2);
            StringValue.writeString(reward.eventId, out);
            out.writeDouble(reward.reward);
            out.writeLong(reward.timestamp);
            if (policyId != null) {
                StringValue.writeString(policyId, out);
            }
            DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
            assertThat(serializer.deserialize(in).reward)
                    .usingRecursiveComparison()
                    .isEqualTo(reward);
            assertThat(in.available()).isZero();
        }
    }

    /** Ids of ASCII go as their bytes, others as StringValue's form; both read back. */
    @Test
    void shouldRoundTripIdsOfAsciiAndOfOtherChars() throws Exception {
        for (String id :
                new String[] {"", "0f8e-42", "\u007f~", "caf\u00e9", "\u4e16\ud83d\ude00"}) {
            DataOutputSerializer out = new DataOutputSerializer(16);
            JoinInputSerializer.writeId(id, out);
            byte[] written = out.getCopyOfBuffer();
            DataInputDeserializer in = new DataInputDeserializer(written);
            assertThat(JoinInputSerializer.readId(in)).isEqualTo(id);
            assertThat(in.available()).isZero();
            boolean ascii = id.chars().allMatch(c -> c < 0x80);
            assertThat(written.length == 4 + id.length()).isEqualTo(ascii);
        }
    }

    @Test
    void shouldBeWhatFlinkUsesForTheJoinInput() {
        assertThat(TypeInformation.of(JoinInput.class)).isSameAs(JoinInputTypeInfo.INSTANCE);
        assertThat(JoinInputTypeInfo.INSTANCE.createSerializer(null)).isSameAs(serializer);
    }

    @Test
    void shouldRefuseAnUnknownKind() {
        assertThatThrownBy(() -> serializer.deserialize(new DataInputDeserializer(new byte[] {9})))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Unknown kind 9");
    }

    /** The snapshot records the layout; one this release cannot read is incompatible. */
    @Test
    void shouldRecordTheLayoutInItsSnapshotAndRefuseALaterOne() throws Exception {
        DataOutputSerializer now = new DataOutputSerializer(128);
        TypeSerializerSnapshot.writeVersionedSnapshot(now, serializer.snapshotConfiguration());
        TypeSerializerSnapshot<JoinInput> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(now.getCopyOfBuffer()),
                        getClass().getClassLoader());
        assertThat(((JoinInputSerializer.Snapshot) restored).layout())
                .isEqualTo(JoinInputSerializer.LAYOUT);
        assertThat(
                        serializer
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(restored)
                                .isCompatibleAsIs())
                .isTrue();
        assertThat(restored.restoreSerializer()).isSameAs(serializer);

        DataOutputSerializer later = new DataOutputSerializer(128);
        later.writeUTF(JoinInputSerializer.Snapshot.class.getName());
        later.writeInt(1);
        later.writeInt(JoinInputSerializer.LAYOUT + 1);
        TypeSerializerSnapshot<JoinInput> unknown =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(later.getCopyOfBuffer()),
                        getClass().getClassLoader());
        assertThat(
                        serializer
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(unknown)
                                .isIncompatible())
                .isTrue();
        assertThatThrownBy(unknown::restoreSerializer)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot be read by this release");
    }
}
