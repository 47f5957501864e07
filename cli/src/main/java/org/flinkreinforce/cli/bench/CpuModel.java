package org.flinkreinforce.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The CPU's model name, for the table's "measured on" line. */
final class CpuModel {

    private CpuModel() {}

    static String name() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux.
        }
        return System.getProperty("os.arch");
    }
}
