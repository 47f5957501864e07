package org.flinkreinforce.job;

import static java.util.Collections.nCopies;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.client.PolicyClient;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.deadletter.DeadLetterCodec;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.event.EventFormat;
import org.flinkreinforce.formats.event.LoggedEvent;
import org.flinkreinforce.formats.ranker.Candidate;
import org.flinkreinforce.formats.snapshot.EventDigest;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.job.testing.LearnerMiniCluster;
import org.flinkreinforce.job.testing.LearnerSettings;
import org.flinkreinforce.job.testing.OperatorMetrics;
import org.flinkreinforce.job.testing.SharedKafka;
import org.flinkreinforce.model.PolicyParameters;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.ranker.Features;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The learner on a Flink MiniCluster against a real Kafka broker, end to end. */
@ExtendWith(SharedKafka.class)
class LearnerJobITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = LearnerMiniCluster.withTaskManagers(1);

    @Test
    void shouldLearnAContextualBanditInClosedLoopAndPublishCheckableVersions() throws Exception {
        String prefix = "it-bandit";
        createTopics(prefix, 2);
        LinearBandit bandit = new LinearBandit(8, 10, 0.1, 42);
        PolicySpec spec = PolicySpec.parse("recs:8:10");
        Map<String, String> settings = settings(prefix, spec.toString());
        settings.put("batch.size", "64");
        settings.put("learning-rate", "0.05");
        JobClient job = start(settings, false);
        int total = 12_000;
        List<String> sent = new ArrayList<>();
        Properties client = SharedKafka.broker().clientProperties();
        try (PolicyClient policies = new PolicyClient(client, prefix + "-parameters");
                EventLogger logger = new EventLogger(client, prefix + "-events")) {
            policies.register(spec);
            Random random = new Random(7);
            while (sent.size() < total) {
                for (int k = 0; k < 500; k++) {
                    float[] x = bandit.context(random);
                    PolicyClient.Decision decision = policies.decide("recs", x, random);
                    logger.log(decision, bandit.reward(x, decision.actions()[0], random));
                    sent.add(decision.eventId());
                }
                logger.flush();
                // Closed loop: let the learner catch up, so later decisions use newer versions.
                long lagging = sent.size() - 1000;
                SharedKafka.await(
                        "the learner to apply " + lagging + " events",
                        Duration.ofSeconds(60),
                        () -> policies.eventsApplied("recs") >= lagging);
            }
            SharedKafka.await(
                    "every event to be applied",
                    Duration.ofSeconds(60),
                    () -> policies.eventsApplied("recs") >= total);
        } finally {
            job.cancel().get();
        }

        assertThat(sent).hasSize(total);
        ParameterSnapshot last = assertAppliedExactly(prefix, sent);
        assertThat(SharedKafka.readAll(prefix + "-dead-letters")).isEmpty();

        double uniform = bandit.expectedReward(PolicyParameters.zeros(spec));
        double learned = bandit.expectedReward(last.toParameters());
        double optimal = bandit.optimalReward();
        double progress = (learned - uniform) / (optimal - uniform);
        System.out.printf(
                "Closed-loop bandit: %d versions, expected reward uniform %.3f,"
                        + " learned %.3f, optimal %.3f (%.0f%% of the way)%n",
                last.version(), uniform, learned, optimal, 100 * progress);
        assertThat(progress).isGreaterThan(0.7);
    }

    /**
     * A 40-head architecture of 20 options a head: the joint propensity of a decision (9.1e-53 for
     * the uniform policy) is far below float32's range, and every event, JSON or binary, is learned
     * rather than dead-lettered as a bad propensity; each head learns its rewarded option.
     */
    @Test
    void shouldLearnAFortyHeadPolicyWhosePropensitiesAreBelowFloatRange() throws Exception {
        String prefix = "it-wide";
        createTopics(prefix, 2);
        PolicySpec spec = PolicySpec.parse("wide:0:" + String.join(",", nCopies(40, "20")));
        Map<String, String> settings = settings(prefix, spec.toString());
        settings.put("batch.size", "32");
        JobClient job = start(settings, false);
        int total = 3_000;
        List<String> sent = new ArrayList<>();
        Properties client = SharedKafka.broker().clientProperties();
        try (PolicyClient policies = new PolicyClient(client, prefix + "-parameters");
                EventLogger json = new EventLogger(client, prefix + "-events");
                EventLogger binary =
                        new EventLogger(client, prefix + "-events", EventFormat.BINARY)) {
            policies.register(spec);
            Random random = new Random(11);
            assertThat(policies.decide("wide", new float[0], random).propensity())
                    .isLessThan(Float.MIN_NORMAL);
            while (sent.size() < total) {
                for (int k = 0; k < 500; k++) {
                    PolicyClient.Decision decision = policies.decide("wide", new float[0], random);
                    (k % 2 == 0 ? json : binary).log(decision, rewardedHeads(decision.actions()));
                    sent.add(decision.eventId());
                }
                json.flush();
                binary.flush();
                long lagging = sent.size() - 500;
                SharedKafka.await(
                        "the learner to apply " + lagging + " events",
                        Duration.ofSeconds(60),
                        () -> policies.eventsApplied("wide") >= lagging);
            }
            SharedKafka.await(
                    "every event to be applied",
                    Duration.ofSeconds(60),
                    () -> policies.eventsApplied("wide") >= total);
            double rewarded = 0;
            for (int i = 0; i < 1000; i++) {
                rewarded += rewardedHeads(policies.decide("wide", new float[0], random).actions());
            }
            System.out.printf(
                    "40-head policy: option 0 taken by %.3f of the heads (uniform 0.05)%n",
                    rewarded / 1000);
            assertThat(rewarded / 1000).isGreaterThan(0.1);
        } finally {
            job.cancel().get();
        }
        assertAppliedExactly(prefix, sent);
        assertThat(SharedKafka.readAll(prefix + "-dead-letters")).isEmpty();
    }

    /** The share of heads that took option 0: each head's rewarded option. */
    private static double rewardedHeads(int[] actions) {
        return Arrays.stream(actions).filter(a -> a == 0).count() / (double) actions.length;
    }

    /**
     * A ranker policy, end to end: the client ranks candidate sets from a catalogue with the
     * learner's newest weights and logs each ranking with its click, in JSON and in binary; the
     * learner (with no softmax policy at all) applies every event exactly once (count and digest)
     * and learns which category each visitor segment clicks, so that among items it has never seen
     * the client then mostly shows one of the visitor's category. Bad ranker records go to the dead
     * letters with their reasons. Split: the decisions logged at once on the decisions topic, the
     * clicks on the rewards topic, and the job joins them.
     */
    @ParameterizedTest(name = "split {0}")
    @ValueSource(booleans = {false, true})
    void shouldLearnARankerPolicyFromRankingsAndTheirClicks(
            boolean split, @InjectMiniCluster MiniCluster cluster) throws Exception {
        String prefix = split ? "it-ranker-split" : "it-ranker";
        createTopics(prefix, 2);
        Map<String, String> settings = settings(prefix, "unused:1:2");
        settings.remove("policies");
        settings.put("rankers", "shop:16");
        settings.put("ranker.interactions", "user:item");
        settings.put("batch.size", "32");
        settings.put("publish.interval", "300 ms");
        if (split) {
            // Decisions at once, a click (reward 1) only where there was one: the join gives the
            // others the default reward, 0. The join's clock closes the last windows, which event
            // time would hold until later records came.
            settings.put("rewards.join", "true");
            settings.put("decisions.topic", prefix + "-decisions");
            settings.put("rewards.topic", prefix + "-rewards");
            settings.put("reward.time", "processing");
            settings.put("policy.shop.reward.wait", "5 s");
            // The join holds a decision of a ranker it does not know (policy other, below) for
            // the job's wait before its learner refuses it.
            settings.put("reward.wait", "5 s");
        }
        RankerSpec spec = new RankerSpec("shop", 16, 0, Interaction.parseList("user:item"), 64, 64);
        JobClient job = start(settings, false);
        Properties client = SharedKafka.broker().clientProperties();
        Features[] items = new Features[200];
        for (int i = 0; i < items.length; i++) {
            items[i] =
                    Features.builder()
                            .category("item", "id", "sku-" + i)
                            .category("item", "category", "c" + i % 5)
                            .build();
        }
        int[] favourite = {1, 3, 4};
        List<String> sent = new ArrayList<>();
        Random random = new Random(31);
        double favouriteShare;
        try (PolicyClient policies = new PolicyClient(client, prefix + "-parameters");
                EventLogger json = logger(prefix, EventFormat.JSON);
                EventLogger binary = logger(prefix, EventFormat.BINARY)) {
            policies.register(spec);
            while (sent.size() < 6000) {
                for (int k = 0; k < 500; k++) {
                    int segment = random.nextInt(3);
                    List<Candidate> candidates = new ArrayList<>();
                    for (int c = 0; c < 8; c++) {
                        int item = random.nextInt(150);
                        candidates.add(new Candidate("sku-" + item, items[item]));
                    }
                    PolicyClient.Ranking ranking =
                            policies.rank("shop", segment(segment), candidates, random);
                    int item =
                            Integer.parseInt(
                                    ranking.candidates().get(ranking.chosen()).id().substring(4));
                    double click =
                            random.nextDouble() < (item % 5 == favourite[segment] ? 0.8 : 0.1)
                                    ? 1
                                    : 0;
                    EventLogger logger = k % 2 == 0 ? json : binary;
                    if (!split) {
                        logger.logRanking(ranking, click);
                    } else {
                        logger.logRankingDecision(ranking);
                        if (click > 0) {
                            logger.logReward(ranking.eventId(), click);
                        }
                    }
                    sent.add(ranking.eventId());
                }
                json.flush();
                binary.flush();
                long lagging = sent.size() - 500;
                SharedKafka.await(
                        "the ranker learner to apply " + lagging + " events",
                        Duration.ofSeconds(60),
                        () -> policies.eventsApplied("shop") >= lagging);
            }
            SharedKafka.await(
                    "every ranker event applied",
                    Duration.ofSeconds(60),
                    () -> policies.eventsApplied("shop") >= sent.size());
            assertThat(policies.rankerSnapshot("shop").orElseThrow().eventDigest())
                    .isEqualTo(EventDigest.of(sent));
            int available = 0;
            int shown = 0;
            for (int trial = 0; trial < 2000; trial++) {
                int segment = random.nextInt(3);
                List<Candidate> candidates = new ArrayList<>();
                boolean any = false;
                for (int c = 0; c < 8; c++) {
                    int item = 150 + random.nextInt(50);
                    candidates.add(new Candidate("sku-" + item, items[item]));
                    any |= item % 5 == favourite[segment];
                }
                if (!any) {
                    continue;
                }
                PolicyClient.Ranking ranking =
                        policies.rank("shop", segment(segment), candidates, random);
                int item =
                        Integer.parseInt(
                                ranking.candidates().get(ranking.chosen()).id().substring(4));
                available++;
                shown += item % 5 == favourite[segment] ? 1 : 0;
            }
            favouriteShare = shown / (double) available;

            // On the topic the learner reads the rankings from.
            String bad = split ? "\"eventId\":\"bad\"" : "\"reward\":1";
            try (EventLogger raw =
                    new EventLogger(client, prefix + (split ? "-decisions" : "-events"))) {
                raw.sendRaw(
                        "shop".getBytes(StandardCharsets.UTF_8),
                        ("{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":3," + bad + "}")
                                .getBytes(StandardCharsets.UTF_8));
                raw.sendRaw(
                        "other".getBytes(StandardCharsets.UTF_8),
                        ("{\"policyId\":\"other\",\"candidates\":[{}],\"chosen\":0," + bad + "}")
                                .getBytes(StandardCharsets.UTF_8));
            }
            SharedKafka.await(
                    "two ranker dead letters",
                    Duration.ofSeconds(60),
                    () -> SharedKafka.readAll(prefix + "-dead-letters").size() >= 2);

            // What an operator sees on the dashboards: the events applied and the dead letters,
            // counted by the operators that sent them (the source's router: it reads the JSON
            // rankings against their policy; Learn ranker, which knows the rankers added since the
            // sources started, the record of a ranker the sources do not know).
            OperatorMetrics metrics = OperatorMetrics.of(cluster, job);
            String router = split ? "Route decisions and rewards" : "Route dead letters";
            Map<String, Long> expected = new LinkedHashMap<>();
            expected.put("Learn ranker|policy.shop.eventsApplied", (long) sent.size());
            expected.put(router + "|deadLettersByReason.CHOSEN_OUT_OF_RANGE", 1L);
            expected.put(router + "|deadLetters", 1L);
            expected.put("Learn ranker|deadLettersByReason.UNKNOWN_POLICY", 1L);
            expected.put("Learn ranker|deadLetters", 1L);
            for (Map.Entry<String, Long> entry : expected.entrySet()) {
                String[] operatorAndName = entry.getKey().split("\\|");
                SharedKafka.await(
                        entry.getKey() + " = " + entry.getValue(),
                        Duration.ofSeconds(60),
                        () ->
                                metrics.sum(operatorAndName[0], operatorAndName[1]).orElse(-1)
                                        == entry.getValue());
            }
        } finally {
            job.cancel().get();
        }
        System.out.printf(
                "Ranker%s: the visitor's category shown on never-seen items in %.3f of decisions%n",
                split ? " (decisions and clicks joined by the job)" : "", favouriteShare);
        assertThat(favouriteShare).isGreaterThan(0.7);
        List<DeadLetterReason> reasons = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record :
                SharedKafka.readAll(prefix + "-dead-letters")) {
            reasons.add(DeadLetterCodec.decode(record.value()).reason);
        }
        assertThat(reasons)
                .containsExactlyInAnyOrder(
                        DeadLetterReason.CHOSEN_OUT_OF_RANGE, DeadLetterReason.UNKNOWN_POLICY);
    }

    /** A logger to {@code prefix}'s events, decisions and rewards topics. */
    private static EventLogger logger(String prefix, EventFormat format) {
        return new EventLogger(
                SharedKafka.broker().clientProperties(),
                prefix + "-events",
                prefix + "-decisions",
                prefix + "-rewards",
                format);
    }

    private static Features segment(int segment) {
        return Features.builder().category("user", "segment", "s" + segment).build();
    }

    @Test
    void shouldDeadLetterEveryKindOfBadInputWithoutRestartingAndApplyEveryValidEvent()
            throws Exception {
        String prefix = "it-hostile";
        createTopics(prefix, 1);
        Map<String, String> settings = settings(prefix, "nas:0:3,2");
        settings.put("batch.size", "16");
        settings.put("max-event-bytes", "4096");
        JobClient job = start(settings, true);
        Map<String, DeadLetterReason> bad = new LinkedHashMap<>();
        String ok = "\"policyId\":\"nas\",\"actions\":[1,0]";
        bad.put("", DeadLetterReason.EMPTY);
        bad.put("{\"policyId\":", DeadLetterReason.MALFORMED_JSON);
        bad.put("{" + ok + ",\"reward\":1,\"reward\":2}", DeadLetterReason.MALFORMED_JSON);
        bad.put("{" + ok + "}", DeadLetterReason.MISSING_FIELD);
        bad.put("{" + ok + ",\"reward\":\"high\"}", DeadLetterReason.WRONG_TYPE);
        bad.put(
                "{\"policyId\":\"zzz\",\"actions\":[1,0],\"reward\":1}",
                DeadLetterReason.UNKNOWN_POLICY);
        bad.put(
                "{\"policyId\":\"nas\",\"features\":[1],\"actions\":[1,0],\"reward\":1}",
                DeadLetterReason.FEATURE_DIMENSION);
        bad.put(
                "{\"policyId\":\"nas\",\"actions\":[1],\"reward\":1}",
                DeadLetterReason.ACTION_COUNT);
        bad.put(
                "{\"policyId\":\"nas\",\"actions\":[3,0],\"reward\":1}",
                DeadLetterReason.ACTION_OUT_OF_RANGE);
        bad.put("{" + ok + ",\"reward\":NaN}", DeadLetterReason.NON_FINITE);
        bad.put("{" + ok + ",\"reward\":1,\"propensity\":0}", DeadLetterReason.BAD_PROPENSITY);
        bad.put("{\"v\":9," + ok + ",\"reward\":1}", DeadLetterReason.UNSUPPORTED_VERSION);
        bad.put(
                "{" + ok + ",\"reward\":1e308,\"eventId\":\"huge-1\"}",
                DeadLetterReason.NON_FINITE);
        bad.put("{" + ok + ",\"rew", DeadLetterReason.MALFORMED_JSON);
        bad.put(
                "{" + ok + ",\"reward\":1,\"x\":" + "[".repeat(100) + "]".repeat(100) + "}",
                DeadLetterReason.MALFORMED_JSON);
        bad.put("{" + ok + ",\"reward\":-Infinity}", DeadLetterReason.NON_FINITE);
        bad.put("{" + ok + ",\"reward\":1e400}", DeadLetterReason.NON_FINITE);
        bad.put(
                "{\"policyId\":\"nas\",\"actions\":[-1,0],\"reward\":1}",
                DeadLetterReason.ACTION_OUT_OF_RANGE);
        bad.put(
                "{\"policyId\":\"nas\",\"actions\":[1,0,0],\"reward\":1}",
                DeadLetterReason.ACTION_COUNT);
        bad.put("{" + ok + ",\"reward\":1,\"propensity\":-0.5}", DeadLetterReason.BAD_PROPENSITY);
        bad.put("{" + ok + ",\"reward\":1,\"propensity\":1.5}", DeadLetterReason.BAD_PROPENSITY);
        bad.put(
                "{" + ok + ",\"reward\":1,\"pad\":\"" + "x".repeat(5000) + "\"}",
                DeadLetterReason.TOO_LARGE);
        bad.put(
                "{\"policyId\":\"nas\",\"actions\":\"1,0\",\"reward\":1}",
                DeadLetterReason.WRONG_TYPE);
        // Invalid UTF-8: a lead byte followed by a quote instead of a continuation byte.
        byte[] invalidUtf8 =
                ("{" + ok + ",\"reward\":1,\"eventId\":\"x\u00e9\"}")
                        .getBytes(StandardCharsets.UTF_8);
        invalidUtf8[invalidUtf8.length - 3] = '"';
        invalidUtf8[invalidUtf8.length - 2] = '}';
        invalidUtf8 = java.util.Arrays.copyOf(invalidUtf8, invalidUtf8.length - 1);
        List<String> valid = new ArrayList<>();
        Properties client = SharedKafka.broker().clientProperties();
        try (EventLogger logger = new EventLogger(client, prefix + "-events")) {
            Random random = new Random(3);
            int k = 0;
            for (int round = 0; round < 3; round++) {
                for (String value : bad.keySet()) {
                    for (int v = 0; v < 10; v++) {
                        String id = "valid-" + k++;
                        logger.send(
                                new LoggedEvent(
                                        "nas",
                                        new float[0],
                                        new int[] {random.nextInt(3), random.nextInt(2)},
                                        random.nextDouble(),
                                        LoggedEvent.ON_POLICY,
                                        -1,
                                        "nas",
                                        id,
                                        0));
                        valid.add(id);
                    }
                    logger.sendRaw(null, value.getBytes(StandardCharsets.UTF_8));
                }
                logger.sendRaw("tombstone".getBytes(StandardCharsets.UTF_8), null);
                logger.sendRaw(null, invalidUtf8);
            }
            logger.flush();
            // Event 1e308 is valid to the decoder, but its advantage overflows float32 (its
            // baseline key's mean starts at 0), so the baseline operator rejects it.
            int expectedDeadLetters = 3 * (bad.size() + 2);
            SharedKafka.await(
                    "every bad record in the dead-letter topic",
                    Duration.ofSeconds(60),
                    () ->
                            SharedKafka.readAll(prefix + "-dead-letters").size()
                                    >= expectedDeadLetters);
            SharedKafka.await(
                    "every valid event applied",
                    Duration.ofSeconds(60),
                    () -> {
                        List<ParameterSnapshot> all = snapshots(prefix + "-parameters");
                        return !all.isEmpty()
                                && all.get(all.size() - 1).eventsApplied() >= valid.size();
                    });
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            job.cancel().get();
        }
        Map<DeadLetterReason, Integer> reasons = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record :
                SharedKafka.readAll(prefix + "-dead-letters")) {
            DeadLetter letter = DeadLetterCodec.decode(record.value());
            reasons.merge(letter.reason, 1, Integer::sum);
        }
        Map<DeadLetterReason, Integer> expected = new HashMap<>();
        bad.values().forEach(reason -> expected.merge(reason, 3, Integer::sum));
        expected.merge(DeadLetterReason.EMPTY, 3, Integer::sum); // the tombstones
        expected.merge(DeadLetterReason.MALFORMED_JSON, 3, Integer::sum); // invalid UTF-8
        assertThat(reasons).isEqualTo(expected);
        assertAppliedExactly(prefix, valid);
    }

    @Test
    void shouldDeadLetterA5MegabyteRecordWithoutRestarting() throws Exception {
        String prefix = "it-huge";
        // The events topic takes 8 MB records; the dead-letter topic has Kafka's default limit.
        try (Admin admin = Admin.create(SharedKafka.broker().clientProperties())) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(prefix + "-events", 1, (short) 1)
                                            .configs(Map.of("max.message.bytes", "8388608")),
                                    new NewTopic(prefix + "-dead-letters", 1, (short) 1)
                                            .configs(Map.of("max.message.bytes", "1048588"))))
                    .all()
                    .get();
        }
        createTopics(prefix, 1);
        JobClient job = start(settings(prefix, "nas:0:4,3"), true);
        List<String> valid = new ArrayList<>();
        byte[] huge = new byte[5 << 20];
        new Random(5).nextBytes(huge);
        Properties producer = SharedKafka.broker().clientProperties();
        producer.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(8 << 20));
        try (EventLogger logger = new EventLogger(producer, prefix + "-events")) {
            send(prefix, "before", 50, valid);
            logger.sendRaw("nas".getBytes(StandardCharsets.UTF_8), huge).get();
            send(prefix, "after", 50, valid);
            SharedKafka.await(
                    "the huge record in the dead-letter topic",
                    Duration.ofSeconds(60),
                    () -> !SharedKafka.readAll(prefix + "-dead-letters").isEmpty());
            awaitApplied(prefix, valid.size());
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            job.cancel().get();
        }
        List<ConsumerRecord<byte[], byte[]>> letters =
                SharedKafka.readAll(prefix + "-dead-letters");
        assertThat(letters).hasSize(1);
        DeadLetter letter = DeadLetterCodec.decode(letters.get(0).value());
        assertThat(letter.reason).isEqualTo(DeadLetterReason.TOO_LARGE);
        assertThat(letter.valueLength).isEqualTo(huge.length);
        assertThat(letter.value).containsExactly(Arrays.copyOf(huge, letter.value.length));
        assertThat(letter.valueSha256).isEqualTo(DeadLetterCodec.sha256(huge));
        assertAppliedExactly(prefix, valid);
    }

    @Test
    void shouldPublishA20MegabyteSnapshotOnAnExistingTopicThatWasTooSmallForIt() throws Exception {
        String prefix = "it-big-snapshot";
        // An existing parameters topic at Kafka's default 1 MB limit; the policy's snapshot is 20
        // MB (5,000,000 parameters), beyond the producer's default 16 MiB request.
        try (Admin admin = Admin.create(SharedKafka.broker().clientProperties())) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(prefix + "-parameters", 1, (short) 1)
                                            .configs(
                                                    Map.of(
                                                            "cleanup.policy",
                                                            "compact",
                                                            "max.message.bytes",
                                                            "1048588"))))
                    .all()
                    .get();
        }
        createTopics(prefix, 1);
        Map<String, String> settings = settings(prefix, "wide:624:8000");
        settings.put("batch.size", "32");
        settings.put("estimator", "reinforce");
        settings.put("average", "none");
        JobClient job = start(settings, true);
        List<String> sent = new ArrayList<>();
        Random random = new Random(21);
        try (EventLogger logger =
                new EventLogger(SharedKafka.broker().clientProperties(), prefix + "-events")) {
            for (int k = 0; k < 32; k++) {
                float[] x = new float[624];
                for (int j = 0; j < x.length; j++) {
                    x[j] = (float) random.nextGaussian();
                }
                String id = "wide-" + k;
                logger.send(
                        new LoggedEvent(
                                "wide",
                                x,
                                new int[] {random.nextInt(8000)},
                                random.nextDouble(),
                                LoggedEvent.ON_POLICY,
                                -1,
                                "wide",
                                id,
                                0));
                sent.add(id);
            }
            logger.flush();
            awaitApplied(prefix, sent.size());
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            job.cancel().get();
        }
        assertThat(last(prefix).parameters()).hasSize(624 * 8000 + 8000);
    }

    @Test
    void shouldWarmStartFromThePublishedParametersWhenStartedWithoutACheckpoint() throws Exception {
        String prefix = "it-warm";
        createTopics(prefix, 1);
        Map<String, String> settings = settings(prefix, "nas:0:4,3");
        settings.put("batch.size", "32");
        List<String> sent = new ArrayList<>();
        long versionBefore;
        JobClient first = start(settings, false);
        try {
            send(prefix, "first", 400, sent);
            awaitApplied(prefix, 400);
            versionBefore = last(prefix).version();
            // Offsets are committed to the group when checkpoints complete, asynchronously;
            // cancel only once they cover every applied event.
            SharedKafka.awaitCommitted(
                    SharedKafka.broker().clientProperties(), prefix + "-learner", 400);
        } finally {
            first.cancel().get();
        }
        // A new job with no checkpoint: it reads on from the group's committed offsets and
        // starts each policy from its newest published snapshot.
        JobClient second = start(settings, false);
        try {
            send(prefix, "second", 300, sent);
            awaitApplied(prefix, 700);
        } finally {
            second.cancel().get();
        }
        assertThat(sent).hasSize(700);
        assertThat(assertAppliedExactly(prefix, sent).version()).isGreaterThan(versionBefore);
    }

    static void send(String prefix, String idPrefix, int count, List<String> sent) {
        send(prefix, "nas", idPrefix, count, sent);
    }

    /** Sends {@code count} events of {@code policy}, a {@code nas:0:4,3}, ids in {@code sent}. */
    static void send(String prefix, String policy, String idPrefix, int count, List<String> sent) {
        Random random = new Random(idPrefix.hashCode());
        try (EventLogger logger =
                new EventLogger(SharedKafka.broker().clientProperties(), prefix + "-events")) {
            for (int k = 0; k < count; k++) {
                int[] actions = {random.nextInt(4), random.nextInt(3)};
                double reward = (actions[0] == 2 ? 1 : 0) + (actions[1] == 0 ? 0.5 : 0);
                String id = idPrefix + "-" + k;
                logger.send(
                        new LoggedEvent(
                                policy,
                                new float[0],
                                actions,
                                reward,
                                LoggedEvent.ON_POLICY,
                                -1,
                                policy,
                                id,
                                0));
                sent.add(id);
            }
        }
    }

    static void awaitApplied(String prefix, long count) throws InterruptedException {
        SharedKafka.await(
                count + " events applied",
                Duration.ofSeconds(60),
                () -> {
                    ParameterSnapshot last = last(prefix);
                    return last != null && last.eventsApplied() >= count;
                });
    }

    static ParameterSnapshot last(String prefix) {
        List<ParameterSnapshot> all = snapshots(prefix + "-parameters");
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** The newest snapshot of {@code policy} on {@code prefix-parameters}; null if none. */
    static ParameterSnapshot last(String prefix, String policy) {
        ParameterSnapshot last = null;
        for (ParameterSnapshot snapshot : snapshots(prefix + "-parameters")) {
            if (snapshot.policyId().equals(policy)) {
                last = snapshot;
            }
        }
        return last;
    }

    static void awaitApplied(String prefix, String policy, long count) throws InterruptedException {
        SharedKafka.await(
                count + " events of " + policy + " applied",
                Duration.ofSeconds(60),
                () -> {
                    ParameterSnapshot last = last(prefix, policy);
                    return last != null && last.eventsApplied() >= count;
                });
    }

    /** {@link LearnerSettings#withTopics} on the shared broker, publishing every 5 updates. */
    static Map<String, String> settings(String prefix, String policies) {
        Map<String, String> settings =
                LearnerSettings.withTopics(
                        SharedKafka.broker().clientProperties(), prefix, policies);
        settings.put("publish.every-updates", "5");
        return settings;
    }

    private static JobClient start(Map<String, String> settings, boolean noRestarts)
            throws Exception {
        Configuration configuration = new Configuration();
        if (noRestarts) {
            configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(2);
        return LearnerJob.kafka(LearnerConfig.fromMap(settings)).start(env);
    }

    static void createTopics(String prefix, int eventPartitions) {
        LearnerSettings.createTopics(
                SharedKafka.broker().clientProperties(), prefix, eventPartitions);
    }

    static List<ParameterSnapshot> snapshots(String topic) {
        return SharedKafka.snapshots(SharedKafka.broker().clientProperties(), topic);
    }

    /**
     * Asserts {@link #assertVersionsStrictlyIncrease} of the snapshots on {@code
     * prefix-parameters}, and that the newest applied exactly the events of {@code applied}: their
     * count and digest.
     *
     * @return the newest snapshot
     */
    static ParameterSnapshot assertAppliedExactly(String prefix, List<String> applied) {
        List<ParameterSnapshot> snapshots = snapshots(prefix + "-parameters");
        assertVersionsStrictlyIncrease(snapshots);
        ParameterSnapshot last = snapshots.get(snapshots.size() - 1);
        assertThat(last.eventsApplied()).isEqualTo(applied.size());
        assertThat(last.eventDigest()).isEqualTo(EventDigest.of(applied));
        return last;
    }

    /** Per policy, in topic order: versions strictly increase and every parameter is finite. */
    static void assertVersionsStrictlyIncrease(List<ParameterSnapshot> snapshots) {
        assertThat(snapshots).isNotEmpty();
        Map<String, AtomicLong> last = new HashMap<>();
        for (ParameterSnapshot snapshot : snapshots) {
            long previous =
                    last.computeIfAbsent(snapshot.policyId(), id -> new AtomicLong(-1)).get();
            assertThat(snapshot.version()).as("version after %d", previous).isGreaterThan(previous);
            last.get(snapshot.policyId()).set(snapshot.version());
            for (float value : snapshot.parameters()) {
                assertThat(Float.isFinite(value)).isTrue();
            }
        }
    }
}
