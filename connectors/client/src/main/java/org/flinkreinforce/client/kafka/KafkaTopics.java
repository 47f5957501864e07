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
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.ranker.RankerSpec;
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
        ensure(client, events, parameters, deadLetters, eventPartitions, policies, 0);
    }

    /**
     * {@link #ensure(Properties, String, String, String, int, Iterable)} with the parameters topic
     * also taking snapshots of {@code otherSnapshotBytes} (ranker policies').
     */
    public static void ensure(
            Properties client,
            String events,
            String parameters,
            String deadLetters,
            int eventPartitions,
            Iterable<PolicySpec> policies,
            long otherSnapshotBytes)
            throws InterruptedException {
        String maxMessageBytes = Long.toString(parametersTopicLimit(policies, otherSnapshotBytes));
        createMissing(
                client,
                List.of(
                        new NewTopic(events, Optional.of(eventPartitions), Optional.empty()),
                        new NewTopic(deadLetters, Optional.of(1), Optional.empty()),
                        new NewTopic(parameters, Optional.of(1), Optional.empty())
                                .configs(
                                        Map.of(
                                                "cleanup.policy",
                                                "compact",
                                                "max.message.bytes",
                                                maxMessageBytes))));
    }

    /**
     * Creates each of {@code topics} that does not exist (one created meanwhile by someone else is
     * fine); logs what it created.
     */
    public static void createMissing(Properties client, List<NewTopic> topics)
            throws InterruptedException {
        try (Admin admin = Admin.create(client)) {
            Set<String> existing = admin.listTopics().names().get();
            for (NewTopic topic : topics) {
                if (existing.contains(topic.name())) {
                    continue;
                }
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

    /** The bytes of the largest snapshot of {@code policies}, with room for its header. */
    public static long snapshotRecordBytes(Iterable<PolicySpec> policies) {
        long largest = 0;
        for (PolicySpec spec : policies) {
            largest = Math.max(largest, 4L * spec.parameterCount() + 4096);
        }
        return largest;
    }

    /** The largest record of a ranker policy's snapshot: its weights dense, and the rest. */
    public static long rankerSnapshotRecordBytes(RankerSpec spec) {
        return 4L * spec.weightCount() + 4096 + 512L * spec.interactions().size();
    }

    /**
     * The {@code max.message.bytes} a parameters topic gets: twice the largest snapshot, >= 1 MiB.
     */
    static long parametersTopicLimit(Iterable<PolicySpec> policies, long otherSnapshotBytes) {
        return Math.max(1 << 20, 2 * Math.max(snapshotRecordBytes(policies), otherSnapshotBytes));
    }

    /**
     * Makes an existing parameters topic take the largest snapshot of {@code policies}: where its
     * {@code max.message.bytes} is smaller, raises it to {@link #parametersTopicLimit}, or fails
     * with a message naming the topic and both sizes if that is not allowed. A topic that does not
     * exist, or whose configuration this client may not read, is left alone (with a warning).
     */
    public static void fitParametersTopic(
            Properties client, String topic, Iterable<PolicySpec> policies)
            throws InterruptedException {
        fitParametersTopic(client, topic, policies, 0);
    }

    /** {@link #fitParametersTopic(Properties, String, Iterable)} for other snapshots too. */
    public static void fitParametersTopic(
            Properties client, String topic, Iterable<PolicySpec> policies, long otherSnapshotBytes)
            throws InterruptedException {
        long needed = Math.max(snapshotRecordBytes(policies), otherSnapshotBytes);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = Admin.create(client)) {
            long current;
            try {
                ConfigEntry entry =
                        admin.describeConfigs(List.of(resource))
                                .all()
                                .get()
                                .get(resource)
                                .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                current = Long.parseLong(entry.value());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    return;
                }
                if (e.getCause() instanceof AuthorizationException) {
                    LOG.warn(
                            "Cannot check that topic {} takes snapshots of {} bytes: {}",
                            topic,
                            needed,
                            e.getCause().getMessage());
                    return;
                }
                throw new IllegalStateException(
                        "Could not read the configuration of topic "
                                + topic
                                + ": "
                                + e.getCause().getMessage(),
                        e);
            }
            if (current >= needed) {
                return;
            }
            String limit = Long.toString(parametersTopicLimit(policies, otherSnapshotBytes));
            try {
                admin.incrementalAlterConfigs(
                                Map.of(
                                        resource,
                                        List.of(
                                                new AlterConfigOp(
                                                        new ConfigEntry(
                                                                TopicConfig
                                                                        .MAX_MESSAGE_BYTES_CONFIG,
                                                                limit),
                                                        AlterConfigOp.OpType.SET))))
                        .all()
                        .get();
                LOG.warn(
                        "Raised max.message.bytes of topic {} from {} to {}: the largest snapshot"
                                + " takes {} bytes.",
                        topic,
                        current,
                        limit,
                        needed);
            } catch (ExecutionException e) {
                throw new IllegalStateException(
                        "Topic "
                                + topic
                                + " takes records of up to "
                                + current
                                + " bytes (max.message.bytes), the largest snapshot needs "
                                + needed
                                + ", and raising it failed: "
                                + e.getCause().getMessage(),
                        e);
            }
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
