package org.flinkreinforce.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.client.PolicyClient;
import org.flinkreinforce.formats.event.LoggedEvent;
import org.flinkreinforce.formats.snapshot.EventDigest;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.kafka.embedded.EmbeddedKafkaBroker;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code learn} tells and leaves an operator, through the CLI's own entry point against a real
 * broker: the dead-letter warning, a policy added while it runs, one-line failures, the web UI's
 * safety, a clean stop and a resume from the checkpoint directory.
 */
class LearnOperatorITCase {

    @AutoClose private static final EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();

    @TempDir Path directory;

    @Test
    void shouldWarnWithTheReasonWhenAPolicysEventsAreDeadLettered() throws Exception {
        // The recs scenario logs 16 features; the learner expects 32.
        Path log = directory.resolve("learn.log");
        Process learner =
                CliRun.startLearner(
                        broker.bootstrapServers(),
                        log,
                        List.of(),
                        "--policy",
                        "recs:32:10",
                        "--events-topic",
                        "mismatch-events",
                        "--parameters-topic",
                        "mismatch-parameters",
                        "--dead-letter-topic",
                        "mismatch-dead-letters",
                        "--control-topic",
                        "mismatch-control",
                        "--group-id",
                        "mismatch");
        try {
            CliRun.awaitLog(learner, log, "| read ", Duration.ofSeconds(90));
            CliRun.Output simulate =
                    simulate("recs", "mismatch", "--events", "100", "--rewards", "inline");
            assertThat(simulate.code()).as(simulate.text()).isZero();
            assertThat(simulate.out())
                    .contains("came back as dead letters on mismatch-dead-letters")
                    .contains("FEATURE_DIMENSION");
            long sent = System.nanoTime();
            CliRun.awaitLog(learner, log, "WARNING: policy recs:", Duration.ofSeconds(30));
            assertThat(Duration.ofNanos(System.nanoTime() - sent))
                    .isLessThan(Duration.ofSeconds(30));
            assertThat(Files.readString(log))
                    .contains("went to the dead-letter topic mismatch-dead-letters")
                    .contains("most for FEATURE_DIMENSION")
                    .contains("Policy recs needs 32 features, the event has 16.");
            // The warning may come while the last dead letters are still being committed; the
            // progress line counts all of them at its next tick.
            CliRun.awaitLog(
                    learner,
                    log,
                    "dead letters 100 (FEATURE_DIMENSION 100)",
                    Duration.ofSeconds(30));
            // A ranker an operator adds while the learner runs joins the progress line.
            CliRun.Output added =
                    CliRun.run(
                            "policy",
                            "add",
                            "shop:12",
                            "--kind",
                            "ranker",
                            "--bootstrap-servers",
                            broker.bootstrapServers(),
                            "--control-topic",
                            "mismatch-control",
                            "--parameters-topic",
                            "mismatch-parameters");
            assertThat(added.code()).as(added.text()).isZero();
            CliRun.awaitLog(learner, log, "| shop no version yet", Duration.ofSeconds(30));
        } finally {
            CliRun.stop(learner);
        }
    }

    @Test
    void shouldCreateTheTopicsAsTheLearnerWouldAndWarnWhenNoLearnerPublishes() throws Exception {
        CliRun.Output simulate =
                simulate(
                        "lonely",
                        "lonely",
                        "--events",
                        "20",
                        "--learner-timeout",
                        "1 s",
                        "--reward-delay",
                        "100 ms");
        assertThat(simulate.code()).as(simulate.text()).isZero();
        assertThat(simulate.out())
                .contains(
                        "WARNING: no learner has published a version of policy lonely on"
                                + " lonely-parameters within 1 s: is `learn --policy lonely:16:10"
                                + " --rewards-join true --reward-wait '2400 ms'` running")
                .doesNotContain("PT1S");
        try (Admin admin = Admin.create(broker.clientProperties())) {
            Map<String, TopicDescription> topics =
                    admin.describeTopics(
                                    List.of(
                                            "lonely-events",
                                            "lonely-parameters",
                                            "lonely-decisions",
                                            "lonely-rewards"))
                            .allTopicNames()
                            .get(30, TimeUnit.SECONDS);
            assertThat(topics.get("lonely-events").partitions()).hasSize(2);
            assertThat(topics.get("lonely-parameters").partitions()).hasSize(1);
            assertThat(topics.get("lonely-decisions").partitions()).hasSize(2);
            assertThat(topics.get("lonely-rewards").partitions()).hasSize(2);
        }
    }

