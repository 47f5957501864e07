package org.flinkreinforce.connectors.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.flinkreinforce.formats.snapshot.PublishedSnapshot;

/** Writes a snapshot to the parameters topic, keyed by policy id so compaction keeps the newest. */
public final class SnapshotSerializationSchema
        implements KafkaRecordSerializationSchema<PublishedSnapshot> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    public SnapshotSerializationSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            PublishedSnapshot snapshot, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic,
                null,
                timestamp,
                snapshot.policyId.getBytes(StandardCharsets.UTF_8),
                snapshot.payload);
    }
}
