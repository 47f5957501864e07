package org.flinkreinforce.job;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.flinkreinforce.connectors.event.PolicyChange;

/** The job's source of policy changes: the control topic's records from a given offset on. */
final class PolicyChanges {

    private PolicyChanges() {}

    /**
     * Reads {@code topic} (one partition) from {@code startOffset} on, where the job has no
     * checkpoint; from its checkpointed offset where it has one.
     */
    static KafkaSource<PolicyChange> source(
            String bootstrapServers,
            String topic,
            String groupId,
            Properties clientProperties,
            long startOffset) {
        return KafkaSource.<PolicyChange>builder()
                .setProperties(clientProperties)
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(
                        OffsetsInitializer.offsets(
                                Map.of(new TopicPartition(topic, 0), startOffset)))
                .setDeserializer(new Deserializer())
                .build();
    }

    /** A record as a {@link PolicyChange}; a record without a key is skipped. */
    private static final class Deserializer
            implements KafkaRecordDeserializationSchema<PolicyChange> {

        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(
                ConsumerRecord<byte[], byte[]> record, Collector<PolicyChange> out) {
            if (record.key() != null) {
                out.collect(
                        new PolicyChange(
                                new String(record.key(), StandardCharsets.UTF_8),
                                record.offset(),
                                record.value()));
            }
        }

        @Override
        public TypeInformation<PolicyChange> getProducedType() {
            return TypeInformation.of(PolicyChange.class);
        }
    }
}
