package org.flinkreinforce.connectors.event;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Flink's serializer of {@link PolicyEvent} between operators and in state: the fields in a fixed
 * order behind one byte of null flags, with no reflection (the generic POJO serializer reaches each
 * field through reflection and writes a null marker per field). The layout is versioned ({@link
 * #FORMAT_VERSION}); the {@link Snapshot} in a checkpoint records the version its events were
 * written with, and restores a serializer of that layout ({@link #forLayout}) to read them.
 */
public final class PolicyEventSerializer extends TypeSerializer<PolicyEvent> {

    private static final long serialVersionUID = 1L;

    /**
     * The version of the layout this serializer writes and reads. Layout 2 adds the change of a
     * marker behind a flag that layout 1 never set; layout 3 writes the propensity as a float64
     * (layouts 1 and 2: float32), so that the joint probability of many heads does not underflow.
     */
    public static final int FORMAT_VERSION = 3;

    public static final PolicyEventSerializer INSTANCE = new PolicyEventSerializer(FORMAT_VERSION);

    private final int layout;

    private PolicyEventSerializer(int layout) {
        this.layout = layout;
    }

    /** The serializer of events written with {@code layout} (1 to {@link #FORMAT_VERSION}). */
    public static PolicyEventSerializer forLayout(int layout) {
        if (layout < 1 || layout > FORMAT_VERSION) {
            throw new IllegalArgumentException(
                    "PolicyEvent layout "
                            + layout
                            + " is not one this release reads (1 to "
                            + FORMAT_VERSION
                            + ").");
        }
        return layout == FORMAT_VERSION ? INSTANCE : new PolicyEventSerializer(layout);
    }

    @Override
    public TypeSerializer<PolicyEvent> duplicate() {
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PolicyEventSerializer other && other.layout == layout;
    }

    @Override
    public int hashCode() {
        return 31 * PolicyEventSerializer.class.hashCode() + layout;
    }

    private static final int POLICY_ID = 1;
    private static final int FEATURES = 1 << 1;
    private static final int ACTIONS = 1 << 2;
    private static final int BASELINE_KEY = 1 << 3;
    private static final int EVENT_ID = 1 << 4;
    private static final int CHANGE = 1 << 5;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public PolicyEvent createInstance() {
        return new PolicyEvent();
    }

    @Override
    public PolicyEvent copy(PolicyEvent from) {
        PolicyEvent copy =
                new PolicyEvent(
                        from.policyId,
                        from.features == null ? null : from.features.clone(),
                        from.actions == null ? null : from.actions.clone(),
                        from.reward,
                        from.propensity,
                        from.policyVersion,
                        from.baselineKey,
                        from.eventId,
                        from.timestamp);
        copy.advantage = from.advantage;
        if (from.change != null) {
            copy.change =
                    new PolicyChange(
                            from.change.policyId,
                            from.change.offset,
                            from.change.value == null ? null : from.change.value.clone());
        }
        return copy;
    }

    @Override
    public PolicyEvent copy(PolicyEvent from, PolicyEvent reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(PolicyEvent event, DataOutputView out) throws IOException {
        serialize(event, out, true);
    }

    /**
     * The event without its event id, for state keyed by it (where the key says it again); it reads
     * back with a null {@code eventId}.
     */
    public void serializeWithoutEventId(PolicyEvent event, DataOutputView out) throws IOException {
        serialize(event, out, false);
    }

    private void serialize(PolicyEvent event, DataOutputView out, boolean withEventId)
            throws IOException {
        int flags = 0;
        flags |= event.policyId != null ? POLICY_ID : 0;
        flags |= event.features != null ? FEATURES : 0;
        flags |= event.actions != null ? ACTIONS : 0;
        flags |= event.baselineKey != null ? BASELINE_KEY : 0;
        flags |= withEventId && event.eventId != null ? EVENT_ID : 0;
        flags |= event.change != null ? CHANGE : 0;
        out.writeByte(flags);
        if (event.policyId != null) {
            StringValue.writeString(event.policyId, out);
        }
        if (event.features != null) {
            out.writeInt(event.features.length);
            for (float feature : event.features) {
                out.writeFloat(feature);
            }
        }
        if (event.actions != null) {
            out.writeInt(event.actions.length);
            for (int action : event.actions) {
                out.writeInt(action);
            }
        }
        out.writeDouble(event.reward);
        if (layout >= 3) {
            out.writeDouble(event.propensity);
        } else {
            out.writeFloat((float) event.propensity);
        }
        out.writeLong(event.policyVersion);
        if (event.baselineKey != null) {
            if (event.baselineKey.equals(event.policyId)) {
                // The default baseline key, the policy id: one byte instead of the string again.
                out.writeBoolean(true);
            } else {
                out.writeBoolean(false);
                StringValue.writeString(event.baselineKey, out);
            }
        }
        if ((flags & EVENT_ID) != 0) {
            StringValue.writeString(event.eventId, out);
        }
        out.writeLong(event.timestamp);
        out.writeDouble(event.advantage);
        if (event.change != null) {
            out.writeLong(event.change.offset);
            byte[] value = event.change.value;
            out.writeInt(value == null ? -1 : value.length);
            if (value != null) {
                out.write(value);
            }
        }
    }

    @Override
    public PolicyEvent deserialize(DataInputView in) throws IOException {
        PolicyEvent event = new PolicyEvent();
        int flags = in.readUnsignedByte();
        if ((flags & POLICY_ID) != 0) {
            event.policyId = StringValue.readString(in);
        }
        if ((flags & FEATURES) != 0) {
            float[] features = new float[in.readInt()];
            for (int k = 0; k < features.length; k++) {
                features[k] = in.readFloat();
            }
            event.features = features;
        }
        if ((flags & ACTIONS) != 0) {
            int[] actions = new int[in.readInt()];
            for (int h = 0; h < actions.length; h++) {
                actions[h] = in.readInt();
            }
            event.actions = actions;
        }
        event.reward = in.readDouble();
        event.propensity = layout >= 3 ? in.readDouble() : in.readFloat();
        event.policyVersion = in.readLong();
        if ((flags & BASELINE_KEY) != 0) {
            event.baselineKey = in.readBoolean() ? event.policyId : StringValue.readString(in);
        }
        if ((flags & EVENT_ID) != 0) {
            event.eventId = StringValue.readString(in);
        }
        event.timestamp = in.readLong();
        event.advantage = in.readDouble();
        if ((flags & CHANGE) != 0) {
            long offset = in.readLong();
            int length = in.readInt();
            byte[] value = null;
            if (length >= 0) {
                value = new byte[length];
                in.readFully(value);
            }
            event.change = new PolicyChange(event.policyId, offset, value);
        }
        return event;
    }

    @Override
    public PolicyEvent deserialize(PolicyEvent reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<PolicyEvent> snapshotConfiguration() {
        return new Snapshot(layout);
    }

    /**
     * The serializer's snapshot: the layout version of the events it wrote. Version 4 of the
     * snapshot writes that version; version 3, a {@code SimpleTypeSerializerSnapshot} of the first
     * release under this class name, wrote nothing and means layout 1. This serializer reads
     * layouts 1 and 2 as they are.
     */
    public static final class Snapshot implements TypeSerializerSnapshot<PolicyEvent> {

        /** The version of the first release's snapshot (a {@code SimpleTypeSerializerSnapshot}). */
        static final int FIRST_RELEASE = 3;

        private static final int CURRENT = 4;

        private int formatVersion = FORMAT_VERSION;

        public Snapshot() {}

        Snapshot(int formatVersion) {
            this.formatVersion = formatVersion;
        }

        /** The layout version of the events this snapshot describes. */
        public int formatVersion() {
            return formatVersion;
        }

        @Override
        public int getCurrentVersion() {
            return CURRENT;
        }

        @Override
        public void writeSnapshot(DataOutputView out) throws IOException {
            out.writeInt(formatVersion);
        }

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
                throws IOException {
            if (readVersion == FIRST_RELEASE) {
                formatVersion = 1;
            } else if (readVersion == CURRENT) {
                formatVersion = in.readInt();
            } else {
                throw new IOException(
                        "Unknown version "
                                + readVersion
                                + " of the PolicyEvent serializer snapshot.");
            }
        }

        @Override
        public TypeSerializer<PolicyEvent> restoreSerializer() {
            if (formatVersion < 1 || formatVersion > FORMAT_VERSION) {
                throw new IllegalStateException(
                        "Events written with PolicyEvent layout "
                                + formatVersion
                                + " cannot be read by this release (layout "
                                + FORMAT_VERSION
                                + ").");
            }
            return forLayout(formatVersion);
        }

        /**
         * Events of this layout as they are; of an older one after migration (read with their
         * layout's serializer, written with this one's), which the heap state backend does as it
         * restores.
         */
        @Override
        public TypeSerializerSchemaCompatibility<PolicyEvent> resolveSchemaCompatibility(
                TypeSerializerSnapshot<PolicyEvent> oldSnapshot) {
            if (!(oldSnapshot instanceof Snapshot old)
                    || old.formatVersion < 1
                    || old.formatVersion > FORMAT_VERSION) {
                return TypeSerializerSchemaCompatibility.incompatible();
            }
            return old.formatVersion == formatVersion
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
    }
}
