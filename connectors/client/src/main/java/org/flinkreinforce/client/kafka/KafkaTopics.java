package org.flinkreinforce.client.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.flinkreinforce.model.PolicySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the learner's topics where they do not exist: the events topic, the dead-letter topic,
 * and the parameters topic compacted (the newest snapshot per policy id is what matters) with a
 * maximum message size that fits the largest policy's snapshot.
 */
public final class KafkaTopics {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);

    private KafkaTopics() {}

    /** Creates whichever of the three topics is missing; logs what it created. */
    public static void ensure(
            Properties client,
            String events,
            String parameters,
            String deadLetters,
            int eventPartitions,
            Iterable<PolicySpec> policies)
            throws InterruptedException {
        long largest = 0;
        for (PolicySpec spec : policies) {
            largest = Math.max(largest, 4L * spec.parameterCount() + 4096);
        }
        String maxMessageBytes = Long.toString(Math.max(1 << 20, 2 * largest));
        try (Admin admin = Admin.create(client)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            if (!existing.contains(events)) {
                missing.add(new NewTopic(events, Optional.of(eventPartitions), Optional.empty()));
            }
            if (!existing.contains(deadLetters)) {
                missing.add(new NewTopic(deadLetters, Optional.of(1), Optional.empty()));
            }
            if (!existing.contains(parameters)) {
                missing.add(
                        new NewTopic(parameters, Optional.of(1), Optional.empty())
                                .configs(
                                        Map.of(
                                                "cleanup.policy",
                                                "compact",
                                                "max.message.bytes",
                                                maxMessageBytes)));
            }
            for (NewTopic topic : missing) {
                try {
                    admin.createTopics(List.of(topic)).all().get();
                    LOG.info("Created topic {}.", topic.name());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "Could not create topic "
                                        + topic.name()
                                        + ": "
                                        + e.getCause().getMessage(),
                                e);
                    }
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "Could not list the topics: " + e.getCause().getMessage(), e);
        }
    }

    /**
     * Assigns every partition of {@code topic} to {@code consumer}, positioned at the beginning;
     * returns them, none where the topic has no partitions within {@code timeout}.
     */
    public static List<TopicPartition> assignFromBeginning(
            Consumer<?, ?> consumer, String topic, Duration timeout) {
        List<TopicPartition> assigned = new ArrayList<>();
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
        if (partitions != null) {
            for (PartitionInfo partition : partitions) {
                assigned.add(new TopicPartition(topic, partition.partition()));
            }
        }
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
        return assigned;
    }

    /** Whether {@code consumer} has read every partition up to the offset {@code end} gives. */
    public static boolean reached(Consumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> entry : end.entrySet()) {
            if (consumer.position(entry.getKey()) < entry.getValue()) {
                return false;
            }
        }
        return true;
    }
}
