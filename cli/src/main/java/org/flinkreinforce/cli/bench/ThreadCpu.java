package org.flinkreinforce.cli.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of this JVM's threads, grouped by name with digits and subtask indices folded ("Update
 * baseline (1/2)#0" and "(2/2)#0" are one group), so the table can say where the time goes.
 */
final class ThreadCpu {

    private final Map<Long, String> names = new HashMap<>();
    private final Map<Long, Long> nanos = new HashMap<>();

    static ThreadCpu snapshot() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ThreadCpu snapshot = new ThreadCpu();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu >= 0) {
                snapshot.names.put(info.getThreadId(), group(info.getThreadName()));
                snapshot.nanos.put(info.getThreadId(), cpu);
            }
        }
        return snapshot;
    }

    /** Seconds per group between {@code before} and this snapshot, largest first. */
    Map<String, Double> minus(ThreadCpu before) {
        Map<String, Double> seconds = new HashMap<>();
        nanos.forEach(
                (id, cpu) -> {
                    long spent = cpu - before.nanos.getOrDefault(id, 0L);
                    seconds.merge(names.get(id), spent / 1e9, Double::sum);
                });
        Map<String, Double> sorted = new LinkedHashMap<>();
        seconds.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(entry -> sorted.put(entry.getKey(), entry.getValue()));
        return sorted;
    }

    static String group(String name) {
        String folded = name.replaceAll("\\(\\d+/\\d+\\)(#\\d+)?", "").replaceAll("\\d+", "N");
        return folded.length() <= 42 ? folded.trim() : folded.substring(0, 41).trim() + "~";
    }
}
