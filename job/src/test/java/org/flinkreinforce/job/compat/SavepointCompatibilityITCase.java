package org.flinkreinforce.job.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.formats.snapshot.TrainingStatistics;
import org.flinkreinforce.job.LearnerConfig;
import org.flinkreinforce.job.LearnerJob;
import org.flinkreinforce.job.LearnerOptions;
import org.flinkreinforce.job.PolicySettings;
import org.flinkreinforce.job.testing.SharedKafka;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * State written by an earlier release restores: the job starts from the savepoint that {@link
 * SavepointFixture} wrote with each release (copied to another folder first: a canonical savepoint
 * is relocatable) and must continue each policy exactly from the recorded state. Every part of that
 * state shows in the snapshots it publishes: the pending events and their flush timers (the overdue
 * batch is learned first, with the advantages stamped before the savepoint), the parameters, Adam's
 * moments and step count, the version, counters and digest, the baselines of every key (the
 * advantages of the new events), and the source's offsets (the events already read before the
 * savepoint are in the topic again and must not be learned twice).
 *
 * <p>The job runs at parallelism 2 (the savepoint was written at 1, so key groups move). A change
 * of an operator's uid, a state's name or type, or a serializer's format without a migration fails
 * this test; so does a class of the state moved without a migration.
 */
@ExtendWith(SharedKafka.class)
class SavepointCompatibilityITCase {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir Path savepoint;

    @ParameterizedTest(name = "release {0}")
    @ValueSource(strings = {"0.1"})
    void shouldContinueEveryPolicyFromTheStateInTheSavepointOfRelease(String release)
            throws Exception {
        Properties recorded = SavepointFixture.recorded(release);
        // A canonical savepoint is relocatable: restore a copy, not the files of the checkout.
        SavepointFixture.copy(SavepointFixture.folder(release), savepoint);
        Map<String, String> settings = SavepointFixture.recordedSettings(recorded);
        settings.put("bootstrap.servers", SharedKafka.broker().bootstrapServers());
        // The first release's algorithm, which the reference learner reproduces bit for bit; its
        // defaults have changed since.
        settings.put("estimator", "reinforce");
        settings.put("learning-rate.schedule", "constant");
        settings.put("average", "none");
        LearnerConfig config = LearnerConfig.fromMap(settings);
        Map<String, ReferenceLearner> expected = new LinkedHashMap<>();
        for (String id : recorded.getProperty("policies").split(",")) {
            expected.put(
                    id,
                    ReferenceLearner.read(config.policies().get(id), config.kernel(), recorded));
        }
        long overdueAt =
                Long.parseLong(recorded.getProperty("savepoint.taken-at-millis"))
                        + config.get(LearnerOptions.BATCH_TIMEOUT).toMillis();
        assertThat(System.currentTimeMillis())
                .as(
                        "the clock is past the deadline of the savepoint's pending batches (a"
                                + " processing time, at most %d): their restored timers fire at"
                                + " once",
                        overdueAt)
                .isGreaterThan(overdueAt);

        String eventsTopic = config.get(LearnerOptions.EVENTS_TOPIC);
        String parametersTopic = config.get(LearnerOptions.PARAMETERS_TOPIC);
        String deadLettersTopic = config.get(LearnerOptions.DEAD_LETTER_TOPIC);
        SharedKafka.broker().createTopic(eventsTopic, 1, false);
        SharedKafka.broker().createTopic(parametersTopic, 1, true);
        SharedKafka.broker().createTopic(deadLettersTopic, 1, false);
        // The restored source reads on from its recorded offset. The topic is new: fill it up to
        // that offset with valid events, which the job learns only if it lost the offset.
        PolicySettings first = config.policies().get(expected.keySet().iterator().next());
        int offset = Integer.parseInt(recorded.getProperty("events.end-offset.0"));
        send(eventsTopic, SavepointFixture.events(first.spec(), "read", offset, 1));

        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint.toUri().toString());
        restore.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(restore);
        env.setParallelism(2);
        JobClient client = LearnerJob.kafka(config).start(env);
        Map<String, List<ParameterSnapshot>> expectedSnapshots = new LinkedHashMap<>();
        try {
            // The pending batches' timers are overdue: each policy learns its batch first.
            for (Map.Entry<String, ReferenceLearner> entry : expected.entrySet()) {
                assertThat(entry.getValue().buffered).isNotEmpty();
                entry.getValue().flush();
                expectedSnapshots.put(entry.getKey(), new ArrayList<>());
                expectedSnapshots.get(entry.getKey()).add(snapshotOf(entry.getValue()));
            }
            awaitPublished(client, parametersTopic, expected);

            // One more full batch per policy, advantages against the restored baselines.
            List<PolicyEvent> next = new ArrayList<>();
            for (Map.Entry<String, ReferenceLearner> entry : expected.entrySet()) {
                PolicySettings policy = config.policies().get(entry.getKey());
                for (PolicyEvent event :
                        SavepointFixture.events(policy.spec(), "restored", policy.batchSize(), 2)) {
                    entry.getValue().accept(event);
                    next.add(event);
                }
                assertThat(entry.getValue().buffered).isEmpty();
                expectedSnapshots.get(entry.getKey()).add(snapshotOf(entry.getValue()));
            }
            send(eventsTopic, next);
            awaitPublished(client, parametersTopic, expected);
        } finally {
            if (!ended(client)) {
                client.cancel().get();
            }
        }

