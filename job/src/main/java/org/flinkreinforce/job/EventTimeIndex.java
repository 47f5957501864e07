package org.flinkreinforce.job;

import java.util.Arrays;

/**
 * The join's event-time timers: a binary min-heap of (time, event id) pairs in parallel arrays. It
 * takes the place of Flink's timer heap, which keeps an object per timer and a set of them to
 * remove duplicates: at the join's size (two timers per event id over a window of minutes) every
 * step of that heap's sift misses the cache on an object of its own, where this one compares times
 * in one {@code long[]}.
 *
 * <p>A time is never removed: a pair whose time the event id's entry has moved on from is popped in
 * its turn and then left alone by the join ({@link JoinRewardsFunction#onTimer}). A pair may be
 * marked a forget: the time a closed window is forgotten, which nothing moves (a closed entry
 * changes no more), so that the join clears the entry without reading it first. It is not
 * checkpointed either: {@link JoinRewardsOperator} makes it again from the entries' own timers when
 * it opens. Not thread-safe; the operator's thread alone uses it.
 */
final class EventTimeIndex {

    private static final int INITIAL_CAPACITY = 64;

    private long[] times = new long[INITIAL_CAPACITY];
    private String[] keys = new String[INITIAL_CAPACITY];
    private boolean[] forgets = new boolean[INITIAL_CAPACITY];
    private int size;

    /** Adds {@code key}'s timer at {@code time}. */
    void add(long time, String key) {
        add(time, key, false);
    }

    /** Adds {@code key}'s timer at {@code time}; {@code forget}: a closed window's last. */
    void add(long time, String key, boolean forget) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            keys = Arrays.copyOf(keys, size * 2);
            forgets = Arrays.copyOf(forgets, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (times[parent] <= time) {
                break;
            }
            times[i] = times[parent];
            keys[i] = keys[parent];
            forgets[i] = forgets[parent];
            i = parent;
        }
        times[i] = time;
        keys[i] = key;
        forgets[i] = forget;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** The earliest time; only where not {@link #isEmpty}. */
    long headTime() {
        return times[0];
    }

    /** Whether the earliest pair is a forget; only where not {@link #isEmpty}. */
    boolean headForgets() {
        return forgets[0];
    }

    /** Removes the earliest pair and answers its key; only where not {@link #isEmpty}. */
    String poll() {
        String head = keys[0];
        int last = --size;
        long time = times[last];
        String key = keys[last];
        boolean forget = forgets[last];
        keys[last] = null;
        int i = 0;
        int half = last >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            if (child + 1 < last && times[child + 1] < times[child]) {
                child++;
            }
            if (time <= times[child]) {
                break;
            }
            times[i] = times[child];
            keys[i] = keys[child];
            forgets[i] = forgets[child];
            i = child;
        }
        if (last > 0) {
            times[i] = time;
            keys[i] = key;
            forgets[i] = forget;
        }
        shrink();
        return head;
    }

    /** Gives back the arrays' memory once a burst has passed: a quarter full halves them. */
    private void shrink() {
        if (times.length > INITIAL_CAPACITY && size < times.length / 4) {
            int capacity = Math.max(INITIAL_CAPACITY, times.length / 2);
            times = Arrays.copyOf(times, capacity);
            keys = Arrays.copyOf(keys, capacity);
            forgets = Arrays.copyOf(forgets, capacity);
        }
    }
}
