package org.flinkreinforce.model.util;

import java.lang.management.ManagementFactory;

/**
 * Measures what a call allocates on the Java heap, for tests of code that must allocate nothing.
 */
public final class Allocations {

    /** Calls before any window is measured: JIT compilation and lazily built scratch. */
    private static final int WARM_UP_CALLS = 20_000;

    /** Windows measured; the least allocating one counts, so a stray allocation does not. */
    private static final int WINDOWS = 20;

    private Allocations() {}

    /**
     * The bytes one run of {@code call} allocates on this thread, rounded down: the least of {@link
     * #WINDOWS} windows of {@code calls} runs each, after {@link #WARM_UP_CALLS} runs. A call that
     * allocates even one object every time gives at least 16.
     */
    public static long bytesPerCall(Runnable call, int calls) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int k = 0; k < WARM_UP_CALLS; k++) {
            call.run();
        }
        long overhead = threads.getThreadAllocatedBytes(thread);
        overhead = threads.getThreadAllocatedBytes(thread) - overhead;
        long least = Long.MAX_VALUE;
        for (int w = 0; w < WINDOWS; w++) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int k = 0; k < calls; k++) {
                call.run();
            }
            least = Math.min(least, threads.getThreadAllocatedBytes(thread) - before - overhead);
        }
        return Math.max(0, least) / calls;
    }
}
