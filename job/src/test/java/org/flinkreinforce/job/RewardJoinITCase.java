package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.flinkreinforce.connectors.source.AlignedSource;
import org.flinkreinforce.job.testing.LearnerMiniCluster;
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

    @Test
    void shouldLeaveEmptyPartitionsOutOfTheWatermarks() throws Exception {
        JoinHistory history =
                new JoinHistory("it-join-idle", 3, new Random(6))
                        .onlyPartitions(2)
                        .decide("d", 0, 100)
                        .ticks();
        history.send();
        Map<String, String> settings = history.settings();
        // Partition 2 of each topic never has a record: without idleness the watermarks would
        // never pass a window.
        settings.put("reward.idle-timeout", "3 s");
        JobClient job = LearnerJob.kafka(LearnerConfig.fromMap(settings)).start(environment());
        try {
            history.awaitJoined();
        } finally {
            job.cancel().get();
        }
        history.assertJoinedAsTheOracle();
    }

    @Test
    void shouldJoinAReplayedHistoryAsAnOfflineOracleDoes() throws Exception {
        JoinHistory history =
                new JoinHistory("it-join", 2, new Random(5))
                        .decide("d", 0, 300)
                        .duplicate("d-3")
                        .orphans(7)
                        .ticks();
        // The history is logged before the learner starts.
        history.send();
        long began = System.nanoTime();

        JobClient job =
                LearnerJob.kafka(LearnerConfig.fromMap(history.settings())).start(environment());
        try {
            history.awaitJoined();
        } finally {
            job.cancel().get();
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began);
        // Five simulated hours, replayed in well under a minute.
        assertThat(seconds).isLessThan(120);
        history.assertJoinedAsTheOracle();
    }

    @Test
    void shouldReadTheDecisionsAndRewardsInStepWhateverTheirSizes() throws Exception {
        String prefix = "it-join-aligned";
        int records = 20_000;
        long step = 100;
        long first = System.currentTimeMillis() - 2 * records * step;
        try (Admin admin = Admin.create(SharedKafka.broker().clientProperties())) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(prefix + "-decisions", 1, (short) 1),
                                    new NewTopic(prefix + "-rewards", 1, (short) 1)))
                    .all()
                    .get();
        }
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        SharedKafka.broker().clientProperties(),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            // Decisions 50 times the size of rewards: unaligned, one fetch brings a thousand
            // seconds of rewards for every twenty of decisions.
            for (int i = 0; i < records; i++) {
                long time = first + i * step;
                producer.send(
                        new ProducerRecord<>(prefix + "-decisions", 0, time, null, new byte[2000]));
                producer.send(
                        new ProducerRecord<>(
                                prefix + "-rewards", 0, time + step / 2, null, new byte[40]));
            }
        }
        Properties consumer = new Properties();
        consumer.putAll(SharedKafka.broker().clientProperties());
        consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        KafkaSource<Tuple2<Boolean, Long>> kafka =
                KafkaSource.<Tuple2<Boolean, Long>>builder()
                        .setProperties(consumer)
                        .setTopics(prefix + "-decisions", prefix + "-rewards")
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(new TopicAndTime(prefix + "-decisions"))
                        .build();
        Duration readAhead = Duration.ofMinutes(1);
        StreamExecutionEnvironment env = environment();
        env.setParallelism(1);

        long decisions = Long.MIN_VALUE;
        long rewards = Long.MIN_VALUE;
        long mostAhead = 0;
        int read = 0;
        try (CloseableIterator<Tuple2<Boolean, Long>> it =
                env.fromSource(
                                new AlignedSource<>(
                                        kafka,
                                        Types.TUPLE(Types.BOOLEAN, Types.LONG),
                                        (record, timestamp) -> record.f1,
                                        readAhead),
                                WatermarkStrategy.noWatermarks(),
                                "aligned")
                        .executeAndCollect()) {
            // Unbounded, as the learner reads: until every record came.
            while (read < 2 * records && it.hasNext()) {
                Tuple2<Boolean, Long> record = it.next();
                if (record.f0) {
                    decisions = record.f1;
                } else {
                    rewards = record.f1;
                }
                if (decisions != Long.MIN_VALUE && rewards != Long.MIN_VALUE) {
                    mostAhead = Math.max(mostAhead, Math.abs(decisions - rewards));
                }
                read++;
            }
        }

        assertThat(read).isEqualTo(2 * records);
        // The read-ahead, plus what the reader had in hand when it paused a topic: the poll being
        // emitted and two more in its hand-over queue (500 records, 50 s, each), and up to a
        // check's 256 records; unaligned, the rewards run the whole half hour ahead.
        assertThat(Duration.ofMillis(mostAhead))
                .isLessThan(readAhead.plus(Duration.ofMillis(5 * 500 * step)));
    }

    /** A record's topic (decisions: true) and timestamp. */
    private static final class TopicAndTime
            implements KafkaRecordDeserializationSchema<Tuple2<Boolean, Long>> {
        private static final long serialVersionUID = 1L;
        private final String decisions;

        TopicAndTime(String decisions) {
            this.decisions = decisions;
        }

        @Override
        public void deserialize(
                ConsumerRecord<byte[], byte[]> record, Collector<Tuple2<Boolean, Long>> out) {
            out.collect(Tuple2.of(decisions.equals(record.topic()), record.timestamp()));
        }

        @Override
        public TypeInformation<Tuple2<Boolean, Long>> getProducedType() {
            return Types.TUPLE(Types.BOOLEAN, Types.LONG);
        }
    }

    /** Parallelism 2, no restarts. */
    private static StreamExecutionEnvironment environment() {
        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(noRestarts);
        env.setParallelism(2);
        return env;
    }
}
