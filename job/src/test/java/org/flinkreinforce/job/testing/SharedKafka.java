package org.flinkreinforce.job.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.flinkreinforce.formats.ranker.RankerSnapshot;
import org.flinkreinforce.formats.ranker.RankerSnapshotCodec;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.formats.snapshot.SnapshotCodec;
import org.flinkreinforce.formats.snapshot.SnapshotFormatException;
import org.flinkreinforce.kafka.embedded.EmbeddedKafkaBroker;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Kafka broker for the whole test run, started on first use and stopped when JUnit's root
 * context closes. Each test uses its own topics. The readers and waits that take client properties
 * work against any broker, also one in a container.
 */
public final class SharedKafka implements BeforeAllCallback {

    private static EmbeddedKafkaBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) {
        broker(context);
    }

    private static synchronized EmbeddedKafkaBroker broker(ExtensionContext context) {
        if (broker == null) {
            EmbeddedKafkaBroker started = EmbeddedKafkaBroker.start();
            context.getRoot()
                    .getStore(ExtensionContext.Namespace.GLOBAL)
                    .put(
                            "reinforce-kafka-broker",
                            (ExtensionContext.Store.CloseableResource) started::close);
            broker = started;
        }
        return broker;
    }

    /** The broker; call only from tests extended with this class. */
    public static synchronized EmbeddedKafkaBroker broker() {
        if (broker == null) {
            throw new IllegalStateException("Extend the test class with SharedKafka.");
        }
        return broker;
    }

    /** Every committed record of {@code topic}, from the beginning to its current end. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        return readAll(broker().clientProperties(), topic);
    }

    /** {@link #readAll(String)} from the broker that {@code clientProperties} reach. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(
            Properties clientProperties, String topic) {
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(10))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read " + topic + " to its end.");
                }
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    /** Every committed ranker snapshot on {@code topic}, in topic order. */
    public static List<RankerSnapshot> rankerSnapshots(String topic) {
        return decodeAll(readAll(topic), true, RankerSnapshotCodec::decode);
    }

    /** Every committed softmax parameter snapshot on {@code topic}, in topic order. */
    public static List<ParameterSnapshot> snapshots(Properties clientProperties, String topic) {
        return decodeAll(readAll(clientProperties, topic), false, SnapshotCodec::decode);
    }

    /** A snapshot codec's decoding. */
    private interface Decoder<T> {
        T decode(byte[] bytes) throws SnapshotFormatException;
    }

    /**
     * The snapshots of one kind (ranker or softmax) among {@code records}; none may be unreadable.
     */
    private static <T> List<T> decodeAll(
            List<ConsumerRecord<byte[], byte[]>> records, boolean rankers, Decoder<T> decoder) {
        List<T> snapshots = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            if (RankerSnapshotCodec.isRankerSnapshot(record.value()) != rankers) {
                continue;
            }
            try {
                snapshots.add(decoder.decode(record.value()));
            } catch (SnapshotFormatException e) {
                throw new AssertionError("An unreadable snapshot at offset " + record.offset(), e);
            }
        }
        return snapshots;
    }

    /**
     * Waits until consumer group {@code group} has committed offsets that add up to at least {@code
     * offsets} over its partitions: every record before them was read and checkpointed.
     */
    public static void awaitCommitted(Properties clientProperties, String group, long offsets)
            throws InterruptedException {
        try (Admin admin = Admin.create(clientProperties)) {
            await(
                    "group " + group + " to commit " + offsets + " offsets",
                    Duration.ofSeconds(60),
                    () -> {
                        try {
                            return admin
                                            .listConsumerGroupOffsets(group)
                                            .partitionsToOffsetAndMetadata()
                                            .get()
                                            .values()
                                            .stream()
                                            .mapToLong(o -> o == null ? 0 : o.offset())
                                            .sum()
                                    >= offsets;
                        } catch (Exception e) {
                            return false;
                        }
                    });
        }
    }

    /** Waits for {@code condition}, polling, at most {@code timeout}; fails with {@code what}. */
    public static void await(String what, Duration timeout, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
