package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
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
import org.flinkreinforce.job.testing.LearnerMiniCluster;
import org.flinkreinforce.job.testing.LearnerSettings;
import org.flinkreinforce.job.testing.SharedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A logged history of decisions and their delayed rewards, timed over five simulated hours,
 * replayed through the learner at full speed: every decision is learned from exactly once with the
 * reward an offline oracle computes (the sum of the rewards timed within its window, else the
 * default), and exactly the rewards the oracle calls late or orphaned, and the duplicate decision,
 * are dead-lettered with those reasons.
 */
@ExtendWith(SharedKafka.class)
class RewardJoinITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = LearnerMiniCluster.withTaskManagers(1);

    private static final String PREFIX = "it-join";
    private static final long WAIT = TimeUnit.HOURS.toMillis(1);
    private static final long EARLY = TimeUnit.MINUTES.toMillis(1);
    private static final long START = 1_764_201_600_000L;
    private static final int DECISIONS = 300;
    private static final int PARTITIONS = 2;

    @Test
    void shouldJoinAReplayedHistoryAsAnOfflineOracleDoes() throws Exception {
        Properties client = SharedKafka.broker().clientProperties();
        LearnerSettings.createTopics(client, PREFIX, PARTITIONS);
        // The history is logged before the learner starts, so the topics are made here.
        KafkaTopics.createMissing(
                client,
                List.of(
                        new NewTopic(PREFIX + "-decisions", PARTITIONS, (short) 1),
                        new NewTopic(PREFIX + "-rewards", PARTITIONS, (short) 1)));
        Map<String, String> settings = LearnerJobITCase.settings(PREFIX, "p:2:3");
        settings.put("rewards.join", "true");
        settings.put("reward.wait", "1 h");
        settings.put("reward.early-window", "1 min");
        settings.put("reward.aggregation", "sum");
        settings.put("reward.default", "-1");
        settings.put("reward.out-of-orderness", "1 s");
        settings.put("topics.event-partitions", Integer.toString(PARTITIONS));
        settings.put("publish.every-updates", "1");

        History history = History.generate(new Random(5));
        history.send(client);
        long began = System.nanoTime();

        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(noRestarts);
        env.setParallelism(2);
        JobClient job = LearnerJob.kafka(LearnerConfig.fromMap(settings)).start(env);
        try {
            SharedKafka.await(
                    "every decision of the history learned from",
                    Duration.ofSeconds(90),
                    () -> {
                        ParameterSnapshot last = newest();
                        return last != null && last.eventsApplied() >= history.rewards.size();
                    });
            SharedKafka.await(
                    "every late, orphaned and duplicate record dead-lettered",
                    Duration.ofSeconds(60),
                    () -> deadLetters().size() >= history.expectedDeadLetters());
        } finally {
            job.cancel().get();
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began);
        // Five simulated hours, replayed in well under a minute.
        assertThat(seconds).isLessThan(120);

        ParameterSnapshot last = newest();
        assertThat(last.eventsApplied()).isEqualTo(history.rewards.size());
        assertThat(last.eventDigest()).isEqualTo(EventDigest.of(history.rewards.keySet()));
        Map<DeadLetterReason, Integer> reasons = new HashMap<>();
        for (DeadLetter letter : deadLetters()) {
            reasons.merge(letter.reason, 1, Integer::sum);
        }
        assertThat(reasons)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                DeadLetterReason.LATE_REWARD, history.late,
                                DeadLetterReason.ORPHAN_REWARD, history.orphans,
                                DeadLetterReason.DUPLICATE_DECISION, 1));
        // The joined rewards reach the learner: a snapshot per update, each with its batch's mean
        // reward, add up to the oracle's total.
        double total = 0;
        long applied = 0;
        for (ParameterSnapshot snapshot : LearnerJobITCase.snapshots(PREFIX + "-parameters")) {
            if (snapshot.eventsApplied() > applied) {
                double batch = snapshot.statistics().batchSize();
                assertThat(snapshot.eventsApplied() - applied).isEqualTo((long) batch);
                total += snapshot.statistics().meanReward() * batch;
                applied = snapshot.eventsApplied();
            }
        }
        double expected = history.rewards.values().stream().mapToDouble(Double::doubleValue).sum();
        assertThat(total).isCloseTo(expected, Offset.offset(1e-4));
    }

    /**
     * The decisions and rewards of the history, as sent, and what the oracle makes of them: the
     * reward of every decision, the counts of late and orphaned rewards.
     */
    private static final class History {
        final List<ProducerRecord<byte[], byte[]>> decisions = new ArrayList<>();
        final List<ProducerRecord<byte[], byte[]>> rewardRecords = new ArrayList<>();
        final Map<String, Double> rewards = new LinkedHashMap<>();
        int late;
        int orphans;

        static History generate(Random random) {
            History history = new History();
            long end = START;
            for (int i = 0; i < DECISIONS; i++) {
                String id = "d-" + i;
                long decided = START + i * 60_000L + random.nextInt(60_000);
                end = Math.max(end, decided);
                history.decision(id, decided, random);
                if (i == 3) {
                    // Logged twice, 10 ms apart: the second is the duplicate.
                    history.decision(id, decided + 10, random);
                }
                double sum = 0;
                boolean rewarded = false;
                int count = random.nextInt(4);
                for (int r = 0; r < count; r++) {
                    // Mostly within the hour, some up to half an hour after it, some just before.
                    long delay = (long) (random.nextDouble() * 1.5 * WAIT) - EARLY / 2;
                    double value = Math.round(random.nextGaussian() * 100) / 100.0;
                    history.reward(id, decided + delay, value);
                    if (delay > WAIT) {
                        history.late++;
                    } else {
                        sum += value;
                        rewarded = true;
                    }
                }
                history.rewards.put(id, rewarded ? sum : -1.0);
            }
            // Rewards of decisions that never came.
            for (int i = 0; i < 7; i++) {
                history.reward("ghost-" + i, START + random.nextInt((int) WAIT), 1.0);
                history.orphans++;
            }
            // The clock after the history: one record per partition of each topic, three hours
            // on, moves every partition's watermark past the last window; they stay pending.
            for (int p = 0; p < PARTITIONS; p++) {
                long tick = end + 3 * WAIT;
                LoggedDecision decision = decision("tick-" + p, tick, random, "p");
                history.decisions.add(
                        new ProducerRecord<>(
                                PREFIX + "-decisions",
                                p,
                                tick,
                                decision.eventId().getBytes(),
                                EventFormat.JSON.encode(decision)));
                history.rewardRecords.add(
                        new ProducerRecord<>(
                                PREFIX + "-rewards",
                                p,
                                tick,
                                ("tick-" + p).getBytes(),
                                EventFormat.BINARY.encode(
                                        new LoggedReward("tick-" + p, 0.0, null, tick))));
            }
            return history;
        }

        private void decision(String id, long time, Random random) {
            LoggedDecision decision = decision(id, time, random, "p");
            decisions.add(
                    new ProducerRecord<>(
                            PREFIX + "-decisions",
                            null,
                            time,
                            id.getBytes(),
                            (random.nextBoolean() ? EventFormat.JSON : EventFormat.BINARY)
                                    .encode(decision)));
        }

        private static LoggedDecision decision(String id, long time, Random random, String policy) {
            return new LoggedDecision(
                    policy,
                    new float[] {(float) random.nextGaussian(), (float) random.nextGaussian()},
                    new int[] {random.nextInt(3)},
                    1f / 3,
                    LoggedEvent.UNKNOWN_VERSION,
                    policy,
                    id,
                    time);
        }

        private void reward(String id, long time, double value) {
            rewardRecords.add(
                    new ProducerRecord<>(
                            PREFIX + "-rewards",
                            null,
                            time,
                            id.getBytes(),
                            EventFormat.JSON.encode(new LoggedReward(id, value, "p", time))));
        }

        int expectedDeadLetters() {
            return late + orphans + 1;
        }

        void send(Properties client) {
            Properties properties = new Properties();
            properties.putAll(client);
            properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            // Each topic in the order of its records' times, as the applications logged them;
            // the rewards first, so that many arrive before their decision.
            Comparator<ProducerRecord<byte[], byte[]>> byTime =
                    Comparator.comparing(ProducerRecord::timestamp);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties)) {
                rewardRecords.stream().sorted(byTime).forEach(producer::send);
                decisions.stream().sorted(byTime).forEach(producer::send);
                producer.flush();
            }
        }
    }

    private static ParameterSnapshot newest() {
        List<ParameterSnapshot> snapshots = LearnerJobITCase.snapshots(PREFIX + "-parameters");
        return snapshots.isEmpty() ? null : snapshots.get(snapshots.size() - 1);
    }

    private static List<DeadLetter> deadLetters() {
        List<DeadLetter> letters = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record :
                SharedKafka.readAll(PREFIX + "-dead-letters")) {
            try {
                letters.add(DeadLetterCodec.decode(record.value()));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return letters;
    }
}
