package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.assertj.core.data.Offset;
import org.flinkreinforce.client.kafka.KafkaTopics;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.deadletter.DeadLetterCodec;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.event.EventFormat;
import org.flinkreinforce.formats.event.LoggedDecision;
import org.flinkreinforce.formats.event.LoggedEvent;
import org.flinkreinforce.formats.event.LoggedReward;
import org.flinkreinforce.formats.snapshot.EventDigest;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.job.testing.LearnerSettings;
import org.flinkreinforce.job.testing.SharedKafka;

/**
 * A history of decisions of policy {@code p:2:3} and their delayed rewards, timed over simulated
 * hours, logged to the decisions and rewards topics of a prefix; and what an offline oracle makes
 * of it under {@link #settings}: the reward of every decision (the sum of those timed within its
 * window, else -1) and the dead letters by reason.
 */
final class JoinHistory {

    static final long WAIT = TimeUnit.HOURS.toMillis(1);
    static final long EARLY = TimeUnit.MINUTES.toMillis(1);
    static final long START = 1_764_201_600_000L;

    private final String prefix;
    private final int partitions;

    /** The partitions records go to: the first {@code used} of each topic; the rest stay empty. */
    private int used;

    private final Random random;
    private final List<ProducerRecord<byte[], byte[]>> decisions = new ArrayList<>();
    private final List<ProducerRecord<byte[], byte[]>> rewardRecords = new ArrayList<>();
    private final Map<String, Long> decided = new LinkedHashMap<>();

    /** The oracle's reward of every decision logged so far, by event id. */
    final Map<String, Double> rewards = new LinkedHashMap<>();

    /** The oracle's dead letters so far, by reason. */
    final Map<DeadLetterReason, Integer> deadLetters = new EnumMap<>(DeadLetterReason.class);

    private long end = START;

    /** Creates the topics of {@code prefix} with {@code partitions} each. */
    JoinHistory(String prefix, int partitions, Random random) throws InterruptedException {
        this.prefix = prefix;
        this.partitions = partitions;
        this.used = partitions;
        this.random = random;
        Properties client = SharedKafka.broker().clientProperties();
        LearnerSettings.createTopics(client, prefix, partitions);
        KafkaTopics.createMissing(
                client,
                List.of(
                        new NewTopic(prefix + "-decisions", partitions, (short) 1),
                        new NewTopic(prefix + "-rewards", partitions, (short) 1)));
    }

    /**
     * Logs to the first {@code count} partitions of each topic only, by event id, leaving the
     * others empty: the learner must leave them out of its watermarks ({@code
     * reward.idle-timeout}).
     */
    JoinHistory onlyPartitions(int count) {
        used = count;
        return this;
    }

    /**
     * The partition of {@code id}'s records: null (the producer's choice) unless some stay empty.
     */
    private Integer partitionOf(String id) {
        return used == partitions ? null : Math.floorMod(id.hashCode(), used);
    }

    /** The learner's settings on the prefix's topics that the oracle stands for. */
    Map<String, String> settings() {
        Map<String, String> settings = LearnerJobITCase.settings(prefix, "p:2:3");
        settings.put("rewards.join", "true");
        settings.put("reward.wait", "1 h");
        settings.put("reward.early-window", "1 min");
        settings.put("reward.aggregation", "sum");
        settings.put("reward.default", "-1");
        settings.put("reward.out-of-orderness", "1 s");
        // Every partition of both topics has records; none is declared idle while a test waits
        // between the parts of a history, which would leave the watermark to the other topic.
        settings.put("reward.idle-timeout", "10 min");
        settings.put("topics.event-partitions", Integer.toString(partitions));
        settings.put("publish.every-updates", "1");
        return settings;
    }

    /**
     * Decisions {@code tag-i} for {@code i} in {@code [from, to)}, one a simulated minute from the
     * start, each with up to three rewards: most timed within its hour, some up to half an hour
     * after it (late), some just before it.
     */
    JoinHistory decide(String tag, int from, int to) {
        for (int i = from; i < to; i++) {
            String id = tag + "-" + i;
            long time = START + i * 60_000L + random.nextInt(60_000);
            decision(id, time, partitionOf(id));
            double sum = 0;
            boolean rewarded = false;
            int count = random.nextInt(4);
            for (int r = 0; r < count; r++) {
                long delay = (long) (random.nextDouble() * 1.5 * WAIT) - EARLY / 2;
                double value = Math.round(random.nextGaussian() * 100) / 100.0;
                reward(id, time + delay, value);
                if (delay > WAIT) {
                    deadLetters.merge(DeadLetterReason.LATE_REWARD, 1, Integer::sum);
                } else {
                    sum += value;
                    rewarded = true;
                }
            }
            rewards.put(id, rewarded ? sum : -1.0);
        }
        return this;
    }

    /** Logs decision {@code id} a second time, 10 ms after the first: a duplicate. */
    JoinHistory duplicate(String id) {
        decision(id, decided.get(id) + 10, partitionOf(id));
        deadLetters.merge(DeadLetterReason.DUPLICATE_DECISION, 1, Integer::sum);
        return this;
    }

