package org.flinkreinforce.connectors.event;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The snapshot of a serializer with a versioned layout, as checkpoints keep it: the layout version
 * its values were written with, so that a later release reading them knows which layout they have.
 * A subclass names its serializer and the newest layout it reads; it needs a public no-argument
 * constructor (Flink creates snapshots by class name).
 */
public abstract class LayoutSnapshot<T> implements TypeSerializerSnapshot<T> {

    private static final int VERSION = 1;

    private int layout;

    /**
     * @param layout the layout the serializer writes
     */
    protected LayoutSnapshot(int layout) {
        this.layout = layout;
    }

    /** The serializer, which reads every layout from 1 to {@link #newestLayout}. */
    protected abstract TypeSerializer<T> serializer();

    protected abstract int newestLayout();

    /** The layout version of the values this snapshot describes. */
    public int layout() {
        return layout;
    }

    @Override
    public int getCurrentVersion() {
        return VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        out.writeInt(layout);
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
            throws IOException {
        if (readVersion != VERSION) {
            throw new IOException(
                    "Unknown version " + readVersion + " of " + getClass().getName() + ".");
        }
        layout = in.readInt();
    }

    @Override
    public TypeSerializer<T> restoreSerializer() {
        if (!readable(layout)) {
            throw new IllegalStateException(
                    "Values written with layout "
                            + layout
                            + " of "
                            + getClass().getName()
                            + " cannot be read by this release (layouts 1 to "
                            + newestLayout()
                            + ").");
        }
        return serializer();
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(
            TypeSerializerSnapshot<T> oldSnapshot) {
        return oldSnapshot.getClass() == getClass()
                        && readable(((LayoutSnapshot<T>) oldSnapshot).layout)
                ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                : TypeSerializerSchemaCompatibility.incompatible();
    }

    private boolean readable(int version) {
        return version >= 1 && version <= newestLayout();
    }
}
