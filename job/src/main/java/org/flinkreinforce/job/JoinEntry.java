package org.flinkreinforce.job;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.flinkreinforce.connectors.event.PendingReward;
import org.flinkreinforce.connectors.event.PolicyEventSerializer;

/**
 * What the join keeps of one event id, in one keyed value (one state access and one checkpointed
 * entry per event id), with at most one timer pending at a time:
 *
 * <ul>
 *   <li>{@link Phase#EARLY}: rewards came before their decision; the timer is when the earliest of
 *       them turns orphan.
 *   <li>{@link Phase#OPEN}: the decision waits for its rewards, added up in the tally; the timer is
 *       the window's end.
 *   <li>{@link Phase#CLOSED}: the decision went on; its window is remembered one more wait, so that
 *       a reward after it is told late and a second decision a duplicate; the timer is when it is
 *       forgotten.
 * </ul>
 *
 * Flink serializes it with {@link JoinEntrySerializer}. Fields are package-private: the join owns
 * the value it reads until it writes it back.
 */
@TypeInfo(JoinEntryTypeInfo.Factory.class)
public final class JoinEntry {

    /** Where the event id stands in the join. */
    enum Phase {
        EARLY,
        OPEN,
        CLOSED
    }

    Phase phase;

    /** The window, in the join's time; set from {@link Phase#OPEN} on. */
    long start;

    long end;

    /** The time of the one timer registered for this event id. */
    long timer;

    /**
     * The decision, while {@link Phase#OPEN}: its {@link PolicyEventSerializer} bytes without the
     * event id (the key's), in the serializer's layout {@link PolicyEventSerializer#FORMAT_VERSION}
     * (which later layouts of that serializer read, as they read events buffered in checkpoints).
     * One array instead of the event's half-dozen objects, for the minutes it waits; never changed
     * once written, so copies share it.
     */
    byte[] decision;

    /**
     * Whether the decision is a ranker policy's: then {@link #decision} holds its record as {@link
     * org.flinkreinforce.connectors.event.JoinInputSerializer#writeRanker} writes it (the event id
     * included), not a {@link PolicyEventSerializer} layout.
     */
    boolean ranker;

    /** Its rewards so far, while {@link Phase#OPEN}; null until one counts. */
    RewardTally tally;

    /**
     * Rewards waiting for their decision, while {@link Phase#EARLY}; their event id is the key's.
     */
    List<PendingReward> early;

    JoinEntry() {}

    static JoinEntry early(PendingReward reward, long timer) {
        JoinEntry entry = new JoinEntry();
        entry.phase = Phase.EARLY;
        entry.early = new ArrayList<>(2);
        entry.early.add(reward);
        entry.timer = timer;
        return entry;
    }

    /** When the remembered window is forgotten: one wait after it closed. */
    long forgetAt() {
        return end + (end - start);
    }
}
