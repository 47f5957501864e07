package org.flinkreinforce.cli.bench;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.flinkreinforce.formats.event.EventFormat;
import org.flinkreinforce.formats.event.LoggedDecision;
import org.flinkreinforce.formats.event.LoggedEvent;
import org.flinkreinforce.formats.event.LoggedReward;

/**
 * The benchmark's events logged apart, as an application with delayed rewards logs them: each
 * event's decision to the decisions topic at its time, its reward to the rewards topic a few
 * seconds later, both keyed by the event id (as {@code EventLogger.logDecision} and {@code
 * logReward} do). The decisions are the {@link BanditEvents} of the inline phase (same features,
 * actions, propensity, baseline key and event id) and each reward is its event's, so the join
 * rebuilds the very events the inline phase learns from, timed at their decisions.
 *
 * <p>Time, in the records' timestamps (the payload's and the Kafka record's): one decision every
 * {@value #DECISION_INTERVAL_MILLIS} ms, as an application deciding 100 times a second logs them,
 * so that the join holds the decisions of one wait, and remembers the windows of one more, whatever
 * the number of events; each reward a uniform delay in {@code [0, min(30 s, wait / 2))} after its
 * decision, within its window; each topic in the order of its records' times. The history ends
 * {@value #TICK_WAITS} waits and the out-of-orderness before {@code now}; at {@code now} every
 * partition of both topics gets one "tick" decision and its reward, which move every partition's
 * watermark past the last window and past the time the join remembers it. The ticks stay pending:
 * they are never learned from.
 */
final class SplitHistory {

    /** The time between two decisions of the history. */
    static final long DECISION_INTERVAL_MILLIS = 10;

    /** The longest delay of a reward after its decision, where half the wait is longer. */
    static final long MAX_REWARD_DELAY_MILLIS = 30_000;

    /** The ticks come this many waits (plus the out-of-orderness) after the last decision. */
    static final int TICK_WAITS = 3;

    /** The event id of partition {@code p}'s tick is this followed by {@code p}. */
    static final String TICK_ID = "tick-";

    private final String decisionsTopic;
    private final String rewardsTopic;
    private final int partitions;
    private final EventFormat format;
    private final long events;
    private final long firstDecisionMillis;
    private final long historyMillis;
    private final long maxRewardDelayMillis;
    private final long tickMillis;
    private final SplittableRandom delays;
    private long decisionBytes;
    private long rewardBytes;

    /**
     * @param waitMillis the join's {@code reward.wait} of the benchmark's policy
     * @param outOfOrdernessMillis the join's {@code reward.out-of-orderness}
     * @param nowMillis the time of the ticks; the history lies before it
     */
    SplitHistory(
            String decisionsTopic,
            String rewardsTopic,
            int partitions,
            EventFormat format,
            long events,
            long waitMillis,
            long outOfOrdernessMillis,
            long nowMillis,
            long seed) {
        if (events < 1 || partitions < 1 || waitMillis < 1 || outOfOrdernessMillis < 0) {
            throw new IllegalArgumentException(
                    "A split history needs events, partitions and a wait of at least 1 and an"
                            + " out-of-orderness of at least 0.");
        }
        this.decisionsTopic = decisionsTopic;
        this.rewardsTopic = rewardsTopic;
        this.partitions = partitions;
        this.format = format;
        this.events = events;
        this.historyMillis = Math.multiplyExact(events, DECISION_INTERVAL_MILLIS);
        this.maxRewardDelayMillis = Math.max(1, Math.min(MAX_REWARD_DELAY_MILLIS, waitMillis / 2));
        this.tickMillis = nowMillis;
        this.firstDecisionMillis =
                nowMillis - TICK_WAITS * waitMillis - outOfOrdernessMillis - historyMillis;
        this.delays = new SplittableRandom(seed);
    }

    /** Sends the decisions, rewards and ticks to {@code out}, each topic in time order. */
    void write(BanditEvents bandit, Consumer<ProducerRecord<byte[], byte[]>> out) {
        PriorityQueue<ProducerRecord<byte[], byte[]>> rewards =
                new PriorityQueue<>(Comparator.comparingLong(ProducerRecord::timestamp));
        LoggedDecision last = null;
        for (long k = 0; k < events; k++) {
            long decided = firstDecisionMillis + k * DECISION_INTERVAL_MILLIS;
            LoggedEvent event = bandit.next(decided);
            while (!rewards.isEmpty() && rewards.peek().timestamp() <= decided) {
                out.accept(rewards.poll());
            }
            last = decision(event);
            out.accept(decisionRecord(null, last));
            long rewarded = decided + delays.nextLong(maxRewardDelayMillis);
            rewards.add(
                    rewardRecord(
                            null,
                            new LoggedReward(event.eventId(), event.reward(), null, rewarded)));
        }
        while (!rewards.isEmpty()) {
            out.accept(rewards.poll());
        }
        for (int p = 0; p < partitions; p++) {
            String id = TICK_ID + p;
            out.accept(
                    decisionRecord(
                            p,
                            new LoggedDecision(
                                    last.policyId(),
                                    last.features(),
                                    last.actions(),
                                    last.propensity(),
                                    last.policyVersion(),
                                    last.baselineKey(),
                                    id,
                                    tickMillis)));
            out.accept(rewardRecord(p, new LoggedReward(id, 0.0, null, tickMillis)));
        }
    }

    private static LoggedDecision decision(LoggedEvent event) {
        return new LoggedDecision(
                event.policyId(),
                event.features(),
                event.actions(),
                event.propensity(),
                event.policyVersion(),
                event.baselineKey(),
                event.eventId(),
                event.timestamp());
    }

    private ProducerRecord<byte[], byte[]> decisionRecord(Integer partition, LoggedDecision d) {
        byte[] value = format.encode(d);
        decisionBytes += value.length;
        return new ProducerRecord<>(
                decisionsTopic, partition, d.timestamp(), key(d.eventId()), value);
    }

    private ProducerRecord<byte[], byte[]> rewardRecord(Integer partition, LoggedReward r) {
        byte[] value = format.encode(r);
        rewardBytes += value.length;
        return new ProducerRecord<>(
                rewardsTopic, partition, r.timestamp(), key(r.eventId()), value);
    }

    private static byte[] key(String eventId) {
        return eventId.getBytes(StandardCharsets.UTF_8);
    }

    /** The bytes of the decisions written, ticks included. */
    long decisionBytes() {
        return decisionBytes;
    }

    long rewardBytes() {
        return rewardBytes;
    }

    long historyMillis() {
        return historyMillis;
    }

    long maxRewardDelayMillis() {
        return maxRewardDelayMillis;
    }
}
