package org.flinkreinforce.connectors.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class PolicyEventSerializerTest {

    private final PolicyEventSerializer serializer = PolicyEventSerializer.INSTANCE;

    /** An event with every field set, non-ASCII strings and an advantage. */
    private static PolicyEvent everyField(float[] features) {
        PolicyEvent event =
                new PolicyEvent(
                        "recs",
                        features,
                        new int[] {9, 0},
                        -2.5,
                        0.125f,
                        4,
                        "user-\u00e9",
                        "id-\u4e16",
                        55L);
        event.advantage = 0.75;
        return event;
    }

    @Test
    void shouldRoundTripEveryFieldIncludingNullsAndTheAdvantage() throws Exception {
        PolicyEvent full = everyField(new float[] {1.5f, -0.0f, Float.MIN_VALUE});
        PolicyEvent defaultKey =
                new PolicyEvent(
                        "nas",
                        new float[0],
                        new int[] {1},
                        1,
                        PolicyEvent.ON_POLICY,
                        PolicyEvent.UNKNOWN_VERSION,
                        "nas",
                        "e",
                        0);
        PolicyEvent empty = new PolicyEvent();
        for (PolicyEvent event : new PolicyEvent[] {full, defaultKey, empty}) {
            DataOutputSerializer out = new DataOutputSerializer(64);
            serializer.serialize(event, out);
            serializer.serialize(event, out);
            DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
            assertThat(serializer.deserialize(in)).isEqualTo(event);
            DataOutputSerializer copied = new DataOutputSerializer(64);
            serializer.copy(in, copied);
            assertThat(serializer.deserialize(new DataInputDeserializer(copied.getCopyOfBuffer())))
                    .isEqualTo(event);
            assertThat(in.available()).isZero();
            PolicyEvent copy = serializer.copy(event);
            assertThat(copy).isEqualTo(event);
            if (event.features != null) {
                assertThat(copy.features).isNotSameAs(event.features);
            }
        }
    }

    @Test
    void shouldBeWhatFlinkUsesForTheEventAndInsideTheDecodedRecord() throws Exception {
        assertThat(TypeInformation.of(PolicyEvent.class)).isInstanceOf(PolicyEventTypeInfo.class);
        TypeInformation<DecodedRecord> record = TypeInformation.of(DecodedRecord.class);
        assertThat(record).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<DecodedRecord> pojo = (PojoTypeInfo<DecodedRecord>) record;
        assertThat(pojo.getTypeAt(pojo.getFieldIndex("event")))
                .isInstanceOf(PolicyEventTypeInfo.class);

        TypeSerializerSnapshot<PolicyEvent> snapshot = serializer.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(16);
        snapshot.writeSnapshot(out);
        PolicyEventSerializer.Snapshot restored = new PolicyEventSerializer.Snapshot();
        restored.readSnapshot(
                snapshot.getCurrentVersion(),
                new DataInputDeserializer(out.getCopyOfBuffer()),
                getClass().getClassLoader());
        TypeSerializerSchemaCompatibility<PolicyEvent> compatibility =
                serializer.snapshotConfiguration().resolveSchemaCompatibility(restored);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
        assertThat(restored.restoreSerializer()).isSameAs(serializer);
    }

    /**
     * The state bytes of an event, pinned per layout: buffered events sit in checkpoints and
     * savepoints, so a change of this serializer's layout comes with a new layout version whose
     * snapshot restores a serializer of the old one. Layout 1 (float32 propensity) still reads,
     * through {@link PolicyEventSerializer#forLayout}; layout 3 writes the propensity as float64.
     */
    @Test
    void shouldKeepTheStateBytesOfEachLayout() throws Exception {
        PolicyEvent event = everyField(new float[] {1.5f, -0.0f});
        byte[] layout1 = golden("golden/policy-event-state-v1.bin");
        PolicyEventSerializer first = PolicyEventSerializer.forLayout(1);
        assertThat(first.deserialize(new DataInputDeserializer(layout1))).isEqualTo(event);
        DataOutputSerializer old = new DataOutputSerializer(64);
        first.serialize(event, old);
        assertThat(old.getCopyOfBuffer()).isEqualTo(layout1);

        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(event, out);
        byte[] layout3 = golden("golden/policy-event-state-v3.bin");
        assertThat(out.getCopyOfBuffer()).isEqualTo(layout3);
        assertThat(serializer.deserialize(new DataInputDeserializer(layout3))).isEqualTo(event);
        assertThat(layout3).hasSize(layout1.length + 4);
    }

    /** The joint propensity of many heads, below float32's range, survives layout 3. */
    @Test
    void shouldKeepAPropensityBelowFloat32sRange() throws Exception {
        PolicyEvent event = everyField(new float[] {1});
        event.propensity = Math.pow(1.0 / 20, 40);
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(event, out);
        assertThat(serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())))
                .isEqualTo(event);
    }

    private byte[] golden(String resource) throws Exception {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {
            return in.readAllBytes();
        }
    }

    /**
     * A checkpoint written by the first release records this class name with the snapshot version
     * of a {@code SimpleTypeSerializerSnapshot} (3) and no payload: it still reads, as layout 1,
     * migrated to the current layout as the state backend restores it.
     */
    @Test
    void shouldReadTheSnapshotOfTheFirstReleaseAndRecordTheLayoutVersionFromNowOn()
            throws Exception {
        DataOutputSerializer old = new DataOutputSerializer(128);
        old.writeUTF(PolicyEventSerializer.Snapshot.class.getName());
        old.writeInt(3);
        TypeSerializerSnapshot<PolicyEvent> firstRelease =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(old.getCopyOfBuffer()),
                        getClass().getClassLoader());
        assertThat(((PolicyEventSerializer.Snapshot) firstRelease).formatVersion()).isEqualTo(1);
        assertThat(
                        serializer
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(firstRelease)
                                .isCompatibleAfterMigration())
                .isTrue();
        assertThat(firstRelease.restoreSerializer()).isEqualTo(PolicyEventSerializer.forLayout(1));

        DataOutputSerializer now = new DataOutputSerializer(128);
        TypeSerializerSnapshot.writeVersionedSnapshot(now, serializer.snapshotConfiguration());
        DataInputDeserializer in = new DataInputDeserializer(now.getCopyOfBuffer());
        assertThat(in.readUTF()).isEqualTo(PolicyEventSerializer.Snapshot.class.getName());
        assertThat(in.readInt()).as("snapshot version").isEqualTo(4);
        assertThat(in.readInt())
                .as("layout version")
                .isEqualTo(PolicyEventSerializer.FORMAT_VERSION);

        DataOutputSerializer unknown = new DataOutputSerializer(128);
        unknown.writeUTF(PolicyEventSerializer.Snapshot.class.getName());
        unknown.writeInt(4);
        unknown.writeInt(7);
        PolicyEventSerializer.Snapshot later =
                (PolicyEventSerializer.Snapshot)
                        TypeSerializerSnapshot.<PolicyEvent>readVersionedSnapshot(
                                new DataInputDeserializer(unknown.getCopyOfBuffer()),
                                getClass().getClassLoader());
        assertThat(
                        serializer
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(later)
                                .isIncompatible())
                .isTrue();
    }

    /** For state keyed by the event id: the same bytes but the event id's, read back without it. */
    @Test
    void shouldWriteAnEventWithoutItsEventIdForStateKeyedByIt() throws Exception {
        PolicyEvent event = everyField(new float[] {1.5f});
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serializeWithoutEventId(event, out);
        PolicyEvent read = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(read.eventId).isNull();
        read.eventId = event.eventId;
        assertThat(read).isEqualTo(event);
    }

    /** A marker carries its change through the serializer: offset, value, or none (a removal). */
    @Test
    void shouldRoundTripAPolicyChangeMarker() throws Exception {
        for (byte[] value : new byte[][] {{1, 2, 3}, null}) {
            PolicyEvent marker = PolicyEvent.marker(new PolicyChange("recs", 42, value));
            DataOutputSerializer out = new DataOutputSerializer(64);
            serializer.serialize(marker, out);
            PolicyEvent read =
                    serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(read.isChange()).isTrue();
            assertThat(read.change.policyId).isEqualTo("recs");
            assertThat(read.change.offset).isEqualTo(42);
            assertThat(read.change.value).isEqualTo(value);
            assertThat(read).isEqualTo(marker);
            assertThat(serializer.copy(marker)).isEqualTo(marker);
        }
    }
}
