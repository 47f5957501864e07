package org.flinkreinforce.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.flinkreinforce.formats.event.DecisionDecoder;
import org.flinkreinforce.formats.event.Decoded;
import org.flinkreinforce.formats.event.EventFormat;
import org.flinkreinforce.formats.event.LoggedDecision;
import org.flinkreinforce.formats.event.LoggedReward;
import org.flinkreinforce.formats.event.RewardDecoder;
import org.flinkreinforce.model.PolicySpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The split history decodes, as the learner's join reads it, to the very events the inline phase
 * sends, each as its decision and one reward within its window, and ends with ticks that close
 * every window on every partition.
 */
class SplitHistoryTest {

    private static final PolicySpec SPEC = new PolicySpec(Benchmark.POLICY_ID, 4, 3);
    private static final int EVENTS = 3_000;
    private static final int PARTITIONS = 3;
    private static final long WAIT = 40_000;
    private static final long OUT_OF_ORDERNESS = 5_000;
    private static final long NOW = 1_764_201_600_000L;
    private static final int MAX_BYTES = 1 << 20;

    @ParameterizedTest
    @EnumSource(EventFormat.class)
    void shouldLogTheInlineEventsAsDecisionsAndRewardsWithinTheirWindows(EventFormat format) {
        SplitHistory history =
                new SplitHistory(
                        "d", "r", PARTITIONS, format, EVENTS, WAIT, OUT_OF_ORDERNESS, NOW, 11);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        history.write(new BanditEvents(SPEC, 7, "run-", 5), records::add);

        DecisionDecoder decisionDecoder = new DecisionDecoder(Map.of(SPEC.id(), SPEC), MAX_BYTES);
        RewardDecoder rewardDecoder = new RewardDecoder(MAX_BYTES);
        List<LoggedDecision> decisions = new ArrayList<>();
        Map<String, LoggedReward> rewards = new HashMap<>();
        Map<String, Integer> tickPartitions = new HashMap<>();
        long lastDecision = Long.MIN_VALUE;
        long lastReward = Long.MIN_VALUE;
        for (ProducerRecord<byte[], byte[]> record : records) {
            long time = record.timestamp();
            String id;
            if (record.topic().equals("d")) {
                Decoded<LoggedDecision> decoded =
                        decisionDecoder.decode("d", 0, 0, 0, record.key(), record.value());
                assertThat(decoded.isValid()).as("%s", decoded.deadLetter()).isTrue();
                assertThat(decoded.record().timestamp()).isEqualTo(time);
                assertThat(time).as("decisions in time order").isGreaterThanOrEqualTo(lastDecision);
                lastDecision = time;
                id = decoded.record().eventId();
                if (!id.startsWith(SplitHistory.TICK_ID)) {
                    decisions.add(decoded.record());
                }
            } else {
                assertThat(record.topic()).isEqualTo("r");
                Decoded<LoggedReward> decoded =
                        rewardDecoder.decode("r", 0, 0, 0, record.key(), record.value());
                assertThat(decoded.isValid()).as("%s", decoded.deadLetter()).isTrue();
                assertThat(decoded.record().timestamp()).isEqualTo(time);
                assertThat(time).as("rewards in time order").isGreaterThanOrEqualTo(lastReward);
                lastReward = time;
                id = decoded.record().eventId();
                if (!id.startsWith(SplitHistory.TICK_ID)) {
                    assertThat(rewards.put(id, decoded.record()))
                            .as("one reward of " + id)
                            .isNull();
                }
            }
            assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(id);
            if (id.startsWith(SplitHistory.TICK_ID)) {
                assertThat(time).isEqualTo(NOW);
                tickPartitions.merge(record.topic() + record.partition(), 1, Integer::sum);
            } else {
                // Keyed by event id: a decision and its rewards share a partition.
                assertThat(record.partition()).isNull();
            }
        }

        // The inline phase's events, in order: the same fields, the same reward.
        BanditEvents inline = new BanditEvents(SPEC, 7, "run-", 5);
        assertThat(decisions).hasSize(EVENTS);
        assertThat(rewards).hasSize(EVENTS);
        long first = decisions.get(0).timestamp();
        for (int k = 0; k < EVENTS; k++) {
            LoggedDecision decision = decisions.get(k);
            assertThat(decision.timestamp())
                    .isEqualTo(first + k * SplitHistory.DECISION_INTERVAL_MILLIS);
            LoggedReward reward = rewards.get(decision.eventId());
            assertThat(decision.withReward(reward.reward()))
                    .isEqualTo(inline.next(decision.timestamp()));
            long delay = reward.timestamp() - decision.timestamp();
            assertThat(delay).isBetween(0L, WAIT / 2 - 1);
        }
        // One tick decision and one tick reward on every partition of each topic, late enough
        // that the watermark passes the last window and the time the join remembers it.
        Map<String, Integer> everyPartitionOnce = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            everyPartitionOnce.put("d" + p, 1);
            everyPartitionOnce.put("r" + p, 1);
        }
        assertThat(tickPartitions).isEqualTo(everyPartitionOnce);
        long lastWindowForgotten = decisions.get(EVENTS - 1).timestamp() + 2 * WAIT;
        assertThat(NOW - OUT_OF_ORDERNESS).isGreaterThan(lastWindowForgotten);
        assertThat(history.historyMillis())
                .isEqualTo(EVENTS * SplitHistory.DECISION_INTERVAL_MILLIS);
    }
}