    @Test
    void shouldFailWithinTheBoundNamingTheAddressWhenNoBrokerListens() throws Exception {
        int port = CliRun.Ports.free();
        long start = System.nanoTime();
        CliRun.Output learn =
                CliRun.run(
                        "learn",
                        "--bootstrap-servers",
                        "localhost:" + port,
                        "--policy",
                        "recs:4:2");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(learn.code()).isEqualTo(1);
        assertThat(learn.err().lines().filter(l -> !l.isBlank()).findFirst().orElse(""))
                .contains("localhost:" + port)
                .contains("connection refused");
        assertThat(learn.err()).doesNotContain("\tat ");

        CliRun.Output dns =
                CliRun.run(
                        "inspect",
                        "--bootstrap-servers",
                        "no-such-host.invalid:9092",
                        "--connect-timeout",
                        "3 s");
        assertThat(dns.code()).isEqualTo(1);
        assertThat(dns.err()).contains("no-such-host.invalid:9092").contains("does not resolve");
    }

    @Test
    void shouldPrintOneLineAndExitWith2ForABadValue() {
        assertUsageError("--policy", "--policy", "recs:x");
        assertUsageError("--policy");
        assertUsageError("--batch-size", "--policy", "recs:4:2", "--batch-size", "lots")
                .doesNotContain("batch.size");

        CliRun.Output duration = simulate("recs", "bad", "--learner-timeout", "soon");
        assertThat(duration.code()).isEqualTo(2);
        assertThat(duration.err()).contains("--learner-timeout");
    }

