package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
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
import org.flinkreinforce.formats.event.EventRejection;
import org.flinkreinforce.formats.event.LoggedEvent;
import org.flinkreinforce.formats.ranker.Candidate;
import org.flinkreinforce.formats.ranker.LoggedRanking;
import org.flinkreinforce.formats.ranker.RankedDecision;
import org.flinkreinforce.formats.ranker.RankerSnapshot;
import org.flinkreinforce.formats.ranker.RankerSnapshotCodec;
import org.flinkreinforce.formats.ranker.RankingCodec;
import org.flinkreinforce.formats.snapshot.EventDigest;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.formats.snapshot.SnapshotCodec;
import org.flinkreinforce.formats.snapshot.SnapshotFormatException;
import org.flinkreinforce.job.testing.LearnerMiniCluster;
import org.flinkreinforce.job.testing.LearnerSettings;
import org.flinkreinforce.job.testing.SharedKafka;
import org.flinkreinforce.model.ranker.Features;
import org.flinkreinforce.model.ranker.RankerSpec;
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
        JobClient job = start(settings);
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

    /**
     * Ranker policies added, changed and removed on the control topic while the learner runs under
     * load: a ranker added later (which the sources were not started with) is learned; a raised
     * candidate limit holds from the change on, though the sources still hold the old one; a change
     * of interactions restarts the weights under the new hashing; a rollback puts back an earlier
     * version's weights as a new version; a removed ranker's later records are dead letters. Every
     * record sent is applied exactly once or dead-lettered once.
     */
    @Test
    void shouldFollowRankerChangesWithoutRestarting() throws Exception {
        String prefix = PREFIX + "-rankers";
        LearnerSettings.createTopics(SharedKafka.broker().clientProperties(), prefix, 2);
        Map<String, String> settings = LearnerJobITCase.settings(prefix, "unused:1:2");
        settings.remove("policies");
        settings.put("rankers", "shop:12");
        settings.put("ranker.interactions", "user:item");
        settings.put("ranker.max-candidates", "4");
        settings.put("batch.size", "8");
        settings.put("publish.interval", "100 ms");
        JobClient job = start(settings);
        Properties client = SharedKafka.broker().clientProperties();
        String control = prefix + "-control";
        String parameters = prefix + "-parameters";
        RankerLoad load = new RankerLoad(client, prefix + "-events");
        Thread sender = new Thread(load, "ranker-lifecycle-load");
        sender.start();
        try {
            awaitRanker(parameters, "shop", s -> s.version() >= 1);
            write(client, control, rankerDefinition("deal", "deal:10", Map.of()));
            awaitRanker(parameters, "deal", s -> s.eventsApplied() >= 50);
            write(
                    client,
                    control,
                    rankerDefinition("shop", "shop:12", Map.of("ranker.max-candidates", "8")));
            long raisedAt = load.sent.get("shop").size();
            awaitRanker(parameters, "shop", s -> s.eventsApplied() >= raisedAt + 50);
            PolicyDefinition crossed =
                    rankerDefinition(
                            "shop",
                            "shop:12",
                            Map.of(
                                    "ranker.max-candidates",
                                    "8",
                                    "ranker.interactions",
                                    "user:item,user:user"));
            write(client, control, crossed);
            awaitRanker(
                    parameters,
                    "shop",
                    s -> s.spec().interactions().size() == 2 && s.eventsApplied() > 0);
            RankerSnapshot target = newestRanker(parameters, "shop");
            awaitRanker(parameters, "shop", s -> s.version() > target.version());
            long basedOn = newestRanker(parameters, "shop").version();
            write(
                    client,
                    control,
                    crossed.withRollback(
                            new PolicyDefinition.Rollback(
                                    "ranker-lifecycle-1",
                                    target.version(),
                                    basedOn,
                                    RankerSnapshotCodec.encode(target))));
            SharedKafka.await(
                    "shop's rolled-back version",
                    WAIT,
                    () ->
                            rankerSnapshots(parameters).stream()
                                    .anyMatch(
                                            s ->
                                                    s.spec().id().equals("shop")
                                                            && s.version() > basedOn
                                                            && java.util.Arrays.equals(
                                                                    s.weights(),
                                                                    target.weights())));
            PolicyControlTopic.write(client, control, "deal", null);
            long removedAt = load.sent.get("deal").size();
            SharedKafka.await(
                    "deal's records after its removal dead-lettered",
                    WAIT,
                    () -> load.sent.get("deal").size() > removedAt + 20);
        } finally {
            load.running.set(false);
            sender.join();
        }
        try {
            for (String ranker : List.of("shop", "deal")) {
                SharedKafka.await(
                        "every record of " + ranker + " applied or dead-lettered",
                        WAIT,
                        () -> {
                            RankerSnapshot last = newestRanker(parameters, ranker);
                            return last != null
                                    && last.eventsApplied()
                                                    + rankerDeadLetters(prefix, ranker).size()
                                            == load.sent.get(ranker).size();
                        });
            }
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            job.cancel().get();
        }
        for (String ranker : List.of("shop", "deal")) {
            Map<String, DeadLetterReason> dead = rankerDeadLetters(prefix, ranker);
            List<String> applied = new ArrayList<>(load.sent.get(ranker));
            applied.removeAll(dead.keySet());
            RankerSnapshot last = newestRanker(parameters, ranker);
            assertThat(last.eventsApplied()).as(ranker).isEqualTo(applied.size());
            assertThat(last.eventDigest()).as(ranker).isEqualTo(EventDigest.of(applied));
            long previous = 0;
            for (RankerSnapshot snapshot : rankerSnapshots(parameters)) {
                if (snapshot.spec().id().equals(ranker)) {
                    assertThat(snapshot.version()).as(ranker).isGreaterThan(previous);
                    previous = snapshot.version();
                }
            }
        }
        // deal was sent records before it was added and after it was removed; shop's crowded
        // records were refused until its limit was raised, and learned after.
        assertThat(rankerDeadLetters(prefix, "deal").values())
                .contains(DeadLetterReason.UNKNOWN_POLICY);
        Map<String, DeadLetterReason> shopDead = rankerDeadLetters(prefix, "shop");
        assertThat(shopDead.values()).containsOnly(DeadLetterReason.CANDIDATE_COUNT).isNotEmpty();
        assertThat(load.crowded)
                .as("crowded shop records applied after the limit was raised")
                .anyMatch(id -> !shopDead.containsKey(id));
    }

    /**
     * Sends ranker events of shop (JSON and binary, 2 to 6 candidates) and deal (JSON, 3), ids
     * recorded per ranker, until stopped.
     */
    private static final class RankerLoad implements Runnable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final Map<String, List<String>> sent = new ConcurrentHashMap<>();
        final Set<String> crowded = ConcurrentHashMap.newKeySet();
        private final Properties client;
        private final String topic;

        RankerLoad(Properties client, String topic) {
            this.client = client;
            this.topic = topic;
            sent.put("shop", new CopyOnWriteArrayList<>());
            sent.put("deal", new CopyOnWriteArrayList<>());
        }

        @Override
        public void run() {
            RankerSpec shop = new RankerSpec("shop", 12, 0, List.of(), 64, 64);
            Random random = new Random(23);
            try (EventLogger logger = new EventLogger(client, topic)) {
                long n = 0;
                while (running.get()) {
                    for (int k = 0; k < 20; k++, n++) {
                        String policy = n % 3 == 2 ? "deal" : "shop";
                        int count = policy.equals("deal") ? 3 : 2 + random.nextInt(5);
                        List<Candidate> candidates = new ArrayList<>();
                        for (int c = 0; c < count; c++) {
                            candidates.add(
                                    Candidate.of(
                                            Features.builder()
                                                    .category("item", "id", "i" + random.nextInt(9))
                                                    .build()));
                        }
                        String id = policy + "-" + n;
                        LoggedRanking ranking =
                                new LoggedRanking(
                                        policy,
                                        Features.builder()
                                                .category(
                                                        "user", "segment", "s" + random.nextInt(3))
                                                .build(),
                                        candidates,
                                        random.nextInt(count),
                                        random.nextInt(2),
                                        1.0 / count,
                                        -1,
                                        null,
                                        id,
                                        System.currentTimeMillis());
                        byte[] value =
                                policy.equals("shop") && n % 2 == 0
                                        ? RankingCodec.toBinary(ranking, shop)
                                        : RankingCodec.toJson(ranking);
                        logger.sendRaw(policy.getBytes(StandardCharsets.UTF_8), value);
                        sent.get(policy).add(id);
                        if (count > 4) {
                            crowded.add(id);
                        }
                    }
                    logger.flush();
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static PolicyDefinition rankerDefinition(
            String policyId, String spec, Map<String, String> options) {
        Map<String, String> all = new HashMap<>(options);
        all.putIfAbsent("ranker.interactions", "user:item");
        return new PolicyDefinition(
                policyId,
                PolicyDefinition.Kind.RANKER,
                spec,
                all,
                PolicyDefinition.Origin.OPERATOR,
                null);
    }

    private static List<RankerSnapshot> rankerSnapshots(String topic) {
        List<RankerSnapshot> snapshots = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : SharedKafka.readAll(topic)) {
            if (RankerSnapshotCodec.isRankerSnapshot(record.value())) {
                try {
                    snapshots.add(RankerSnapshotCodec.decode(record.value()));
                } catch (SnapshotFormatException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return snapshots;
    }

    private static RankerSnapshot newestRanker(String topic, String ranker) {
        RankerSnapshot newest = null;
        for (RankerSnapshot snapshot : rankerSnapshots(topic)) {
            if (snapshot.spec().id().equals(ranker)) {
                newest = snapshot;
            }
        }
        return newest;
    }

    private static void awaitRanker(
            String topic, String ranker, java.util.function.Predicate<RankerSnapshot> condition)
            throws InterruptedException {
        SharedKafka.await(
                ranker + "'s snapshot as expected",
                WAIT,
                () -> {
                    RankerSnapshot newest = newestRanker(topic, ranker);
                    return newest != null && condition.test(newest);
                });
    }

    /** The event ids of ranker {@code ranker}'s dead letters, with their reasons. */
    private static Map<String, DeadLetterReason> rankerDeadLetters(String prefix, String ranker) {
        Map<String, DeadLetterReason> dead = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record :
                SharedKafka.readAll(prefix + "-dead-letters")) {
            try {
                DeadLetter letter = DeadLetterCodec.decode(record.value());
                RankedDecision read = RankingCodec.decodeWithoutPolicy(letter.value, false);
                if (read.policyId().equals(ranker)) {
                    assertThat(dead.put(read.eventId(), letter.reason))
                            .as("dead-lettered once: %s", read.eventId())
                            .isNull();
                }
            } catch (java.io.IOException | EventRejection e) {
                throw new AssertionError(e);
            }
        }
        return dead;
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

    /** The learner of {@code settings} on the shared cluster, parallelism 2, no restarts. */
    private static JobClient start(Map<String, String> settings) throws Exception {
        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(noRestarts);
        env.setParallelism(2);
        return LearnerJob.kafka(LearnerConfig.fromMap(settings)).start(env);
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
