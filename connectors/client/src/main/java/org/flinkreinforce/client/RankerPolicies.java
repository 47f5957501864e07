package org.flinkreinforce.client;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.flinkreinforce.formats.ranker.RankerSnapshot;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ranker policies a {@link PolicyClient} follows, with the rules of its softmax policies: a
 * registered spec is pinned (a snapshot of another spec is refused, logged and counted), an older
 * version than the one kept is skipped, logged and counted, and a registered policy ranks with zero
 * weights (uniformly) before its first snapshot. Written by the client's thread only.
 */
final class RankerPolicies {

    private static final Logger LOG = LoggerFactory.getLogger(RankerPolicies.class);

    private final Map<String, RankerSpec> registered = new ConcurrentHashMap<>();
    private final Map<String, RankerSnapshot> snapshots = new ConcurrentHashMap<>();
    private final List<Consumer<RankerSnapshot>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong refused;
    private final AtomicLong stale;

    RankerPolicies(AtomicLong refused, AtomicLong stale) {
        this.refused = refused;
        this.stale = stale;
    }

    boolean isRegistered(String policyId) {
        return registered.containsKey(policyId);
    }

    void register(RankerSpec spec) {
        registered.put(spec.id(), spec);
        RankerSnapshot current = snapshots.get(spec.id());
        if (current == null || !current.spec().equals(spec)) {
            if (current != null) {
                LOG.warn(
                        "Ranker policy {}'s snapshot read so far has the spec {}, not the"
                                + " registered {}: it ranks uniformly until a snapshot of the"
                                + " registered spec comes.",
                        spec.id(),
                        current.spec(),
                        spec);
            }
            snapshots.put(spec.id(), zeros(spec));
        }
    }

    void onNewVersion(Consumer<RankerSnapshot> listener) {
        listeners.add(listener);
    }

    /** Keeps {@code snapshot} unless its spec is not the registered one or it is not newer. */
    void keep(RankerSnapshot snapshot, boolean registeredOnly) {
        String id = snapshot.policyId();
        RankerSpec pinned = registered.get(id);
        if (pinned == null && registeredOnly) {
            return;
        }
        RankerSnapshot current = snapshots.get(id);
        if (pinned != null && !pinned.equals(snapshot.spec())) {
            refused.incrementAndGet();
            LOG.warn(
                    "Refusing version {} of ranker policy {}: its spec {} is not the registered"
                            + " {}; it goes on with version {}.",
                    snapshot.version(),
                    id,
                    snapshot.spec(),
                    pinned,
                    current == null ? -1 : current.version());
            return;
        }
        if (current != null && snapshot.version() <= current.version()) {
            if (snapshot.version() < current.version()) {
                stale.incrementAndGet();
                LOG.warn(
                        "Skipping version {} of ranker policy {}: version {} was read before it.",
                        snapshot.version(),
                        id,
                        current.version());
            }
            return;
        }
        snapshots.put(id, snapshot);
        for (Consumer<RankerSnapshot> listener : listeners) {
            try {
                listener.accept(snapshot);
            } catch (RuntimeException e) {
                LOG.warn("A listener of new versions of {} threw.", id, e);
            }
        }
    }

    /** The newest snapshot of a ranker policy (zero weights, version 0, before its first). */
    RankerSnapshot current(String policyId) {
        return snapshots.get(policyId);
    }

    private static RankerSnapshot zeros(RankerSpec spec) {
        return new RankerSnapshot(
                spec, 0, 0, 0, 0, 0, new double[0], new float[spec.weightCount()]);
    }
}
