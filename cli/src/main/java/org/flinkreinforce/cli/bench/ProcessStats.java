package org.flinkreinforce.cli.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and resident memory of processes, from {@code /proc} (Linux) or the JVM's own beans. */
final class ProcessStats {

    /** Linux reports {@code /proc/PID/stat} times in USER_HZ ticks, 100 per second. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessStats() {}

    /** CPU seconds of this JVM so far. */
    static double ownCpuSeconds() {
        java.lang.management.OperatingSystemMXBean os =
                ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() / 1e9;
        }
        return cpuSeconds(ProcessHandle.current().pid());
    }

    /** CPU seconds (user + system) of process {@code pid}; NaN where /proc cannot say. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name in parentheses may hold spaces: fields count from the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // Fields 14 and 15 of stat(5), utime and stime, are at 11 and 12 after the name.
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Resident set size of {@code pid} in bytes; -1 where unknown. */
    static long residentBytes(long pid) {
        return statusKilobytes(pid, "VmRSS:");
    }

    /** Peak resident set size ("high water mark") of {@code pid} in bytes; -1 where unknown. */
    static long peakResidentBytes(long pid) {
        return statusKilobytes(pid, "VmHWM:");
    }

    private static long statusKilobytes(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    String value = line.substring(field.length()).trim();
                    return Long.parseLong(value.substring(0, value.indexOf(' '))) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or the process is gone.
        }
        return -1;
    }
}