    /** {@code count} rewards of decisions that never come, timed within the first hour. */
    JoinHistory orphans(int count) {
        for (int i = 0; i < count; i++) {
            reward("ghost-" + i, START + random.nextInt((int) WAIT), 1.0);
            deadLetters.merge(DeadLetterReason.ORPHAN_REWARD, 1, Integer::sum);
        }
        return this;
    }

    /**
     * The clock after the history: one record per partition of each topic, three hours after the
     * last decision, moves every partition's watermark past the last window; they stay pending.
     */
    JoinHistory ticks() {
        long tick = end + 3 * WAIT;
        for (int p = 0; p < used; p++) {
            String id = "tick-" + p;
            decision(id, tick, p);
            decided.remove(id);
            rewardRecords.add(
                    new ProducerRecord<>(
                            prefix + "-rewards",
                            p,
                            tick,
                            id.getBytes(),
                            EventFormat.BINARY.encode(new LoggedReward(id, 0.0, null, tick))));
        }
        return this;
    }

    private void decision(String id, long time, Integer partition) {
        end = Math.max(end, time);
        decided.putIfAbsent(id, time);
        LoggedDecision decision =
                new LoggedDecision(
                        "p",
                        new float[] {(float) random.nextGaussian(), (float) random.nextGaussian()},
                        new int[] {random.nextInt(3)},
                        1f / 3,
                        LoggedEvent.UNKNOWN_VERSION,
                        "p",
                        id,
                        time);
        decisions.add(
                new ProducerRecord<>(
                        prefix + "-decisions",
                        partition,
                        time,
                        id.getBytes(),
                        (random.nextBoolean() ? EventFormat.JSON : EventFormat.BINARY)
                                .encode(decision)));
    }

    private void reward(String id, long time, double value) {
        rewardRecords.add(
                new ProducerRecord<>(
                        prefix + "-rewards",
                        partitionOf(id),
                        time,
                        id.getBytes(),
                        EventFormat.JSON.encode(new LoggedReward(id, value, "p", time))));
    }

    /**
     * Logs what was made since the last call, each topic in the order of its records' times as the
     * applications logged them; the rewards first, so that many arrive before their decision.
     */
    void send() {
        Properties properties = new Properties();
        properties.putAll(SharedKafka.broker().clientProperties());
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        Comparator<ProducerRecord<byte[], byte[]>> byTime =
                Comparator.comparing(ProducerRecord::timestamp);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties)) {
            rewardRecords.stream().sorted(byTime).forEach(producer::send);
            decisions.stream().sorted(byTime).forEach(producer::send);
            producer.flush();
        }
        rewardRecords.clear();
        decisions.clear();
    }

    /** The newest snapshot on the parameters topic; null if none. */
    ParameterSnapshot newest() {
        List<ParameterSnapshot> snapshots = LearnerJobITCase.snapshots(prefix + "-parameters");
        return snapshots.isEmpty() ? null : snapshots.get(snapshots.size() - 1);
    }

    /** Waits until the learner applied every decision so far and dead-lettered what it should. */
    void awaitJoined() throws InterruptedException {
        SharedKafka.await(
                rewards.size() + " decisions learned from",
                java.time.Duration.ofSeconds(180),
                () -> {
                    ParameterSnapshot last = newest();
                    return last != null && last.eventsApplied() >= rewards.size();
                });
        // Bounded; assertJoinedAsTheOracle then tells which reasons differ.
        int letters = deadLetters.values().stream().mapToInt(Integer::intValue).sum();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (SharedKafka.readAll(prefix + "-dead-letters").size() < letters
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    /**
     * Asserts that the learner joined the history exactly as the oracle did: every decision applied
     * once (count and digest), snapshot versions increasing, the rewards of the snapshots' batches
     * adding up to the oracle's total, and exactly the oracle's dead letters.
     */
    void assertJoinedAsTheOracle() throws IOException {
        ParameterSnapshot last =
                LearnerJobITCase.assertAppliedExactly(prefix, List.copyOf(rewards.keySet()));
        assertThat(last.eventDigest()).isEqualTo(EventDigest.of(rewards.keySet()));
        // A snapshot per update, each with its batch's mean reward.
        double total = 0;
        long applied = 0;
        for (ParameterSnapshot snapshot : LearnerJobITCase.snapshots(prefix + "-parameters")) {
            if (snapshot.eventsApplied() > applied) {
                double batch = snapshot.statistics().batchSize();
                assertThat(snapshot.eventsApplied() - applied).isEqualTo((long) batch);
                total += snapshot.statistics().meanReward() * batch;
                applied = snapshot.eventsApplied();
            }
        }
        double expected = rewards.values().stream().mapToDouble(Double::doubleValue).sum();
        assertThat(total).as("the rewards learned from").isCloseTo(expected, Offset.offset(1e-4));
        Map<DeadLetterReason, Integer> reasons = new EnumMap<>(DeadLetterReason.class);
        List<String> details = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record :
                SharedKafka.readAll(prefix + "-dead-letters")) {
            DeadLetter letter = DeadLetterCodec.decode(record.value());
            reasons.merge(letter.reason, 1, Integer::sum);
            details.add(letter.reason + ": " + letter.detail);
        }
        assertThat(reasons).as("dead letters %s", details).isEqualTo(deadLetters);
    }
}
