package org.flinkreinforce.client;

import static java.util.Collections.nCopies;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.SplittableRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.flinkreinforce.formats.event.DecisionDecoder;
import org.flinkreinforce.formats.event.Decoded;
import org.flinkreinforce.formats.event.DecodedEvent;
import org.flinkreinforce.formats.event.EventDecoder;
import org.flinkreinforce.formats.event.EventFormat;
import org.flinkreinforce.formats.event.LoggedDecision;
import org.flinkreinforce.formats.event.RewardDecoder;
import org.flinkreinforce.formats.ranker.Candidate;
import org.flinkreinforce.formats.ranker.RankedDecision;
import org.flinkreinforce.formats.ranker.RankerSnapshot;
import org.flinkreinforce.formats.ranker.RankerSnapshotCodec;
import org.flinkreinforce.formats.ranker.RankingCodec;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.formats.snapshot.SnapshotCodec;
import org.flinkreinforce.formats.snapshot.TrainingStatistics;
import org.flinkreinforce.kafka.embedded.EmbeddedKafkaBroker;
import org.flinkreinforce.model.PolicyParameters;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.ranker.FeatureHasher;
import org.flinkreinforce.model.ranker.Features;
import org.flinkreinforce.model.ranker.HashedFeatures;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The serving client and logger against a real broker. */
class PolicyClientITCase {

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void shouldKeepTheNewestSnapshotAndNeverGoBackToAnOlderVersion() throws Exception {
        String topic = "client-parameters";
        broker.createTopic(topic, 1, true);
        PolicySpec spec = PolicySpec.parse("recs:2:3");
        publish(topic, snapshot(spec, 5, 1f));
        try (PolicyClient client = new PolicyClient(broker.clientProperties(), topic)) {
            List<Long> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
            client.onNewVersion(snapshot -> heard.add(snapshot.version()));
            assertThat(client.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(client.version("recs")).isEqualTo(5);
            assertThat(client.health().state()).isEqualTo(PolicyClient.State.FOLLOWING);
            // A stale, out-of-order snapshot (e.g. from a zombie writer) must not win.
            publish(topic, snapshot(spec, 3, 2f));
            publish(topic, snapshot(spec, 7, 3f));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (client.version("recs") < 7 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(client.version("recs")).isEqualTo(7);
            assertThat(client.parameters("recs").orElseThrow().values()[0]).isEqualTo(3f);
            // Version 5 may have been read before the listener was added; never the stale 3.
            assertThat(heard).endsWith(7L).doesNotContain(3L);
            assertThat(client.staleSnapshots()).isEqualTo(1);
            PolicyClient.Decision decision =
                    client.decide("recs", new float[] {0.5f, -0.5f}, new SplittableRandom(1));
            assertThat(decision.policyVersion()).isEqualTo(7);
            assertThat(decision.propensity()).isBetween(0.0, 1.0);
            assertThat(decision.eventId()).isNotBlank();
        }
    }

    /**
     * A registered spec is pinned: a snapshot of another shape (here one more action) is refused
     * and counted, and the policy goes on deciding in its own action space with its last good
     * version, until a snapshot of its shape comes.
     */
    @Test
    void shouldRefuseASnapshotOfAnotherShapeThanTheRegisteredSpec() throws Exception {
        String topic = "client-pinned";
        broker.createTopic(topic, 1, true);
        PolicySpec spec = PolicySpec.parse("pinned:2:3");
        publish(topic, snapshot(spec, 5, 1f));
        try (PolicyClient client = new PolicyClient(broker.clientProperties(), topic)) {
            client.register(spec);
            assertThat(client.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(client.version("pinned")).isEqualTo(5);

            publish(topic, snapshot(PolicySpec.parse("pinned:2:4"), 6, 1f));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (client.refusedSnapshots() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(client.refusedSnapshots()).isEqualTo(1);
            assertThat(client.version("pinned")).isEqualTo(5);
            SplittableRandom random = new SplittableRandom(3);
            for (int i = 0; i < 200; i++) {
                assertThat(client.decide("pinned", new float[] {1, 1}, random).actions()[0])
                        .isBetween(0, 2);
            }

            publish(topic, snapshot(spec, 7, 2f));
            while (client.version("pinned") < 7 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(client.version("pinned")).isEqualTo(7);
        }
    }

    /** A client of some policies keeps only theirs, and one copy of their parameters. */
    @Test
    void shouldKeepOnlyThePoliciesItServesWhenAskedTo() throws Exception {
        String topic = "client-some";
        broker.createTopic(topic, 1, true);
        PolicySpec served = PolicySpec.parse("served:2:3");
        publish(topic, snapshot(PolicySpec.parse("other:2:3"), 4, 1f));
        publish(topic, snapshot(served, 2, 1f));
        try (PolicyClient client =
                PolicyClient.forPolicies(broker.clientProperties(), topic, List.of(served))) {
            assertThat(client.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(client.snapshots()).containsOnlyKeys("served");
            assertThat(client.version("other")).isEqualTo(-1);
            assertThat(client.parameters("served").orElseThrow().values())
                    .isSameAs(client.snapshot("served").orElseThrow().parameters());
        }
    }

    /**
     * Deciding allocates its result (the decision, its actions, the features' copy and the event
     * id), not the scratch of the policy's widest head: 8 KB a call at 1000 actions before.
     */
    @Test
    void shouldDecideWithoutAScratchArrayPerCall() throws Exception {
        PolicySpec wide = PolicySpec.parse("wide:4:1000");
        try (PolicyClient client = new PolicyClient(broker.clientProperties(), "client-wide")) {
            client.register(wide);
            float[] features = {1, 2, 3, 4};
            SplittableRandom random = new SplittableRandom(5);
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean)
                            java.lang.management.ManagementFactory.getThreadMXBean();
            long thread = Thread.currentThread().getId();
            for (int i = 0; i < 20_000; i++) {
                client.decide("wide", features, random);
            }
            long before = threads.getThreadAllocatedBytes(thread);
            int calls = 10_000;
            for (int i = 0; i < calls; i++) {
                client.decide("wide", features, random);
            }
            long perCall = (threads.getThreadAllocatedBytes(thread) - before) / calls;

            assertThat(perCall).isLessThan(1000);
        }
    }

    /**
     * With no broker to take them, every record is reported lost, to the listener and the count,
     * and no call blocks the caller for much longer than {@code max.block.ms}: the logger's 1 s,
     * not Kafka's default of 60 s a call.
     */
    @Test
    void shouldReportEveryLostEventAndNeverBlockLongerThanConfigured() throws Exception {
        int port = freePort();
        Properties properties = new Properties();
        properties.put("bootstrap.servers", "localhost:" + port);
        PolicySpec spec = PolicySpec.parse("gone:2:3");
        List<String> lost = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (PolicyClient client = new PolicyClient(properties, "gone-parameters");
                EventLogger events = new EventLogger(properties, "gone-events")) {
            client.register(spec);
            events.onLoss((topic, key, cause) -> lost.add(topic + " " + cause.getClass()));
            SplittableRandom random = new SplittableRandom(9);
            for (int i = 0; i < 2; i++) {
                PolicyClient.Decision decision = client.decide("gone", new float[] {1, 2}, random);
                long began = System.nanoTime();
                events.log(decision, 1.0);
                events.logDecision(decision);
                events.logReward(decision.eventId(), 1.0);
                assertThat(Duration.ofNanos(System.nanoTime() - began))
                        .as("three sends, each blocking at most max.block.ms")
                        .isLessThan(EventLogger.MAX_BLOCK.multipliedBy(3).plusSeconds(5));
            }
            events.flush();
            assertThat(events.lost()).isEqualTo(6);
            assertThat(lost)
                    .hasSize(6)
                    .allMatch(line -> line.endsWith("TimeoutException"))
                    .anyMatch(line -> line.startsWith("gone-events "))
                    .anyMatch(line -> line.startsWith(EventLogger.DECISIONS_TOPIC + " "))
                    .anyMatch(line -> line.startsWith(EventLogger.REWARDS_TOPIC + " "));
        }
    }

    /**
     * {@code awaitTopics} returns once the producer knows an existing topic's partitions, and
     * answers false, after about its timeout, for a topic that does not exist (the embedded broker
     * creates none on request); no record is sent, so none is lost.
     */
    @Test
    void shouldAwaitTheMetadataOfItsTopicsBeforeTheFirstRecord() throws Exception {
        Properties properties = broker.clientProperties();
        try (Admin admin = Admin.create(properties)) {
            admin.createTopics(List.of(new NewTopic("ready-decisions", 2, (short) 1))).all().get();
        }
        try (EventLogger events = new EventLogger(properties, "ready-events")) {
            assertThat(events.awaitTopics(Duration.ofSeconds(30), "ready-decisions")).isTrue();
            long began = System.nanoTime();
            assertThat(events.awaitTopics(Duration.ofSeconds(2), "ready-decisions", "never-made"))
                    .isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - began))
                    .isBetween(Duration.ofSeconds(2), Duration.ofSeconds(10));
            assertThat(events.lost()).isZero();
        }
    }

    /**
     * Started while no broker answers, the client retries with backoff, says so in its health, and
     * follows once a broker comes up on the address it was given.
     */
    @Test
    void shouldFollowABrokerThatComesUpAfterTheClientStarted() throws Exception {
        int port = freePort();
        Properties properties = new Properties();
        properties.put("bootstrap.servers", "localhost:" + port);
        PolicySpec spec = PolicySpec.parse("late:2:3");
        try (PolicyClient client = new PolicyClient(properties, "late-parameters")) {
            awaitHealth(client, PolicyClient.State.RETRYING);
            assertThat(client.health().cause()).isNotNull();
            assertThat(client.awaitCaughtUp(Duration.ofMillis(200))).isFalse();

            try (EmbeddedKafkaBroker late = EmbeddedKafkaBroker.start(port)) {
                late.createTopic("late-parameters", 1, true);
                publish(late.clientProperties(), "late-parameters", snapshot(spec, 4, 1f));

                assertThat(client.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (client.version("late") < 4 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(client.version("late")).isEqualTo(4);
                assertThat(client.health().state()).isEqualTo(PolicyClient.State.FOLLOWING);
                assertThat(client.health().retries()).isPositive();
            }
        }
    }

    /** A port nothing listens on now. */
    private static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void awaitHealth(PolicyClient client, PolicyClient.State state)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (client.health().state() != state) {
            assertThat(System.nanoTime()).as("health " + state).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /**
     * A 40-head architecture of 20 options a head: its joint propensity, 9.1e-53, is below
     * float32's range. Logged in either format, the learner decodes it as it was, instead of 0 (a
     * dead letter for its propensity) as when the logger cast it to float.
     */
    @Test
    void shouldLogThePropensityOfManyHeadsSoThatTheLearnerReadsItAsItWas() throws Exception {
        String topic = "client-many-heads";
        broker.createTopic(topic, 1, false);
        PolicySpec spec = PolicySpec.parse("wide:0:" + String.join(",", nCopies(40, "20")));
        PolicyClient.Decision decision;
        try (PolicyClient client = new PolicyClient(broker.clientProperties(), "client-none");
                EventLogger json = new EventLogger(broker.clientProperties(), topic);
                EventLogger binary =
                        new EventLogger(
                                broker.clientProperties(),
                                topic,
                                org.flinkreinforce.formats.event.EventFormat.BINARY)) {
            client.register(spec);
            decision = client.decide("wide", new float[0], new Random(4));
            assertThat(decision.propensity()).isLessThan(1e-50).isPositive();
            json.log(decision, 1.0).get();
            binary.log(decision, 1.0).get();
        }
        List<ConsumerRecord<byte[], byte[]>> records = readAll(topic);
        assertThat(records).hasSize(2);
        EventDecoder decoder = new EventDecoder(java.util.Map.of("wide", spec), 4096);
        for (ConsumerRecord<byte[], byte[]> record : records) {
            DecodedEvent decoded = decoder.decode(topic, 0, 0, 0, record.key(), record.value());
            assertThat(decoded.isValid()).as(String.valueOf(decoded.deadLetter())).isTrue();
            assertThat(decoded.event().propensity()).isEqualTo(decision.propensity());
        }
    }

    @Test
    void shouldLogDecisionsAsEventsTheLearnerDecodes() throws Exception {
        String topic = "client-events";
        broker.createTopic(topic, 1, false);
        PolicySpec spec = PolicySpec.parse("nas:0:6,4");
        PolicyClient.Decision decision;
        try (PolicyClient client = new PolicyClient(broker.clientProperties(), "client-none");
                EventLogger logger = new EventLogger(broker.clientProperties(), topic)) {
            client.register(spec);
            decision = client.decide("nas", new float[0], new Random(3));
            assertThat(decision.propensity())
                    .isEqualTo(1.0 / 24, org.assertj.core.api.Assertions.within(1e-12));
            logger.log(decision, 0.75, "segment-1").get();
        }
        Properties properties = broker.clientProperties();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<ConsumerRecord<byte[], byte[]>> records =
                    consumer.poll(Duration.ofSeconds(10)).records(partition);
            assertThat(records).hasSize(1);
            assertThat(new String(records.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("nas");
            DecodedEvent decoded =
                    new EventDecoder(java.util.Map.of("nas", spec), 4096)
                            .decode(topic, 0, 0, 0, records.get(0).key(), records.get(0).value());
            assertThat(decoded.isValid()).isTrue();
            assertThat(decoded.event().actions()).containsExactly(decision.actions());
            assertThat(decoded.event().propensity()).isEqualTo((float) decision.propensity());
            assertThat(decoded.event().eventId()).isEqualTo(decision.eventId());
            assertThat(decoded.event().policyVersion()).isEqualTo(0);
            assertThat(decoded.event().baselineKey()).isEqualTo("segment-1");
            assertThat(decoded.event().reward()).isEqualTo(0.75);
        }
    }

    @Test
    void shouldLogADecisionAndItsLaterRewardsApartKeyedByEventId() throws Exception {
        broker.createTopic("client-decisions", 1, false);
        broker.createTopic("client-rewards", 1, false);
        PolicySpec spec = PolicySpec.parse("recs:2:3");
        PolicyClient.Decision decision;
        try (PolicyClient client = new PolicyClient(broker.clientProperties(), "client-none");
                EventLogger logger =
                        new EventLogger(
                                broker.clientProperties(),
                                "client-events",
                                "client-decisions",
                                "client-rewards",
                                EventFormat.BINARY)) {
            client.register(spec);
            decision = client.decide("recs", new float[] {0.5f, -1f}, new Random(4));
            logger.logDecision(decision, "segment-2").get();
            logger.logReward(decision.eventId(), 1.0).get();
            logger.logReward(decision.eventId(), 0.25).get();
        }
        List<ConsumerRecord<byte[], byte[]>> decisions = readAll("client-decisions");
        assertThat(decisions).hasSize(1);
        assertThat(new String(decisions.get(0).key(), StandardCharsets.UTF_8))
                .isEqualTo(decision.eventId());
        Decoded<LoggedDecision> decoded =
                new DecisionDecoder(java.util.Map.of("recs", spec), 4096)
                        .decode("client-decisions", 0, 0, 0, null, decisions.get(0).value());
        assertThat(decoded.isValid()).isTrue();
        assertThat(decoded.record().eventId()).isEqualTo(decision.eventId());
        assertThat(decoded.record().actions()).containsExactly(decision.actions());
        assertThat(decoded.record().propensity()).isEqualTo((float) decision.propensity());
        assertThat(decoded.record().baselineKey()).isEqualTo("segment-2");
        List<ConsumerRecord<byte[], byte[]>> rewards = readAll("client-rewards");
        assertThat(rewards)
                .extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly(decision.eventId(), decision.eventId());
        RewardDecoder rewardDecoder = new RewardDecoder(4096);
        assertThat(rewards)
                .extracting(
                        r ->
                                rewardDecoder
                                        .decode("client-rewards", 0, 0, 0, null, r.value())
                                        .record()
                                        .reward())
                .containsExactly(1.0, 0.25);
    }

    /**
     * A ranker policy: the client ranks with the weights of the snapshot it read (the learner's
     * scoring, so its propensities are the policy's), refuses a snapshot of another spec, and logs
     * rankings in JSON and binary that the learner decodes into the same hashed features.
     */
    @Test
    void shouldRankWithTheRankerSnapshotAndLogWhatTheLearnerDecodes() throws Exception {
        String topic = "ranker-parameters";
        broker.createTopic(topic, 1, true);
        broker.createTopic("ranker-events", 1, false);
        RankerSpec spec = new RankerSpec("shop", 10, 3, Interaction.parseList("user:item"), 8, 8);
        FeatureHasher hasher = new FeatureHasher(spec.seed());
        float[] weights = new float[spec.weightCount()];
        int segment = FeatureHasher.categorical(hasher.namespace("user"), "segment", "a");
        int shoes = FeatureHasher.categorical(hasher.namespace("item"), "category", "shoes");
        weights[FeatureHasher.cross(segment, shoes) & spec.mask()] = 4f;
        publishRaw(
                topic,
                RankerSnapshotCodec.encode(
                        new RankerSnapshot(spec, 4, 0, 40, 4, 0, new double[0], weights)));
        Features visitor = Features.builder().category("user", "segment", "a").build();
        List<Candidate> candidates =
                List.of(
                        new Candidate(
                                "b-1",
                                Features.builder().category("item", "category", "books").build()),
                        new Candidate(
                                "s-1",
                                Features.builder().category("item", "category", "shoes").build()),
                        new Candidate(
                                "m-1",
                                Features.builder().category("item", "category", "music").build()));
        try (PolicyClient client = new PolicyClient(broker.clientProperties(), topic);
                EventLogger json = new EventLogger(broker.clientProperties(), "ranker-events");
                EventLogger binary =
                        new EventLogger(
                                broker.clientProperties(), "ranker-events", EventFormat.BINARY)) {
            client.register(spec);
            assertThat(client.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(client.version("shop")).isEqualTo(4);
            double expected = Math.exp(4) / (Math.exp(4) + 2);
            SplittableRandom random = new SplittableRandom(5);
            int shown = 0;
            PolicyClient.Ranking ranking = null;
            for (int i = 0; i < 2000; i++) {
                ranking = client.rank("shop", visitor, candidates, random);
                assertThat(ranking.order()[0]).isEqualTo(ranking.chosen());
                shown += ranking.chosen() == 1 ? 1 : 0;
                if (ranking.chosen() == 1) {
                    assertThat(ranking.propensity()).isCloseTo(expected, within(1e-9));
                }
            }
            assertThat(shown / 2000.0).isCloseTo(expected, within(0.04));

            publishRaw(
                    topic,
                    RankerSnapshotCodec.encode(
                            new RankerSnapshot(
                                    spec.withBits(11),
                                    5,
                                    0,
                                    50,
                                    5,
                                    0,
                                    new double[0],
                                    new float[2048])));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (client.refusedSnapshots() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(client.refusedSnapshots()).isEqualTo(1);
            assertThat(client.version("shop")).isEqualTo(4);

            json.logRanking(ranking, 1.0).get();
            binary.logRanking(ranking, 1.0).get();
        }
        List<ConsumerRecord<byte[], byte[]>> records = readAll("ranker-events");
        assertThat(records).hasSize(2);
        RankedDecision fromJson =
                RankingCodec.decode(records.get(0).value(), Map.of("shop", spec), false);
        RankedDecision fromBinary =
                RankingCodec.decode(records.get(1).value(), Map.of("shop", spec), false);
        assertThat(RankingCodec.isBinary(records.get(1).value())).isTrue();
        for (RankedDecision read : List.of(fromJson, fromBinary)) {
            assertThat(read.chosen()).isEqualTo(fromJson.chosen());
            assertThat(read.propensity()).isEqualTo(fromJson.propensity());
            assertThat(read.eventId()).isEqualTo(fromJson.eventId());
            assertThat(read.reward()).isEqualTo(1.0);
            assertThat(read.candidateIds()).containsExactly("b-1", "s-1", "m-1");
            for (int k = 0; k < 3; k++) {
                assertThat(read.candidates()[k].featureHash(0))
                        .isEqualTo(
                                hasher.hash(candidates.get(k).features(), new HashedFeatures())
                                        .featureHash(0));
            }
            assertThat(read.shared().featureHash(0)).isEqualTo(segment);
        }
    }

    private static void publishRaw(String topic, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        broker.clientProperties(),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            producer.send(
                            new ProducerRecord<>(
                                    topic, "shop".getBytes(StandardCharsets.UTF_8), value))
                    .get();
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        broker.clientProperties(),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            return consumer.poll(Duration.ofSeconds(10)).records(partition);
        }
    }

    private static ParameterSnapshot snapshot(PolicySpec spec, long version, float first) {
        PolicyParameters parameters = PolicyParameters.zeros(spec);
        parameters.values()[0] = first;
        return new ParameterSnapshot(
                spec,
                version,
                0,
                version * 10,
                version,
                parameters.values(),
                TrainingStatistics.NONE,
                0);
    }

    private static void publish(String topic, ParameterSnapshot snapshot) throws Exception {
        publish(broker.clientProperties(), topic, snapshot);
    }

    private static void publish(Properties client, String topic, ParameterSnapshot snapshot)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(client, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    snapshot.policyId().getBytes(StandardCharsets.UTF_8),
                                    SnapshotCodec.encode(snapshot)))
                    .get();
        }
    }
}
