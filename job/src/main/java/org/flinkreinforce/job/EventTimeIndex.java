package org.flinkreinforce.job;

import java.util.Arrays;

/**
 * The join's event-time timers: (time, event id) pairs, the earliest first. It takes the place of
 * Flink's timer heap, which keeps an object per timer and a set of them to remove duplicates: at
 * the join's size (two timers per event id over a window of minutes) every step of that heap's sift
 * misses the cache on an object of its own.
 *
 * <p>Each pair comes in one of three lanes, by what it is: a window's end, the expiry of rewards
 * that came before their decision, or a closed window's forget time. Within a lane the times come
 * nearly in order (decisions and rewards are read in step by their time, and a lane's times are
 * theirs plus a wait), so each lane is a queue in arrival order that takes a pair no earlier than
 * its last one; a pair earlier than that goes to a binary min-heap of times in one {@code long[]}.
 * The earliest pair is the earliest of the three queues' heads and the heap's.
 *
 * <p>A time is never removed: a pair whose time the event id's entry has moved on from is popped in
 * its turn and then left alone by the join ({@link JoinRewardsFunction#onTimer}). A forget, the
 * time a closed window is forgotten, is never stale (a closed entry changes no more), so that the
 * join clears the entry without reading it first. The index is not checkpointed either: {@link
 * JoinRewardsOperator} makes it again from the entries' own timers when it opens. Not thread-safe;
 * the operator's thread alone uses it.
 */
final class EventTimeIndex {

    /** The lane of a window's end. */
    static final int ENDS = 0;

    /** The lane of the expiry of rewards waiting for their decision. */
    static final int EXPIRIES = 1;

    /** The lane of a closed window's forget time. */
    static final int FORGETS = 2;

    private static final int INITIAL_CAPACITY = 64;

    /** Where the earliest pair is: a lane, or {@link #HEAP}; {@link #UNKNOWN} until looked up. */
    private static final int HEAP = 3;

    private static final int UNKNOWN = -1;

    private final Queue[] lanes = {new Queue(), new Queue(), new Queue()};

    private long[] times = new long[INITIAL_CAPACITY];
    private String[] keys = new String[INITIAL_CAPACITY];
    private boolean[] forgets = new boolean[INITIAL_CAPACITY];
    private int heapSize;

    private int head = UNKNOWN;

    /** Adds {@code key}'s timer at {@code time} to {@code lane}. */
    void add(long time, String key, int lane) {
        head = UNKNOWN;
        Queue queue = lanes[lane];
        if (queue.size == 0 || queue.lastTime() <= time) {
            queue.add(time, key);
        } else {
            addToHeap(time, key, lane == FORGETS);
        }
    }

    boolean isEmpty() {
        return size() == 0;
    }

    int size() {
        return heapSize + lanes[ENDS].size + lanes[EXPIRIES].size + lanes[FORGETS].size;
    }

    /** The earliest time; only where not {@link #isEmpty}. */
    long headTime() {
        int at = head();
        return at == HEAP ? times[0] : lanes[at].headTime();
    }

    /** Whether the earliest pair is a forget; only where not {@link #isEmpty}. */
    boolean headForgets() {
        int at = head();
        return at == HEAP ? forgets[0] : at == FORGETS;
    }

    /** Removes the earliest pair and answers its key; only where not {@link #isEmpty}. */
    String poll() {
        int at = head();
        head = UNKNOWN;
        return at == HEAP ? pollHeap() : lanes[at].poll();
    }

    private int head() {
        if (head == UNKNOWN) {
            int at = UNKNOWN;
            long earliest = Long.MAX_VALUE;
            for (int lane = ENDS; lane <= FORGETS; lane++) {
                Queue queue = lanes[lane];
                if (queue.size > 0 && (at == UNKNOWN || queue.headTime() < earliest)) {
                    at = lane;
                    earliest = queue.headTime();
                }
            }
            if (heapSize > 0 && (at == UNKNOWN || times[0] < earliest)) {
                at = HEAP;
            }
            head = at;
        }
        return head;
    }

    private void addToHeap(long time, String key, boolean forget) {
        if (heapSize == times.length) {
            times = Arrays.copyOf(times, heapSize * 2);
            keys = Arrays.copyOf(keys, heapSize * 2);
            forgets = Arrays.copyOf(forgets, heapSize * 2);
        }
        int i = heapSize++;
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

    private String pollHeap() {
        String first = keys[0];
        int last = --heapSize;
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
        // Gives back the arrays' memory once a burst has passed: a quarter full halves them.
        if (times.length > INITIAL_CAPACITY && heapSize < times.length / 4) {
            int capacity = Math.max(INITIAL_CAPACITY, times.length / 2);
            times = Arrays.copyOf(times, capacity);
            keys = Arrays.copyOf(keys, capacity);
            forgets = Arrays.copyOf(forgets, capacity);
        }
        return first;
    }

    /** A lane's pairs in arrival order, times nondecreasing: a ring of a power-of-two size. */
    private static final class Queue {

        private long[] times = new long[INITIAL_CAPACITY];
        private String[] keys = new String[INITIAL_CAPACITY];
        private int first;
        private int size;

        long headTime() {
            return times[first];
        }

        long lastTime() {
            return times[(first + size - 1) & (times.length - 1)];
        }

        void add(long time, String key) {
            if (size == times.length) {
                resize(times.length * 2);
            }
            int at = (first + size) & (times.length - 1);
            times[at] = time;
            keys[at] = key;
            size++;
        }

        String poll() {
            String key = keys[first];
            keys[first] = null;
            first = (first + 1) & (times.length - 1);
            size--;
            if (times.length > INITIAL_CAPACITY && size < times.length / 4) {
                resize(times.length / 2);
            }
            return key;
        }

        private void resize(int capacity) {
            long[] newTimes = new long[capacity];
            String[] newKeys = new String[capacity];
            for (int i = 0; i < size; i++) {
                int at = (first + i) & (times.length - 1);
                newTimes[i] = times[at];
                newKeys[i] = keys[at];
            }
            times = newTimes;
            keys = newKeys;
            first = 0;
        }
    }
}
