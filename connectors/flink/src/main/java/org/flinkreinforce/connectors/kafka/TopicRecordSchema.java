package org.flinkreinforce.connectors.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.deadletter.DeadLetterCodec;
import org.flinkreinforce.formats.snapshot.PublishedSnapshot;

/**
 * Writes each element to one topic as a record with the element's key and value bytes, timed by the
 * producer when it writes it. Not by the element's timestamp: that is the time of the event that
 * led to it, which in a replay of old logs lies further back than a topic's retention, so that the
 * broker would delete the record as soon as its segment rolls.
 */
public final class TopicRecordSchema<T> implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final SerializableFunction<T, byte[]> key;
    private final SerializableFunction<T, byte[]> value;

    public TopicRecordSchema(
            String topic,
            SerializableFunction<T, byte[]> key,
            SerializableFunction<T, byte[]> value) {
        this.topic = topic;
        this.key = key;
        this.value = value;
    }

    /** Snapshots, keyed by policy id so that compaction keeps the newest. */
    public static TopicRecordSchema<PublishedSnapshot> snapshots(String topic) {
        return new TopicRecordSchema<>(
                topic,
                snapshot -> snapshot.policyId.getBytes(StandardCharsets.UTF_8),
                snapshot -> snapshot.payload);
    }

    /** Dead letters as JSON, keyed like the original record. */
    public static TopicRecordSchema<DeadLetter> deadLetters(String topic) {
        return new TopicRecordSchema<>(topic, letter -> letter.key, DeadLetterCodec::encode);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, null, key.apply(element), value.apply(element));
    }
}
