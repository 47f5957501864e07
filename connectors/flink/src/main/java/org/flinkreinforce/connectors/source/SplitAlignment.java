package org.flinkreinforce.connectors.source;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which splits of one source reader to pause so that they are read in step by event time: a split
 * whose latest record is timed more than {@code maxAhead} after the slowest split still delivering
 * records is paused, and resumed once that one has caught up to within half of {@code maxAhead} (so
 * that a split is not paused and resumed at every check).
 *
 * <p>A split holds the others back only while it delivers: one without a record for {@code
 * checksForIdle} checks in a row and for at least {@code idleNanos} (caught up with its partition,
 * or with nothing to read) no longer counts, nor does one that has delivered nothing yet. When no
 * split that is not paused delivers (all idle), every paused split resumes. The slowest split is
 * never paused, so a reader always reads something while it has anything to read.
 *
 * <p>The reader reports each record ({@link #recorded}) and runs a {@link #check} when one is due
 * (every {@code recordsPerCheck} records) and where it has nothing to emit. Not thread-safe: the
 * reader's task thread owns it.
 */
public final class SplitAlignment {

    /** What a check changes: the splits to pause and the splits to resume. */
    public record Changes(List<String> pause, List<String> resume) {

        static final Changes NONE = new Changes(List.of(), List.of());

        public boolean isEmpty() {
            return pause.isEmpty() && resume.isEmpty();
        }
    }

    private static final class Split {
        long time = Long.MIN_VALUE;
        long records;
        int quietChecks;
        long activeNanos;
        boolean paused;
    }

    private final long maxAhead;
    private final int recordsPerCheck;
    private final int checksForIdle;
    private final long idleNanos;
    private final Map<String, Split> splits = new HashMap<>();
    private int sinceCheck;
    private int paused;

    /**
     * @param maxAhead how far, in the records' time, a split may read ahead of the slowest one
     * @param recordsPerCheck records between two checks
     * @param checksForIdle checks in a row without a record after which a split may be idle
     * @param idleNanos how long a split without a record must also have been quiet to be idle
     */
    public SplitAlignment(long maxAhead, int recordsPerCheck, int checksForIdle, long idleNanos) {
        if (maxAhead < 0 || recordsPerCheck < 1 || checksForIdle < 1 || idleNanos < 0) {
            throw new IllegalArgumentException(
                    "A split alignment needs maxAhead and idleNanos of at least 0 and"
                            + " recordsPerCheck and checksForIdle of at least 1.");
        }
        this.maxAhead = maxAhead;
        this.recordsPerCheck = recordsPerCheck;
        this.checksForIdle = checksForIdle;
        this.idleNanos = idleNanos;
    }

    /** Starts following {@code splitId} (again, if it was removed). */
    public void add(String splitId) {
        splits.putIfAbsent(splitId, new Split());
    }

    /** Stops following {@code splitId}: its reader released it. */
    public void remove(String splitId) {
        Split split = splits.remove(splitId);
        if (split != null && split.paused) {
            paused--;
        }
    }

    /** Whether this alignment holds any split paused. */
    public boolean holdsAny() {
        return paused > 0;
    }

    public boolean isPaused(String splitId) {
        Split split = splits.get(splitId);
        return split != null && split.paused;
    }

    /**
     * Notes a record of {@code splitId} timed {@code time}; answers whether a {@link #check} is due
     * (every {@code recordsPerCheck}-th record).
     */
    public boolean recorded(String splitId, long time) {
        Split split = splits.get(splitId);
        if (split == null) {
            split = new Split();
            splits.put(splitId, split);
        }
        if (time > split.time) {
            split.time = time;
        }
        split.records++;
        return ++sinceCheck >= recordsPerCheck;
    }

    /**
     * Judges the splits on what they delivered since the last check: which to pause, which to
     * resume. The reader calls it also where it has nothing to emit.
     */
    public Changes check(long nowNanos) {
        sinceCheck = 0;
        long slowest = Long.MAX_VALUE;
        for (Split split : splits.values()) {
            if (split.records > 0) {
                split.quietChecks = 0;
                split.activeNanos = nowNanos;
            } else if (!split.paused && split.quietChecks < checksForIdle) {
                split.quietChecks++;
            }
            split.records = 0;
            if (delivers(split, nowNanos) && split.time < slowest) {
                slowest = split.time;
            }
        }
        if (paused == 0 && slowest == Long.MAX_VALUE) {
            return Changes.NONE;
        }
        // Where no split delivers, nothing is ahead: every split resumes.
        long limit = slowest == Long.MAX_VALUE ? Long.MAX_VALUE : saturatedAdd(slowest, maxAhead);
        long resumeAt =
                slowest == Long.MAX_VALUE ? Long.MAX_VALUE : saturatedAdd(slowest, maxAhead / 2);
        List<String> pause = new ArrayList<>(0);
        List<String> resume = new ArrayList<>(0);
        for (Map.Entry<String, Split> entry : splits.entrySet()) {
            Split split = entry.getValue();
            if (!split.paused && split.time > limit) {
                split.paused = true;
                paused++;
                pause.add(entry.getKey());
            } else if (split.paused && split.time <= resumeAt) {
                split.paused = false;
                paused--;
                // Resumed, it has a while to deliver again before it counts as idle.
                split.quietChecks = 0;
                split.activeNanos = nowNanos;
                resume.add(entry.getKey());
            }
        }
        return pause.isEmpty() && resume.isEmpty() ? Changes.NONE : new Changes(pause, resume);
    }

    /** Whether {@code split} holds the others back: it is read and delivering records. */
    private boolean delivers(Split split, long nowNanos) {
        if (split.paused || split.time == Long.MIN_VALUE) {
            return false;
        }
        return split.quietChecks < checksForIdle || nowNanos - split.activeNanos < idleNanos;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
