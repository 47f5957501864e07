package org.flinkreinforce.cli.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.flinkreinforce.client.kafka.KafkaTopics;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.deadletter.DeadLetterCodec;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.event.DecodedEvent;
import org.flinkreinforce.formats.event.EventDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a dead-letter topic from where it ends when the watch starts (committed records only),
 * and tallies what arrives by policy (the rejected record's key, which {@code EventLogger} sets to
 * the policy id, or for an event rejected after decoding the policy id in the event) and reason,
 * with the latest detail of each. A background thread reads; {@link #take} hands the tally since
 * the last call to the caller.
 */
public final class DeadLetterWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterWatch.class);

    /** A record whose key is not a policy id (e.g. a record not written by the event logger). */
    public static final String NO_POLICY = "(no policy id)";

    /** Dead letters of one policy: counts and the latest detail by reason. */
    public static final class Tally {
        public Tally() {}

        private final Map<DeadLetterReason, Long> counts = new EnumMap<>(DeadLetterReason.class);
        private final Map<DeadLetterReason, String> details = new EnumMap<>(DeadLetterReason.class);

        void add(DeadLetter letter) {
            counts.merge(letter.reason, 1L, Long::sum);
            details.put(letter.reason, letter.detail);
        }

        /** The tallies added up. */
        public static Tally sum(Iterable<Tally> tallies) {
            Tally sum = new Tally();
            tallies.forEach(sum::addAll);
            return sum;
        }

        void addAll(Tally other) {
            other.counts.forEach((reason, count) -> counts.merge(reason, count, Long::sum));
            details.putAll(other.details);
        }

        public long total() {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }

        public Map<DeadLetterReason, Long> counts() {
            return Map.copyOf(counts);
        }

        /** The reason of most of these dead letters. */
        public DeadLetterReason mostCommon() {
            return counts.entrySet().stream()
                    .max(Map.Entry.comparingByValue())
                    .map(Map.Entry::getKey)
                    .orElseThrow();
        }

        /** The latest detail of {@code reason}, e.g. which dimension the event had. */
        public String detail(DeadLetterReason reason) {
            return details.get(reason);
        }

        /** {@code FEATURE_DIMENSION 100, DECODE 2}, most common first. */
        public String describe() {
            return counts.entrySet().stream()
                    .sorted(Map.Entry.<DeadLetterReason, Long>comparingByValue().reversed())
                    .map(entry -> entry.getKey() + " " + entry.getValue())
                    .collect(Collectors.joining(", "));
        }
    }

    private final String topic;
    private final EventDecoder events = EventDecoder.withoutSpecs(Map.of(), 1 << 20);
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread reader;
    private final Map<String, Tally> sinceTake = new LinkedHashMap<>();
    private final Map<String, Tally> total = new LinkedHashMap<>();
    private volatile boolean positioned;
    private volatile boolean closed;

    /** Starts following {@code topic} from its current end. */
    public DeadLetterWatch(Properties client, String topic) {
        this.topic = topic;
        Properties properties = new Properties();
        properties.putAll(client);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.reader = new Thread(this::follow, "dead-letter-watch-" + topic);
        reader.setDaemon(true);
        reader.start();
    }

    private void follow() {
        try {
            List<TopicPartition> partitions = List.of();
            while (partitions.isEmpty() && !closed) {
                // The topic may not exist yet: the learner creates it when it starts.
                partitions =
                        KafkaTopics.assignFromBeginning(consumer, topic, Duration.ofSeconds(5));
                if (partitions.isEmpty()) {
                    Thread.sleep(500);
                } else {
                    consumer.seekToEnd(partitions);
                    partitions.forEach(consumer::position);
                    positioned = true;
                }
            }
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    add(record);
                }
            }
        } catch (WakeupException | InterruptException e) {
            // closed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // e.g. not authorised to read the topic: the tallies stay as they are
            LOG.warn("Stopped following {}: {}", topic, e.getMessage());
        } finally {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    private void add(ConsumerRecord<byte[], byte[]> record) {
        DeadLetter letter;
        try {
            letter = DeadLetterCodec.decode(record.value());
        } catch (IOException | RuntimeException e) {
            return; // not one of the learner's dead letters
        }
        String policy =
                letter.key == null
                        ? policyOf(letter.value)
                        : new String(letter.key, StandardCharsets.UTF_8);
        synchronized (this) {
            sinceTake.computeIfAbsent(policy, p -> new Tally()).add(letter);
            total.computeIfAbsent(policy, p -> new Tally()).add(letter);
        }
    }

    /**
     * The policy id of a dead letter without a key: an event the learner rejected after decoding
     * (its value is the event as JSON); {@link #NO_POLICY} where the value says none.
     */
    private String policyOf(byte[] value) {
        DecodedEvent event = events.decode(topic, 0, 0, 0, null, value);
        return event.isValid() ? event.event().policyId() : NO_POLICY;
    }

    /** Whether the watch has found the topic and taken its end as the start. */
    public boolean positioned() {
        return positioned;
    }

    /** The dead letters since the last call (or the start), by policy id. */
    public synchronized Map<String, Tally> take() {
        Map<String, Tally> taken = new LinkedHashMap<>(sinceTake);
        sinceTake.clear();
        return taken;
    }

    /** Every dead letter since the start, by policy id. */
    public synchronized Map<String, Tally> total() {
        Map<String, Tally> copy = new LinkedHashMap<>();
        total.forEach(
                (policy, tally) -> {
                    Tally snapshot = new Tally();
                    snapshot.addAll(tally);
                    copy.put(policy, snapshot);
                });
        return copy;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        consumer.wakeup();
        reader.join(10_000);
    }
}
