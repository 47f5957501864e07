package org.flinkreinforce.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.flinkreinforce.formats.event.EventFormat;
import org.flinkreinforce.formats.event.LoggedDecision;
import org.flinkreinforce.formats.event.LoggedEvent;
import org.flinkreinforce.formats.event.LoggedReward;
import org.flinkreinforce.formats.ranker.LoggedRanking;
import org.flinkreinforce.formats.ranker.RankingCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a {@link PolicyClient.Decision} with the reward it earned to the events topic, as a JSON v1
 * or binary v1 event ({@link EventFormat}; the learner reads both) with the decision's propensity,
 * policy version and event id. Records are keyed by policy id, so one policy's events keep their
 * order within a partition.
 *
 * <p>Where the reward comes later, {@link #logDecision} logs the decision at once to the decisions
 * topic and {@link #logReward} each reward when it is known to the rewards topic, both keyed by the
 * event id (so a decision and its rewards share a partition where the two topics have as many); a
 * learner with {@code rewards.join} joins them. Thread-safe.
 *
 * <p>Sending is asynchronous: a record the producer cannot deliver (the broker gone for longer than
 * Kafka's {@code delivery.timeout.ms}, 2 min by default; a record too large; no room in the buffer
 * or no metadata within {@code max.block.ms}) is lost, counted ({@link #lost}), logged and reported
 * to the {@link #onLoss listeners}, as well as failing the returned future. A call blocks the
 * caller at most {@code max.block.ms}, which this logger sets to 1 s unless the properties say
 * otherwise (Kafka's default is 60 s): where the buffer ({@code buffer.memory}, 32 MiB) is full or
 * the broker unknown it waits that long for room, then drops the record as lost. {@code
 * max.block.ms=0} drops at once and never blocks; a longer one blocks rather than drops. {@link
 * #flush} waits until every record sent so far is delivered or lost; {@link #close} flushes, then
 * closes.
 */
public final class EventLogger implements AutoCloseable {

    /** The learner's default decisions topic. */
    public static final String DECISIONS_TOPIC = "reinforce-decisions";

    /** The learner's default rewards topic. */
    public static final String REWARDS_TOPIC = "reinforce-rewards";

    /** Hears of each record the logger could not deliver. */
    @FunctionalInterface
    public interface LossListener {
        /**
         * Called on the producer's thread: it must return quickly and not throw.
         *
         * @param topic the record's topic
         * @param key the record's key (the policy id, or the event id)
         * @param cause why it was lost
         */
        void lost(String topic, byte[] key, Exception cause);
    }

    /** {@code max.block.ms} where the properties do not set it. */
    public static final Duration MAX_BLOCK = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(EventLogger.class);

    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicLong lost = new AtomicLong();
    private final List<LossListener> listeners = new CopyOnWriteArrayList<>();
    private final String topic;
    private final String decisionsTopic;
    private final String rewardsTopic;
    private final EventFormat format;

    /** A logger that writes JSON v1. */
    public EventLogger(Properties clientProperties, String topic) {
        this(clientProperties, topic, EventFormat.JSON);
    }

    /** A logger to {@code topic} and the default decisions and rewards topics. */
    public EventLogger(Properties clientProperties, String topic, EventFormat format) {
        this(clientProperties, topic, DECISIONS_TOPIC, REWARDS_TOPIC, format);
    }

    /**
     * @param clientProperties Kafka producer properties, at least {@code bootstrap.servers}
     * @param topic the events topic, of decisions logged with their reward
     * @param decisionsTopic the topic of {@link #logDecision}
     * @param rewardsTopic the topic of {@link #logReward}
     * @param format JSON v1, or binary v1: about a third of the bytes and several times cheaper for
     *     the learner to read
     */
    public EventLogger(
            Properties clientProperties,
            String topic,
            String decisionsTopic,
            String rewardsTopic,
            EventFormat format) {
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        properties.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        // Kafka's default 16 KiB batches hold only ~30 JSON events: at tens of thousands of
        // events per second the producer would queue them for seconds.
        properties.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 << 10));
        properties.putIfAbsent(
                ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(MAX_BLOCK.toMillis()));
        this.producer =
                new KafkaProducer<>(
                        properties, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.decisionsTopic = decisionsTopic;
        this.rewardsTopic = rewardsTopic;
        this.format = format;
    }

    /** Sends the event of {@code decision} with {@code reward}. */
    public Future<RecordMetadata> log(PolicyClient.Decision decision, double reward) {
        return log(decision, reward, null);
    }

    /** Sends the event with a baseline key, e.g. a user segment with its own running baseline. */
    public Future<RecordMetadata> log(
            PolicyClient.Decision decision, double reward, String baselineKey) {
        LoggedEvent event =
                new LoggedEvent(
                        decision.policyId(),
                        decision.features(),
                        decision.actions(),
                        reward,
                        decision.propensity(),
                        decision.policyVersion(),
                        baselineKey,
                        decision.eventId(),
                        System.currentTimeMillis());
        return send(event);
    }

    /**
     * Sends {@code decision} without its reward to the decisions topic, timed now: right after
     * deciding, before the reward is known.
     */
    public Future<RecordMetadata> logDecision(PolicyClient.Decision decision) {
        return logDecision(decision, null);
    }

    /** {@link #logDecision(PolicyClient.Decision)} with a baseline key. */
    public Future<RecordMetadata> logDecision(PolicyClient.Decision decision, String baselineKey) {
        LoggedDecision logged =
                new LoggedDecision(
                        decision.policyId(),
                        decision.features(),
                        decision.actions(),
                        decision.propensity(),
                        decision.policyVersion(),
                        baselineKey,
                        decision.eventId(),
                        System.currentTimeMillis());
        return send(
                decisionsTopic,
                decision.eventId().getBytes(StandardCharsets.UTF_8),
                format.encode(logged));
    }

    /**
     * Sends a reward of the decision with {@code eventId} to the rewards topic, timed now; a
     * decision may get several (the learner's {@code reward.aggregation} makes them one).
     */
    public Future<RecordMetadata> logReward(String eventId, double reward) {
        return send(
                rewardsTopic,
                eventId.getBytes(StandardCharsets.UTF_8),
                format.encode(new LoggedReward(eventId, reward, null, System.currentTimeMillis())));
    }

    /**
     * Sends the ranker event of {@code ranking} with {@code reward} to the events topic, keyed by
     * the policy id; in binary, its features hashed here for the policy's seed.
     */
    public Future<RecordMetadata> logRanking(PolicyClient.Ranking ranking, double reward) {
        if (!Double.isFinite(reward)) {
            throw new IllegalArgumentException("The reward must be finite, not " + reward + ".");
        }
        return send(
                topic,
                ranking.policyId().getBytes(StandardCharsets.UTF_8),
                encode(ranking, reward));
    }

    /**
     * Sends the ranker decision of {@code ranking}, without its reward, to the decisions topic,
     * keyed by its event id: right after ranking; its rewards follow with {@link #logReward}.
     */
    public Future<RecordMetadata> logRankingDecision(PolicyClient.Ranking ranking) {
        return send(
                decisionsTopic,
                ranking.eventId().getBytes(StandardCharsets.UTF_8),
                encode(ranking, LoggedRanking.NO_REWARD));
    }

    private byte[] encode(PolicyClient.Ranking ranking, double reward) {
        LoggedRanking logged =
                new LoggedRanking(
                        ranking.policyId(),
                        ranking.shared(),
                        ranking.candidates(),
                        ranking.chosen(),
                        reward,
                        ranking.propensity(),
                        ranking.policyVersion(),
                        null,
                        ranking.eventId(),
                        System.currentTimeMillis());
        return format == EventFormat.BINARY
                ? RankingCodec.toBinary(logged, ranking.spec())
                : RankingCodec.toJson(logged);
    }

    /** Sends an already-built event. */
    public Future<RecordMetadata> send(LoggedEvent event) {
        return send(topic, event.policyId().getBytes(StandardCharsets.UTF_8), format.encode(event));
    }

    /** Sends raw bytes, e.g. a record in another format or a deliberately bad one in tests. */
    public Future<RecordMetadata> sendRaw(byte[] key, byte[] value) {
        return send(topic, key, value);
    }

    /** Adds a listener of the records this logger loses. */
    public void onLoss(LossListener listener) {
        listeners.add(listener);
    }

    /** The records this logger could not deliver, since it was created. */
    public long lost() {
        return lost.get();
    }

    private Future<RecordMetadata> send(String to, byte[] key, byte[] value) {
        return producer.send(
                new ProducerRecord<>(to, key, value),
                (metadata, error) -> {
                    if (error != null) {
                        reportLoss(to, key, error);
                    }
                });
    }

    private void reportLoss(String to, byte[] key, Exception cause) {
        long count = lost.incrementAndGet();
        if (count == 1 || count % 1000 == 0) {
            LOG.warn("Lost {} record(s) so far; the last to {}: {}", count, to, cause.toString());
        }
        for (LossListener listener : listeners) {
            try {
                listener.lost(to, key, cause);
            } catch (RuntimeException e) {
                LOG.warn("A loss listener threw.", e);
            }
        }
    }

    /**
     * Waits, up to {@code timeout} in all, until the producer knows the partitions of {@code
     * topics}, so that the first records sent to them do not wait for that against {@code
     * max.block.ms} (1 s unless set): on a busy host, or a broker far away, the first metadata
     * request can take longer, and those records would be lost. Call it once at start, with the
     * topics the application logs to (its events topic, or the decisions and rewards topics).
     *
     * @return whether every topic's partitions are known; false where one does not exist (or the
     *     broker did not answer) by then
     * @throws org.apache.kafka.common.KafkaException for what waiting cannot mend, e.g. a failed
     *     authentication or a topic the client may not write
     */
    public boolean awaitTopics(Duration timeout, String... topics) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String topic : topics) {
            while (true) {
                try {
                    producer.partitionsFor(topic);
                    break;
                } catch (TimeoutException e) {
                    if (System.nanoTime() >= deadline) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** Waits until every record sent so far is delivered or lost. */
    public void flush() {
        producer.flush();
    }

    /** Flushes (see {@link #flush}), then closes the producer. */
    @Override
    public void close() {
        producer.close();
    }
}
