package org.flinkreinforce.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.client.PolicyClient;
import org.flinkreinforce.formats.ranker.Candidate;
import org.flinkreinforce.kafka.embedded.EmbeddedKafkaBroker;
import org.flinkreinforce.model.ranker.Features;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code learn} (its own JVM, as a user would start it) + {@code simulate} + {@code inspect
 * --json}, against a broker started outside them: decisions and their delayed rewards logged apart,
 * joined by the learner in event time.
 */
class LearnSimulateInspectITCase {

    @TempDir Path directory;

    @Test
    void shouldLearnFromTheSimulatorAndShowTheSnapshotInJson() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            String bootstrap = broker.bootstrapServers();
            File log = directory.resolve("learn.log").toFile();
            Process learner = startLearner(bootstrap, log);
            try {
                CliRun.awaitLog(learner, log.toPath(), "Web UI: ", Duration.ofSeconds(90));
                CliRun.Output simulated = simulate(bootstrap, "3000", "500");
                assertThat(simulated.code()).as(simulated.text()).isZero();
                assertThat(simulated.out())
                        .contains("Produced 3000 decisions and 3000 rewards.")
                        // Nothing came after the last decisions to carry the learner's time on.
                        .contains("decisions are not learned from yet");
                // The application's next decision, after a quiet spell, carries it past them.
                CliRun.Output next = simulate(bootstrap, "1", "0");
                assertThat(next.code()).as(next.text()).isZero();
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                String json = "";
                while (System.nanoTime() < deadline) {
                    assertThat(learner.isAlive())
                            .as("the learner is running (see %s)", log)
                            .isTrue();
                    json = inspect(bootstrap);
                    if (json.contains("\"eventsApplied\":3000")) {
                        break;
                    }
                    Thread.sleep(500);
                }
                assertThat(json).as("inspect --json output").contains("\"eventsApplied\":3000");
                // The progress line counts what the join passed on, from its metrics.
                CliRun.awaitLog(
                        learner, log.toPath(), "| joined 3,000 (pending ", Duration.ofSeconds(30));
                List<String> lines = json.lines().filter(l -> l.startsWith("{")).toList();
                assertThat(lines).hasSize(1);
                JsonParser parser = new JsonFactory().createParser(lines.get(0));
                List<String> fields = new ArrayList<>();
                int heads = 0;
                parser.nextToken();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    fields.add(name);
                    parser.nextToken();
                    if (name.equals("heads")) {
                        while (parser.nextToken() == JsonToken.START_OBJECT) {
                            heads++;
                            parser.skipChildren();
                        }
                    } else if (name.equals("policyId")) {
                        assertThat(parser.getText()).isEqualTo("arch");
                    } else if (name.equals("version")) {
                        assertThat(parser.getLongValue()).isPositive();
                    } else {
                        parser.skipChildren();
                    }
                }
                assertThat(fields)
                        .contains(
                                "policyId",
                                "version",
                                "eventsApplied",
                                "features",
                                "heads",
                                "statistics");
                assertThat(heads).isEqualTo(4);
            } finally {
                CliRun.stop(learner);
            }
        }
    }

    @Test
    void shouldConnectWithScramCredentialsAndFailFastWithAWrongPassword() {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startWithScram("bob", "bob-secret")) {
            broker.createTopic("reinforce-parameters", 1, true);
            String jaas =
                    "org.apache.kafka.common.security.scram.ScramLoginModule required"
                            + " username=\"bob\" password=\"%s\";";
            String[] right = {
                "inspect",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--kafka-property",
                "security.protocol=SASL_PLAINTEXT",
                "--kafka-property",
                "sasl.mechanism=SCRAM-SHA-256",
                "--kafka-property",
                "sasl.jaas.config=" + String.format(jaas, "bob-secret")
            };
            assertThat(Reinforce.commandLine().execute(right)).isZero();
            String[] wrong = right.clone();
            wrong[wrong.length - 1] = "sasl.jaas.config=" + String.format(jaas, "nope");
            long start = System.nanoTime();
            assertThat(Reinforce.commandLine().execute(wrong)).isNotZero();
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isLessThan(Duration.ofSeconds(30));
        }
    }

    /**
     * The broker's credentials in {@code --config}, as docs/operations.md advises (not as flags):
     * the learner's own clients (the broker check, the progress line) use them as the job does.
     */
    @Test
    void shouldLearnFromAScramBrokerWithTheCredentialsInTheConfigFile() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startWithScram("bob", "bob-secret")) {
            Path config = directory.resolve("learner.properties");
            Files.writeString(
                    config,
                    String.join(
                            "\n",
                            "security.protocol=SASL_PLAINTEXT",
                            "sasl.mechanism=SCRAM-SHA-256",
                            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule"
                                    + " required username=\"bob\" password=\"bob-secret\";"));
            Path log = directory.resolve("learn-scram.log");
            Process learner =
                    CliRun.startLearner(
                            broker.bootstrapServers(),
                            log,
                            List.of(),
                            "--policy",
                            "recs:4:3",
                            "--connect-timeout",
                            "10 s",
                            "--config",
                            config.toString());
            try {
                CliRun.awaitLog(learner, log, "Web UI: ", Duration.ofSeconds(90));
                CliRun.awaitLog(learner, log, "| applied", Duration.ofSeconds(30));
            } finally {
                CliRun.stop(learner);
            }
        }
    }

    /**
     * {@code learn --rankers} with no softmax policy learns a ranker from the rankings an
     * application logs, and {@code inspect} shows its snapshot, in text and in JSON.
     */
    @Test
    void shouldLearnARankerAloneAndInspectItsSnapshot() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            String bootstrap = broker.bootstrapServers();
            Path log = directory.resolve("learn-ranker.log");
            Process learner =
                    CliRun.startLearner(
                            bootstrap,
                            log,
                            List.of(),
                            "--rankers",
                            "shop:12",
                            "--ranker-interactions",
                            "user:item");
            try {
                CliRun.awaitLog(learner, log, "Web UI: ", Duration.ofSeconds(90));
                RankerSpec spec =
                        new RankerSpec("shop", 12, 0, Interaction.parseList("user:item"), 64, 64);
                java.util.Properties client = broker.clientProperties();
                try (PolicyClient policies = new PolicyClient(client, "reinforce-parameters");
                        EventLogger logger = new EventLogger(client, "reinforce-events")) {
                    policies.register(spec);
                    java.util.Random random = new java.util.Random(3);
                    for (int i = 0; i < 200; i++) {
                        List<Candidate> candidates = new ArrayList<>();
                        for (int c = 0; c < 4; c++) {
                            candidates.add(
                                    Candidate.of(
                                            Features.builder()
                                                    .category("item", "category", "c" + c)
                                                    .build()));
                        }
                        PolicyClient.Ranking ranking =
                                policies.rank(
                                        "shop",
                                        Features.builder()
                                                .category("user", "segment", "s" + i % 2)
                                                .build(),
                                        candidates,
                                        random);
                        logger.logRanking(ranking, ranking.chosen() == i % 2 ? 1 : 0);
                    }
                    logger.flush();
                    CliRun.await(() -> policies.eventsApplied("shop") >= 200, learner, log);
                }
                // The progress line names the ranker with its version and validated value.
                CliRun.awaitLog(learner, log, "| shop v", Duration.ofSeconds(30));
                CliRun.awaitLog(learner, log, "applied 200", Duration.ofSeconds(30));
                String text = CliRun.run("inspect", "--bootstrap-servers", bootstrap).out();
                assertThat(text)
                        .contains("shop (ranker)")
                        .contains("events applied 200")
                        .contains("2^12 weights")
                        .contains("interactions [user:item]")
                        .contains("latest batch:")
                        .contains("validation over ~");
                // Segment s0 clicks category c0, s1 c1: their crosses' weights, by name.
                String named =
                        CliRun.run(
                                        "inspect",
                                        "--bootstrap-servers",
                                        bootstrap,
                                        "--feature",
                                        "user:segment=s0*item:category=c0",
                                        "--feature",
                                        "user:segment=s0*item:category=c1")
                                .out();
                assertThat(weight(named, "user:segment=s0*item:category=c0"))
                        .as(named)
                        .isGreaterThan(weight(named, "user:segment=s0*item:category=c1"));
                assertThat(inspect(bootstrap))
                        .contains("\"kind\":\"ranker\"")
                        .contains("\"eventsApplied\":200")
                        .contains("\"ips\":");
            } finally {
                CliRun.stop(learner);
            }
        }
    }

    private static String inspect(String bootstrap) {
        return CliRun.run("inspect", "--bootstrap-servers", bootstrap, "--json").out();
    }

    /**
     * {@code simulate} of the nas scenario, its trainer's delays between 200 and 600 ms, logging
     * decisions and rewards apart.
     */
    private static CliRun.Output simulate(String bootstrap, String events, String rate) {
        return CliRun.run(
                "simulate",
                "--bootstrap-servers",
                bootstrap,
                "--scenario",
                "nas",
                "--policy-id",
                "arch",
                "--events",
                events,
                "--rate",
                rate,
                "--reward-delay",
                "400 ms",
                "--seed",
                "5");
    }

    /**
     * The learner joins decisions with the rewards that come within 2 s, in event time; a partition
     * quiet for 1 s no longer holds its time back.
     */
    /** The weight {@code inspect --feature} printed for {@code feature}. */
    private static double weight(String output, String feature) {
        java.util.regex.Matcher matcher =
                java.util.regex.Pattern.compile(
                                java.util.regex.Pattern.quote(feature) + ": (-?[0-9.]+) \\(index")
                        .matcher(output);
        assertThat(matcher.find()).as(output).isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    private static Process startLearner(String bootstrap, File log) throws Exception {
        return CliRun.startLearner(
                bootstrap,
                log.toPath(),
                List.of(),
                "--policy",
                "arch:0:6,6,4,4",
                "--rewards-join",
                "true",
                "--reward-wait",
                "2 s",
                "--reward-out-of-orderness",
                "500 ms",
                "--reward-idle-timeout",
                "1 s",
                "--reward-unrewarded",
                "drop");
    }
}