        Map<String, List<ParameterSnapshot>> published = new LinkedHashMap<>();
        for (ParameterSnapshot snapshot : snapshots(parametersTopic)) {
            published.computeIfAbsent(snapshot.policyId(), id -> new ArrayList<>()).add(snapshot);
        }
        for (Map.Entry<String, List<ParameterSnapshot>> entry : expectedSnapshots.entrySet()) {
            String id = entry.getKey();
            List<ParameterSnapshot> wanted = entry.getValue();
            List<ParameterSnapshot> actual = published.getOrDefault(id, List.of());
            assertThat(actual)
                    .as("the versions policy %s published", id)
                    .extracting(ParameterSnapshot::version)
                    .containsExactlyElementsOf(
                            wanted.stream().map(ParameterSnapshot::version).toList());
            for (int k = 0; k < wanted.size(); k++) {
                ParameterSnapshot want = wanted.get(k);
                ParameterSnapshot got = actual.get(k);
                String at = id + " version " + want.version();
                assertThat(got.updates()).as("updates of %s", at).isEqualTo(want.updates());
                assertThat(got.eventsApplied())
                        .as("events applied of %s", at)
                        .isEqualTo(want.eventsApplied());
                assertThat(got.eventDigest())
                        .as("applied-event digest of %s", at)
                        .isEqualTo(want.eventDigest());
                assertThat(got.parameters())
                        .as("parameters of %s", at)
                        .containsExactly(want.parameters());
            }
        }
        assertThat(SharedKafka.readAll(deadLettersTopic)).isEmpty();
    }

    /** What the job must publish for {@code learner}'s state; time and statistics aside. */
    private static ParameterSnapshot snapshotOf(ReferenceLearner learner) {
        return new ParameterSnapshot(
                learner.spec(),
                learner.version,
                0,
                learner.eventsApplied,
                learner.updates,
                learner.parameters.clone(),
                TrainingStatistics.NONE,
                learner.eventDigest);
    }

    /** Waits until every policy published its reference's version; fails if the job ends. */
    private static void awaitPublished(
            JobClient client, String topic, Map<String, ReferenceLearner> expected)
            throws Exception {
        try {
            SharedKafka.await(
                    "every policy to publish its next version, or the job to end",
                    TIMEOUT,
                    () -> ended(client) || allPublished(topic, expected));
        } catch (AssertionError e) {
            throw new AssertionError(
                    e.getMessage() + "; the latest versions published: " + latestVersions(topic),
                    e);
        }
        if (ended(client)) {
            // Rethrows why the job failed, for example a state it could not restore.
            client.getJobExecutionResult().get();
            throw new AssertionError("The restored job ended.");
        }
    }

    private static boolean allPublished(String topic, Map<String, ReferenceLearner> expected) {
        Map<String, Long> versions = latestVersions(topic);
        return expected.entrySet().stream()
                .allMatch(e -> versions.getOrDefault(e.getKey(), -1L) >= e.getValue().version);
    }

    private static Map<String, Long> latestVersions(String topic) {
        Map<String, Long> versions = new LinkedHashMap<>();
        for (ParameterSnapshot snapshot : snapshots(topic)) {
            versions.merge(snapshot.policyId(), snapshot.version(), Math::max);
        }
        return versions;
    }

    private static boolean ended(JobClient client) {
        try {
            return client.getJobStatus().get().isGloballyTerminalState();
        } catch (Exception e) {
            return true;
        }
    }

    private static List<ParameterSnapshot> snapshots(String topic) {
        return SharedKafka.snapshots(SharedKafka.broker().clientProperties(), topic);
    }

    private static void send(String topic, List<PolicyEvent> events) {
        try (EventLogger logger = new EventLogger(SharedKafka.broker().clientProperties(), topic)) {
            events.forEach(event -> logger.send(event.toLogged()));
            logger.flush();
        }
    }
}