    @Test
    void shouldStopCleanlyOnSigtermAndResumeFromTheCheckpointDirectory() throws Exception {
        Path tmp = Files.createDirectories(directory.resolve("tmp"));
        Path checkpoints = directory.resolve("checkpoints");
        int webUi = CliRun.Ports.free();
        String[] args = {
            "--policy", "arch:0:6,6,4,4",
            "--events-topic", "resume-events",
            "--parameters-topic", "resume-parameters",
            "--dead-letter-topic", "resume-dead-letters",
            "--control-topic", "resume-control",
            "--group-id", "resume",
            "--checkpoint-dir", checkpoints.toString(),
            "--web-ui-port", Integer.toString(webUi)
        };
        List<String> jvm = List.of("-Djava.io.tmpdir=" + tmp);
        List<String> ids = new ArrayList<>();
        Random random = new Random(9);
        Path firstLog = directory.resolve("learn-1.log");
        Process learner = CliRun.startLearner(broker.bootstrapServers(), firstLog, jvm, args);
        try (PolicyClient snapshots =
                new PolicyClient(broker.clientProperties(), "resume-parameters")) {
            CliRun.awaitLog(learner, firstLog, "Web UI: ", Duration.ofSeconds(90));
            send("resume-events", 0, 2000, ids, random);
            CliRun.await(() -> snapshots.eventsApplied("arch") >= 2000, learner, firstLog);

            // The web UI answers on localhost only, and refuses a jar upload.
            assertThat(get("http://127.0.0.1:" + webUi + "/config")).isEqualTo(200);
            assertThat(post("http://127.0.0.1:" + webUi + "/jars/upload")).isNotEqualTo(200);
            Optional<InetAddress> outside = nonLoopbackAddress();
            if (outside.isPresent()) {
                assertThat(accepts(outside.get(), webUi)).as("web UI on %s", outside).isFalse();
            }

            learner.destroy(); // SIGTERM
            assertThat(learner.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(learner.exitValue()).as(Files.readString(firstLog)).isZero();
            assertThat(Files.readString(firstLog))
                    .contains("Stopped. Checkpoints are kept in " + checkpoints);
            try (Stream<Path> left = Files.list(tmp)) {
                assertThat(left.toList()).as("files left in the temp directory").isEmpty();
            }

            send("resume-events", 2000, 1000, ids, random);
            Path secondLog = directory.resolve("learn-2.log");
            learner = CliRun.startLearner(broker.bootstrapServers(), secondLog, jvm, args);
            Process second = learner;
            CliRun.await(() -> snapshots.eventsApplied("arch") >= 3000, second, secondLog);
            assertThat(Files.readString(secondLog)).contains("Resumed from " + checkpoints);
            ParameterSnapshot last = snapshots.snapshot("arch").orElseThrow();
            assertThat(last.eventsApplied()).isEqualTo(3000);
            assertThat(last.eventDigest()).isEqualTo(EventDigest.of(ids));
        } finally {
            CliRun.stop(learner);
        }
    }

    /** {@code learn} with {@code args} exits with 2 and one line naming {@code flag}. */
    private static org.assertj.core.api.AbstractStringAssert<?> assertUsageError(
            String flag, String... args) {
        List<String> command =
                new ArrayList<>(List.of("learn", "--bootstrap-servers", broker.bootstrapServers()));
        command.addAll(List.of(args));
        CliRun.Output output = CliRun.run(command.toArray(String[]::new));
        assertThat(output.code()).as(output.text()).isEqualTo(2);
        assertThat(output.err().strip().lines()).hasSize(1);
        return assertThat(output.err()).contains(flag).doesNotContain("\tat ");
    }

    /** {@code simulate} of the recs scenario as {@code policy} on the topics {@code prefix-*}. */
    private static CliRun.Output simulate(String policy, String prefix, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "simulate",
                                "--bootstrap-servers",
                                broker.bootstrapServers(),
                                "--scenario",
                                "recs",
                                "--policy-id",
                                policy,
                                "--rate",
                                "0",
                                "--events-topic",
                                prefix + "-events",
                                "--parameters-topic",
                                prefix + "-parameters",
                                "--dead-letter-topic",
                                prefix + "-dead-letters",
                                "--decisions-topic",
                                prefix + "-decisions",
                                "--rewards-topic",
                                prefix + "-rewards"));
        args.addAll(List.of(more));
        return CliRun.run(args.toArray(String[]::new));
    }

    private static void send(String topic, int from, int count, List<String> ids, Random random)
            throws Exception {
        try (EventLogger logger = new EventLogger(broker.clientProperties(), topic)) {
            for (int i = from; i < from + count; i++) {
                String id = "resume-" + i;
                logger.send(
                        new LoggedEvent(
                                "arch",
                                new float[0],
                                new int[] {
                                    random.nextInt(6),
                                    random.nextInt(6),
                                    random.nextInt(4),
                                    random.nextInt(4)
                                },
                                random.nextDouble(),
                                LoggedEvent.ON_POLICY,
                                -1,
                                "arch",
                                id,
                                0));
                ids.add(id);
            }
            logger.flush();
        }
    }

    private static int get(String url) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        connection.setConnectTimeout(5000);
        connection.setReadTimeout(5000);
        try {
            return connection.getResponseCode();
        } finally {
            connection.disconnect();
        }
    }

    private static int post(String url) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        connection.setConnectTimeout(5000);
        connection.setReadTimeout(5000);
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setRequestProperty("Content-Type", "multipart/form-data; boundary=x");
        connection.getOutputStream().write("--x--\r\n".getBytes(StandardCharsets.UTF_8));
        try {
            return connection.getResponseCode();
        } finally {
            connection.disconnect();
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!network.isUp() || network.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(network.getInetAddresses())) {
                if (address instanceof Inet4Address) {
                    return Optional.of(address);
                }
            }
        }
        return Optional.empty();
    }

    private static boolean accepts(InetAddress address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
