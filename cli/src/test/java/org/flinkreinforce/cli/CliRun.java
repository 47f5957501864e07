package org.flinkreinforce.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import picocli.CommandLine;

/**
 * Runs {@code ./reinforce} commands as the launcher does, through {@link Reinforce}'s entry point:
 * in this JVM with their output captured, or {@code learn} in a JVM of its own.
 */
final class CliRun {

    /** Output and exit code of one command. */
    record Output(int code, String out, String err) {
        String text() {
            return out + err;
        }
    }

    private CliRun() {}

    /** Runs one command in this JVM; its standard output and error are captured. */
    static Output run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = Reinforce.commandLine();
        commandLine.setErr(new PrintWriter(err, true));
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = commandLine.execute(args);
        } finally {
            System.setOut(original);
        }
        return new Output(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    /**
     * Starts {@code learn} against {@code bootstrap} in a JVM of its own with {@code jvm} flags,
     * small batches and short intervals, then {@code args}; its output goes to {@code log}.
     */
    static Process startLearner(String bootstrap, Path log, List<String> jvm, String... args)
            throws IOException {
        String classpath =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "--add-modules=jdk.incubator.vector",
                                "-Xmx768m"));
        command.addAll(jvm);
        command.addAll(
                List.of(
                        "-cp",
                        classpath,
                        Reinforce.class.getName(),
                        "learn",
                        "--bootstrap-servers",
                        bootstrap,
                        "--batch-size",
                        "32",
                        "--checkpoint-interval",
                        "300 ms",
                        "--publish-interval",
                        "300 ms",
                        "--transaction-timeout",
                        "1 min",
                        "--progress-interval",
                        "1 s"));
        if (!List.of(args).contains("--web-ui-port")) {
            command.addAll(List.of("--web-ui-port", Integer.toString(Ports.free())));
        }
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /**
     * Waits until {@code log} contains {@code text}, up to {@code timeout}; fails, with the log, if
     * the learner ends first.
     */
    static void awaitLog(Process learner, Path log, String text, Duration timeout)
            throws InterruptedException {
        await(() -> read(log).contains(text), learner, log, timeout);
    }

    /** {@link #await(BooleanSupplier, Process, Path, Duration)} for up to two minutes. */
    static void await(BooleanSupplier condition, Process learner, Path log)
            throws InterruptedException {
        await(condition, learner, log, Duration.ofSeconds(120));
    }

    /**
     * Waits until {@code condition} holds, up to {@code timeout}; fails, with the learner's log, if
     * the learner ends first or the time runs out.
     */
    static void await(BooleanSupplier condition, Process learner, Path log, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(learner.isAlive()).as("the learner runs: %s", read(log)).isTrue();
            assertThat(System.nanoTime()).as("waiting, see %s", read(log)).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGTERM, then up to a minute for a clean stop, then SIGKILL. */
    static void stop(Process learner) throws InterruptedException {
        if (learner.isAlive()) {
            learner.destroy();
            if (!learner.waitFor(60, TimeUnit.SECONDS)) {
                learner.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Free TCP ports. */
    static final class Ports {
        private Ports() {}

        static int free() {
            try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
