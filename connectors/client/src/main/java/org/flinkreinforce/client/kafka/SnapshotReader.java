package org.flinkreinforce.client.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.flinkreinforce.formats.ranker.RankerSnapshot;
import org.flinkreinforce.formats.ranker.RankerSnapshotCodec;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.formats.snapshot.SnapshotCodec;
import org.flinkreinforce.formats.snapshot.SnapshotFormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the parameters topic from the beginning to its current end ({@code read_committed}) and
 * returns the newest snapshot per policy: what a warm start and {@code inspect} need.
 */
public final class SnapshotReader {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotReader.class);

    private SnapshotReader() {}

    /**
     * The newest committed snapshot of each policy, or an empty map when the topic is empty or does
     * not exist.
     */
    public static Map<String, ParameterSnapshot> readLatest(
            Properties clientProperties, String topic, Duration timeout) {
        Map<String, ParameterSnapshot> latest = new HashMap<>();
        readAll(clientProperties, topic, timeout, record -> keepNewest(latest, record));
        return latest;
    }

    /** The newest snapshot of each softmax and of each ranker policy on a parameters topic. */
    public record Latest(
            Map<String, ParameterSnapshot> policies, Map<String, RankerSnapshot> rankers) {}

    /** {@link #readLatest} of both kinds of policy, in one read of the topic. */
    public static Latest readLatestOfEach(
            Properties clientProperties, String topic, Duration timeout) {
        Map<String, ParameterSnapshot> policies = new HashMap<>();
        Map<String, RankerSnapshot> rankers = new HashMap<>();
        readAll(
                clientProperties,
                topic,
                timeout,
                record -> {
                    if (RankerSnapshotCodec.isRankerSnapshot(record.value())) {
                        RankerSnapshot snapshot = decodeRanker(record);
                        if (snapshot != null) {
                            rankers.merge(
                                    snapshot.policyId(),
                                    snapshot,
                                    (a, b) -> b.version() > a.version() ? b : a);
                        }
                    } else {
                        keepNewest(policies, record);
                    }
                });
        return new Latest(policies, rankers);
    }

    /**
     * Every record of {@code topic} from its beginning to its end as it is now, in order per
     * partition; nothing where the topic is empty or does not exist.
     *
     * @throws IllegalStateException where the end is not reached within {@code timeout}
     */
    public static void readAll(
            Properties clientProperties,
            String topic,
            Duration timeout,
            java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> records) {
        Properties properties = consumerProperties(clientProperties);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> assigned =
                    KafkaTopics.assignFromBeginning(consumer, topic, timeout);
            if (assigned.isEmpty()) {
                return;
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!KafkaTopics.reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "Could not read topic "
                                    + topic
                                    + " to its end within "
                                    + timeout
                                    + ".");
                }
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    records.accept(record);
                }
            }
        }
    }

    /**
     * Version {@code version} of {@code policyId} (a softmax policy's or a ranker's snapshot) as
     * the parameters topic holds it (its record's value), if the topic still has it: compaction
     * keeps only the newest snapshot per policy once a segment is closed and {@code
     * min.compaction.lag.ms} has passed.
     */
    public static Optional<byte[]> readVersion(
            Properties clientProperties,
            String topic,
            String policyId,
            long version,
            Duration timeout) {
        byte[][] found = new byte[1][];
        readAll(
                clientProperties,
                topic,
                timeout,
                record -> {
                    if (record.value() == null) {
                        return;
                    }
                    try {
                        Published published = identify(record.value());
                        if (published.policyId().equals(policyId)
                                && published.version() == version) {
                            found[0] = record.value();
                        }
                    } catch (SnapshotFormatException e) {
                        // Unreadable records are not the version asked for.
                    }
                });
        return Optional.ofNullable(found[0]);
    }

    /**
     * What a snapshot of either kind publishes: its policy, version and parameters (a softmax
     * policy's parameter vector, a ranker's weights).
     */
    public record Published(String policyId, long version, float[] parameters) {}

    /**
     * Decodes a snapshot of either kind (a ranker's or a softmax policy's) to what it publishes.
     *
     * @throws SnapshotFormatException where the bytes are neither
     */
    public static Published identify(byte[] value) throws SnapshotFormatException {
        if (RankerSnapshotCodec.isRankerSnapshot(value)) {
            RankerSnapshot snapshot = RankerSnapshotCodec.decode(value);
            return new Published(snapshot.policyId(), snapshot.version(), snapshot.weights());
        }
        ParameterSnapshot snapshot = SnapshotCodec.decode(value);
        return new Published(snapshot.policyId(), snapshot.version(), snapshot.parameters());
    }

    /**
     * Consumer properties for reading snapshots: the given client properties with {@code
     * read_committed}, no group and no offset commits.
     */
    public static Properties consumerProperties(Properties clientProperties) {
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        properties.putIfAbsent(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 << 20));
        return properties;
    }

    /**
     * Folds one record into the map if it decodes and is newer than what the map holds, and answers
     * the snapshot it kept; null for a tombstone, an older version or an unreadable record (logged
     * and skipped). The caller must be the map's only writer.
     */
    public static ParameterSnapshot keepNewest(
            Map<String, ParameterSnapshot> latest, ConsumerRecord<byte[], byte[]> record) {
        ParameterSnapshot snapshot = decode(record);
        if (snapshot == null) {
            return null;
        }
        ParameterSnapshot current = latest.get(snapshot.policyId());
        if (current == null || snapshot.version() > current.version()) {
            latest.put(snapshot.policyId(), snapshot);
            return snapshot;
        }
        return null;
    }

    /** {@link #decode} of a ranker snapshot. */
    public static RankerSnapshot decodeRanker(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return null;
        }
        try {
            return RankerSnapshotCodec.decode(record.value());
        } catch (SnapshotFormatException e) {
            LOG.warn(
                    "Skipping an unreadable ranker snapshot at {}-{}@{}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getMessage());
            return null;
        }
    }

    /**
     * The softmax snapshot a record holds; null for a tombstone, a ranker snapshot or an unreadable
     * record (logged).
     */
    public static ParameterSnapshot decode(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null || RankerSnapshotCodec.isRankerSnapshot(record.value())) {
            // A tombstone, or a ranker policy's snapshot: not a softmax policy's.
            return null;
        }
        try {
            return SnapshotCodec.decode(record.value());
        } catch (SnapshotFormatException e) {
            LOG.warn(
                    "Skipping an unreadable record at {}-{}@{}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getMessage());
            return null;
        }
    }
}
