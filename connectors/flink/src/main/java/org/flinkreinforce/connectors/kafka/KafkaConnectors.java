package org.flinkreinforce.connectors.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.flinkreinforce.connectors.event.DecodedRecord;
import org.flinkreinforce.formats.event.EventDecoder;
import org.flinkreinforce.model.ranker.RankerSpec;

/**
 * The learner's Kafka source and sinks. Client properties (security included) pass through
 * unchanged; only what correctness needs is set on top: the source reads {@code read_committed}
 * unless the properties say otherwise, and both sinks are exactly-once with a transaction timeout
 * that must stay within the broker's {@code transaction.max.timeout.ms}.
 */
public final class KafkaConnectors {

    private KafkaConnectors() {}

    /**
     * The events topic's source: softmax events decoded by {@code decoder}, the JSON events of
     * {@code rankers} read on the source's thread (none where empty).
     */
    public static KafkaSource<DecodedRecord> eventSource(
            String bootstrapServers,
            String topic,
            String groupId,
            Properties clientProperties,
            OffsetsInitializer startingOffsets,
            EventDecoder decoder,
            Map<String, RankerSpec> rankers) {
        return source(
                bootstrapServers,
                topic,
                groupId,
                clientProperties,
                startingOffsets,
                new EventDeserializationSchema(decoder, rankers));
    }

    /** A source of {@code topic} whose records {@code schema} turns into the learner's records. */
    public static <T> KafkaSource<T> source(
            String bootstrapServers,
            String topic,
            String groupId,
            Properties clientProperties,
            OffsetsInitializer startingOffsets,
            KafkaRecordDeserializationSchema<T> schema) {
        return source(
                bootstrapServers,
                List.of(topic),
                groupId,
                clientProperties,
                startingOffsets,
                schema);
    }

    /**
     * A source of {@code topics} whose records {@code schema} turns into the learner's records: the
     * decisions and rewards topics' with {@link JoinInputDeserializationSchema}.
     */
    public static <T> KafkaSource<T> source(
            String bootstrapServers,
            List<String> topics,
            String groupId,
            Properties clientProperties,
            OffsetsInitializer startingOffsets,
            KafkaRecordDeserializationSchema<T> schema) {
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Large fetches: a fetch request costs the broker and the consumer the same whether it
        // carries 1 or 8000 events.
        properties.putIfAbsent(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(8 << 20));
        properties.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(64 << 20));
        // Each poll's records are handed to the task thread in one piece: 500 (Kafka's default)
        // means a hand-over every couple of milliseconds at full speed.
        properties.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        return KafkaSource.<T>builder()
                .setProperties(properties)
                .setBootstrapServers(bootstrapServers)
                .setTopics(topics)
                .setGroupId(groupId)
                .setStartingOffsets(startingOffsets)
                .setDeserializer(schema)
                .build();
    }

    /**
     * An exactly-once sink that writes with {@code serializer} (e.g. {@link
     * TopicRecordSchema#snapshots}) in transactions committed with Flink's checkpoints.
     */
    public static <T> KafkaSink<T> exactlyOnceSink(
            String bootstrapServers,
            KafkaRecordSerializationSchema<T> serializer,
            Properties clientProperties,
            String transactionalIdPrefix,
            Duration transactionTimeout) {
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(producerProperties(clientProperties, transactionTimeout))
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .build();
    }

    private static Properties producerProperties(
            Properties clientProperties, Duration transactionTimeout) {
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.putIfAbsent(
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                Long.toString(transactionTimeout.toMillis()));
        properties.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 << 20));
        return properties;
    }
}
