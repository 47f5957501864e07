package org.flinkreinforce.job.testing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Learner settings and topics for integration tests: checkpoints and publication every 300 ms, so a
 * test sees its results within seconds, and transactions short enough that a failed run does not
 * hold up the next.
 */
public final class LearnerSettings {

    private LearnerSettings() {}

    /**
     * {@code policies} learned from the broker that {@code client} reaches: every client property
     * ({@code bootstrap.servers}, credentials, truststore) passes to the learner under its own
     * name, as a user would pass it; checkpoints and publication every 300 ms, transactions of 1
     * minute. The topics are the default ones.
     */
    public static Map<String, String> fast(Properties client, String policies) {
        Map<String, String> settings = new HashMap<>();
        client.forEach((key, value) -> settings.put((String) key, (String) value));
        settings.put("policies", policies);
        settings.put("checkpoint.interval", "300 ms");
        settings.put("publish.interval", "300 ms");
        settings.put("transaction.timeout", "1 min");
        return settings;
    }

    /**
     * {@link #fast} with topics, consumer group and transactional ids of the test's own, named
     * after {@code prefix} ({@code prefix-events}, {@code prefix-parameters}, {@code
     * prefix-dead-letters}, group {@code prefix-learner}), and partial batches flushed after 200
     * ms.
     */
    public static Map<String, String> withTopics(
            Properties client, String prefix, String policies) {
        Map<String, String> settings = fast(client, policies);
        putTopics(settings, prefix);
        settings.put("batch.timeout", "200 ms");
        return settings;
    }

    /**
     * Puts into {@code settings} the topics, consumer group and transactional ids of a test's own,
     * named after {@code prefix}, as {@link #withTopics} describes them.
     */
    public static void putTopics(Map<String, String> settings, String prefix) {
        settings.put("events.topic", prefix + "-events");
        settings.put("parameters.topic", prefix + "-parameters");
        settings.put("dead-letter.topic", prefix + "-dead-letters");
        settings.put("control.topic", prefix + "-control");
        settings.put("decisions.topic", prefix + "-decisions");
        settings.put("rewards.topic", prefix + "-rewards");
        settings.put("group.id", prefix + "-learner");
        settings.put("transactional-id.prefix", prefix);
    }

    /**
     * Creates the topics of {@link #withTopics} on the broker that {@code client} reaches, each
     * unless it exists: the events topic with {@code eventPartitions} partitions, a compacted
     * parameters topic and a dead-letter topic, one partition each.
     */
    public static void createTopics(Properties client, String prefix, int eventPartitions) {
        List<NewTopic> topics =
                List.of(
                        new NewTopic(prefix + "-events", eventPartitions, (short) 1),
                        new NewTopic(prefix + "-parameters", 1, (short) 1)
                                .configs(Map.of("cleanup.policy", "compact")),
                        new NewTopic(prefix + "-dead-letters", 1, (short) 1));
        try (Admin admin = Admin.create(client)) {
            for (var created : admin.createTopics(topics).values().entrySet()) {
                try {
                    created.getValue().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "Could not create topic " + created.getKey() + ".", e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating the topics.", e);
        }
    }
}
