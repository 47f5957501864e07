package org.flinkreinforce.cli.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one run of the learner measured while it drained the pre-loaded records from the earliest
 * offset until a visible snapshot had applied every event: rates, CPU and per-thread CPU.
 */
final class Drain {

    /** Events per second from the first snapshot past the warm-up to the last one. */
    double eventsPerSecond;

    /** Events per second from the first snapshot to the last one. */
    double eventsPerSecondWholeRun;

    /** The events the snapshot that completed the run had applied. */
    long eventsApplied;

    long measuredEvents;
    double measuredSeconds;
    double cpuSecondsPerMillionEvents;
    double brokerCpuSecondsPerMillionEvents = Double.NaN;
    double cpuCoresUsed;
    long versionsPublished;
    long peakHeapBytes;

    /** CPU seconds per thread group of the learner's JVM past the warm-up, largest first. */
    final Map<String, Double> threadCpuSeconds = new LinkedHashMap<>();

    /** The events {@link #threadCpuSeconds} were spent on. */
    long threadCpuEvents;

    /** {@link #threadCpuSeconds} of {@code group} per million events. */
    double threadCpuSecondsPerMillionEvents(String group) {
        return threadCpuSeconds.get(group) / Math.max(1, threadCpuEvents) * 1e6;
    }
}
