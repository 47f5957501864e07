package org.flinkreinforce.connectors.event;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * A decision on its way to the join and while it waits there: its event id, policy id and time, and
 * the whole decision as {@link PolicyEventSerializer#serializeWithoutEventId} writes it (its reward
 * {@link Double#NaN}), in that serializer's layout {@link PolicyEventSerializer#FORMAT_VERSION}. It
 * is encoded once, where the decision is read from Kafka, so that the join (one thread for all of a
 * subtask's event ids) neither builds the event nor writes it again: it keeps the bytes as they
 * came. Immutable; copies share it.
 */
public final class EncodedDecision {

    public final String eventId;

    /** The decision's policy id, as in {@link #bytes}; null where it has none. */
    public final String policyId;

    /** The decision's timestamp, milliseconds since the epoch, as in {@link #bytes}. */
    public final long timestamp;

    /** The decision without its event id; never changed. */
    public final byte[] bytes;

    public EncodedDecision(String eventId, String policyId, long timestamp, byte[] bytes) {
        this.eventId = eventId;
        this.policyId = policyId;
        this.timestamp = timestamp;
        this.bytes = bytes;
    }

    /** {@code decision} encoded, through {@code scratch} (cleared first). */
    public static EncodedDecision of(PolicyEvent decision, DataOutputSerializer scratch) {
        scratch.clear();
        try {
            PolicyEventSerializer.INSTANCE.serializeWithoutEventId(decision, scratch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new EncodedDecision(
                decision.eventId, decision.policyId, decision.timestamp, scratch.getCopyOfBuffer());
    }

    /** {@code decision} encoded. */
    public static EncodedDecision of(PolicyEvent decision) {
        return of(decision, new DataOutputSerializer(256));
    }

    /** The decision, its event id included. */
    public PolicyEvent decode() {
        PolicyEvent decision;
        try {
            decision = PolicyEventSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        decision.eventId = eventId;
        return decision;
    }
}
