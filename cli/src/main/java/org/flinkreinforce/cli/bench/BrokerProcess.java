package org.flinkreinforce.cli.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.flinkreinforce.kafka.embedded.EmbeddedKafkaBroker;

/**
 * Apache Kafka's KRaft broker in a JVM of its own ({@link EmbeddedKafkaBroker#main}), so the
 * benchmark can account the learner's and the broker's CPU and memory separately. The broker dies
 * with this process: it exits when its standard input closes.
 */
final class BrokerProcess implements AutoCloseable {

    private final Process process;
    private final String bootstrapServers;
    private final Path log;

    private BrokerProcess(Process process, String bootstrapServers, Path log) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.log = log;
    }

    static BrokerProcess start() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = Files.createTempFile("reinforce-bench-broker-", ".log");
        Process process =
                new ProcessBuilder(
                                List.of(
                                        java,
                                        "-Xms1g",
                                        "-Xmx1g",
                                        "-XX:+UseG1GC",
                                        "-cp",
                                        System.getProperty("java.class.path"),
                                        EmbeddedKafkaBroker.class.getName()))
                        .redirectError(log.toFile())
                        .start();
        BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("bootstrap.servers=")) {
                return new BrokerProcess(
                        process, line.substring("bootstrap.servers=".length()), log);
            }
        }
        process.waitFor(10, TimeUnit.SECONDS);
        throw new IOException(
                "The Kafka broker process ended before it was ready; its log: " + log + ".");
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** CPU seconds (user + system) the broker process has used so far; NaN where unknown. */
    double cpuSeconds() {
        return ProcessStats.cpuSeconds(process.pid());
    }

    long residentBytes() {
        return ProcessStats.residentBytes(process.pid());
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.getOutputStream().close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        File file = log.toFile();
        if (process.exitValue() == 0) {
            file.delete();
        }
    }
}
