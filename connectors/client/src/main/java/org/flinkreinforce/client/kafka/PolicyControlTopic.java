package org.flinkreinforce.client.kafka;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.flinkreinforce.formats.control.PolicyControlCodec;
import org.flinkreinforce.formats.control.PolicyDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy control topic: compacted, one partition (so that its offsets order every change),
 * keyed by policy id, one {@link PolicyDefinition} per policy, a tombstone for a removed one. The
 * learner reads it whole at start and follows it while it runs; {@code reinforce policy} writes it.
 */
public final class PolicyControlTopic {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyControlTopic.class);

    /** The largest definition record the topic takes (a rollback carries a whole snapshot). */
    public static final long MAX_RECORD_BYTES = 64L << 20;

    private PolicyControlTopic() {}

    /**
     * The newest record of one policy: its offset and its definition, {@code null} once removed.
     */
    public record Entry(String policyId, long offset, PolicyDefinition definition) {

        public boolean isRemoved() {
            return definition == null;
        }
    }

    /**
     * The topic as read: the newest readable record of each policy, by policy id in the order first
     * seen, and the offset the topic ended at, the next record's.
     */
    public record Contents(Map<String, Entry> entries, long endOffset) {

        /** The policy's current definition, empty where it is not defined. */
        public Optional<PolicyDefinition> definition(String policyId) {
            Entry entry = entries.get(policyId);
            return entry == null ? Optional.empty() : Optional.ofNullable(entry.definition());
        }

        /** The defined policies' definitions, by policy id. */
        public Map<String, PolicyDefinition> defined() {
            Map<String, PolicyDefinition> defined = new LinkedHashMap<>();
            entries.forEach(
                    (id, entry) -> {
                        if (!entry.isRemoved()) {
                            defined.put(id, entry.definition());
                        }
                    });
            return defined;
        }
    }

    /** Creates the topic where it does not exist: compacted, one partition. */
    public static void ensure(Properties client, String topic) throws InterruptedException {
        KafkaTopics.createMissing(
                client,
                List.of(
                        new NewTopic(topic, Optional.of(1), Optional.empty())
                                .configs(
                                        Map.of(
                                                "cleanup.policy",
                                                "compact",
                                                "max.message.bytes",
                                                Long.toString(MAX_RECORD_BYTES)))));
    }

    /**
     * Reads the topic from its beginning to its end. A record that does not decode is logged and
     * skipped: the policy keeps its previous definition.
     */
    public static Contents read(Properties client, String topic, Duration timeout) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        long[] end = {0};
        SnapshotReader.readAll(
                client,
                topic,
                timeout,
                record -> {
                    end[0] = Math.max(end[0], record.offset() + 1);
                    Entry entry = entry(record);
                    if (entry != null) {
                        entries.put(entry.policyId(), entry);
                    }
                });
        return new Contents(entries, end[0]);
    }

    /** The entry of one record; {@code null} (logged) where it does not decode. */
    public static Entry entry(ConsumerRecord<byte[], byte[]> record) {
        if (record.key() == null) {
            LOG.warn("Skipping a record without a key at {}@{}.", record.topic(), record.offset());
            return null;
        }
        String policyId = new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
        if (record.value() == null) {
            return new Entry(policyId, record.offset(), null);
        }
        try {
            return new Entry(policyId, record.offset(), PolicyControlCodec.decode(record.value()));
        } catch (IOException e) {
            LOG.warn(
                    "Skipping the unreadable definition of policy {} at {}@{}: {}",
                    policyId,
                    record.topic(),
                    record.offset(),
                    e.getMessage());
            return null;
        }
    }

    /**
     * Writes {@code definition} for its policy, or a tombstone for {@code policyId} where it is
     * {@code null}, and waits for the broker's acknowledgement.
     *
     * @return the record's offset
     */
    public static long write(
            Properties client, String topic, String policyId, PolicyDefinition definition)
            throws InterruptedException {
        byte[] value = definition == null ? null : PolicyControlCodec.encode(definition);
        Properties properties = new Properties();
        properties.putAll(client);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.put(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Integer.toString(Math.max(1 << 20, (value == null ? 0 : value.length) + 4096)));
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        properties, new ByteArraySerializer(), new ByteArraySerializer())) {
            return producer.send(
                            new ProducerRecord<>(topic, 0, PolicyControlCodec.key(policyId), value))
                    .get()
                    .offset();
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "Could not write to topic " + topic + ": " + e.getCause().getMessage(), e);
        }
    }
}
