package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.client.kafka.PolicyControlTopic;
import org.flinkreinforce.formats.control.PolicyDefinition;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.deadletter.DeadLetterCodec;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.event.DecodedEvent;
import org.flinkreinforce.formats.event.EventDecoder;
import org.flinkreinforce.formats.event.LoggedEvent;
import org.flinkreinforce.formats.snapshot.EventDigest;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.formats.snapshot.SnapshotCodec;
import org.flinkreinforce.job.testing.LearnerMiniCluster;
import org.flinkreinforce.job.testing.LearnerSettings;
import org.flinkreinforce.job.testing.SharedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Policies added, changed, removed and rolled back on the control topic while the learner runs
 * under load: no restart, every event sent either applied exactly once or dead-lettered with its
 * reason, versions strictly increasing per policy, also across the rollback.
 */
@ExtendWith(SharedKafka.class)
class PolicyLifecycleITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = LearnerMiniCluster.withTaskManagers(1);

    private static final String PREFIX = "it-lifecycle";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void shouldFollowEveryKindOfPolicyChangeWithoutRestarting() throws Exception {
        LearnerSettings.createTopics(SharedKafka.broker().clientProperties(), PREFIX, 2);
        Map<String, String> settings = LearnerJobITCase.settings(PREFIX, "a:2:3;b:0:2,2");
        settings.put("batch.size", "8");
        settings.put("publish.every-updates", "1");
        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(noRestarts);
        env.setParallelism(2);
        JobClient job = LearnerJob.kafka(LearnerConfig.fromMap(settings)).start(env);
        Properties client = SharedKafka.broker().clientProperties();
        String control = PREFIX + "-control";
        Load load = new Load(client);
        Thread sender = new Thread(load, "lifecycle-load");
        sender.start();
        try {
            awaitVersion("a", 1);
            awaitVersion("b", 1);

            write(client, control, definition("c", "c:1:2", Map.of()));
            awaitVersion("c", 2);
            write(
                    client,
                    control,
                    definition("a", "a:2:3", Map.of("learning-rate", "0.02", "batch.size", "4")));
            awaitVersion("a", newest("a").version() + 2);
            // a's events keep actions below 3, which fit the new spec too.
            write(client, control, definition("a", "a:2:5", Map.of("learning-rate", "0.02")));
            SharedKafka.await(
                    "a publishing as a:2:5",
                    WAIT,
                    () -> newest("a") != null && newest("a").spec().toString().equals("a:2:5"));
            PolicyControlTopic.write(client, control, "b", null);

            ParameterSnapshot target = first("c");
            long basedOn = newest("c").version();
            write(
                    client,
                    control,
                    definition("c", "c:1:2", Map.of())
                            .withRollback(
                                    new PolicyDefinition.Rollback(
                                            "lifecycle-1",
                                            target.version(),
                                            basedOn,
                                            SnapshotCodec.encode(target))));
            SharedKafka.await(
                    "c's rolled-back version",
                    WAIT,
                    () ->
                            snapshots().stream()
                                    .anyMatch(
                                            s ->
                                                    s.policyId().equals("c")
                                                            && s.version() > basedOn
                                                            && java.util.Arrays.equals(
                                                                    s.parameters(),
                                                                    target.parameters())));
            awaitVersion("c", newest("c").version() + 1);
        } finally {
            load.running.set(false);
            sender.join();
        }
        try {
            // Every event sent is either applied or dead-lettered, once.
            for (String policy : List.of("a", "c")) {
                SharedKafka.await(
                        "every event of " + policy + " applied or dead-lettered",
                        WAIT,
                        () -> {
                            ParameterSnapshot last = newest(policy);
                            return last != null
                                    && last.eventsApplied() + deadLettered(policy).size()
                                            == load.sent.get(policy).size();
                        });
            }
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            job.cancel().get();
        }

        LearnerJobITCase.assertVersionsStrictlyIncrease(snapshots());
        for (String policy : List.of("a", "b", "c")) {
            Map<String, DeadLetterReason> dead = deadLettered(policy);
            List<String> applied = new ArrayList<>(load.sent.get(policy));
            applied.removeAll(dead.keySet());
            ParameterSnapshot last = newest(policy);
            assertThat(last.eventsApplied()).as(policy).isEqualTo(applied.size());
            assertThat(last.eventDigest()).as(policy).isEqualTo(EventDigest.of(applied));
        }
        // c was sent events before it was added, b after it was removed; a's pending batch went
        // when its shape changed (if one was pending).
        assertThat(deadLettered("c").values()).contains(DeadLetterReason.UNKNOWN_POLICY);
        assertThat(deadLettered("b").values()).contains(DeadLetterReason.UNKNOWN_POLICY);
        assertThat(deadLettered("a").values())
                .allMatch(reason -> reason == DeadLetterReason.POLICY_CHANGED);
    }

    /** Sends events of a, b and c, ids recorded per policy, until stopped. */
    private static final class Load implements Runnable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final Map<String, List<String>> sent = new ConcurrentHashMap<>();
        private final Properties client;

        Load(Properties client) {
            this.client = client;
            for (String policy : List.of("a", "b", "c")) {
                sent.put(policy, new CopyOnWriteArrayList<>());
            }
        }

        @Override
        public void run() {
            Random random = new Random(11);
            int k = 0;
            try (EventLogger logger = new EventLogger(client, PREFIX + "-events")) {
                while (running.get()) {
                    for (int i = 0; i < 20; i++, k++) {
                        send(
                                logger,
                                random,
                                "a",
                                new float[] {gauss(random), gauss(random)},
                                new int[] {random.nextInt(3)},
                                k);
                        send(
                                logger,
                                random,
                                "b",
                                new float[0],
                                new int[] {random.nextInt(2), random.nextInt(2)},
                                k);
                        send(
                                logger,
                                random,
                                "c",
                                new float[] {gauss(random)},
                                new int[] {random.nextInt(2)},
                                k);
                    }
                    logger.flush();
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void send(
                EventLogger logger, Random random, String policy, float[] x, int[] actions, int k) {
            String id = policy + "-" + k;
            logger.send(
                    new LoggedEvent(
                            policy,
                            x,
                            actions,
                            random.nextGaussian(),
                            LoggedEvent.ON_POLICY,
                            -1,
                            policy,
                            id,
                            0));
            sent.get(policy).add(id);
        }

        private static float gauss(Random random) {
            return (float) random.nextGaussian();
        }
    }

    private static void write(Properties client, String topic, PolicyDefinition definition)
            throws InterruptedException {
        PolicyControlTopic.write(client, topic, definition.policyId(), definition);
    }

    private static PolicyDefinition definition(
            String policyId, String spec, Map<String, String> options) {
        return new PolicyDefinition(
                policyId, spec, options, PolicyDefinition.Origin.OPERATOR, null);
    }

    private static List<ParameterSnapshot> snapshots() {
        return LearnerJobITCase.snapshots(PREFIX + "-parameters");
    }

    private static ParameterSnapshot newest(String policy) {
        ParameterSnapshot newest = null;
        for (ParameterSnapshot snapshot : snapshots()) {
            if (snapshot.policyId().equals(policy)) {
                newest = snapshot;
            }
        }
        return newest;
    }

    private static ParameterSnapshot first(String policy) {
        return snapshots().stream().filter(s -> s.policyId().equals(policy)).findFirst().get();
    }

    private static void awaitVersion(String policy, long version) throws InterruptedException {
        SharedKafka.await(
                policy + " at version " + version,
                WAIT,
                () -> {
                    ParameterSnapshot newest = newest(policy);
                    return newest != null && newest.version() >= version;
                });
    }

    /** The event ids of {@code policy} on the dead-letter topic, with their reasons. */
    private static Map<String, DeadLetterReason> deadLettered(String policy) {
        EventDecoder decoder = EventDecoder.withoutSpecs(Map.of(), 1 << 20);
        Map<String, DeadLetterReason> dead = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> record :
                SharedKafka.readAll(PREFIX + "-dead-letters")) {
            try {
                DeadLetter letter = DeadLetterCodec.decode(record.value());
                DecodedEvent event = decoder.decode("dl", 0, 0, 0, null, letter.value);
                if (event.isValid() && event.event().policyId().equals(policy)) {
                    assertThat(seen.add(event.event().eventId()))
                            .as("dead-lettered once: %s", event.event().eventId())
                            .isTrue();
                    dead.put(event.event().eventId(), letter.reason);
                }
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
        return dead;
    }
}
