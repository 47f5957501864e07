package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.flinkreinforce.connectors.event.JoinInput;
import org.flinkreinforce.connectors.event.PendingReward;
import org.flinkreinforce.connectors.event.PolicyChange;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.connectors.event.RankerRecord;
import org.flinkreinforce.formats.control.PolicyControlCodec;
import org.flinkreinforce.formats.control.PolicyDefinition;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.event.EventFormat;
import org.flinkreinforce.formats.event.LoggedDecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JoinRewardsFunctionTest {

    /** Decisions wait 10 s; rewards may be timed up to 2 s before their decision. */
    private static final long WAIT = 10_000;

    private static final long EARLY = 2_000;

    @Test
    void shouldJoinTheRewardsTimedWithinTheWindowWhicheverArrivesFirst() throws Exception {
        try (Harness harness = harness(settings(RewardAggregation.SUM, 0.0))) {
            harness.open();
            // Before its decision arrived: one timed inside the window, one too early.
            harness.processElement(reward("e", 1.0, 2_500), 2_500);
            harness.processElement(reward("e", 50.0, 500), 500);
            harness.processElement(decision("e", 3_000), 3_000);
            harness.processElement(reward("e", 2.0, 12_000), 12_000);
            harness.processWatermark(12_999);
            assertThat(harness.extractOutputValues()).isEmpty();
            harness.processWatermark(13_000);
            assertThat(harness.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            event -> {
                                assertThat(event.eventId).isEqualTo("e");
                                assertThat(event.reward).isEqualTo(3.0);
                                assertThat(event.timestamp).isEqualTo(3_000);
                            });
            assertThat(reasons(harness)).containsExactly(DeadLetterReason.ORPHAN_REWARD);
        }
    }

    /**
     * The event-time timers are the join's index, not Flink's timer heap: a timer given up (the
     * earlier expiry of an event id's early rewards, the expiry once its decision came) stays in
     * the index until its time and is passed over then; once every window is forgotten, the index
     * is empty.
     */
    @Test
    void shouldKeepItsTimersInItsIndexAndNoneOnceForgotten() throws Exception {
        try (Harness harness = harness(settings(RewardAggregation.SUM, 0.0))) {
            harness.open();
            harness.processElement(reward("early", 1.0, 900), 900);
            harness.processElement(reward("early", 1.0, 800), 800);
            harness.processElement(reward("orphan", 1.0, 950), 950);
            assertThat(harness.indexed()).isEqualTo(3);
            harness.processElement(decision("early", 1_000), 1_000);
            harness.processElement(decision("plain", 1_000), 1_000);
            harness.processElement(reward("plain", 2.0, 1_500), 1_500);
            assertThat(harness.indexed()).isEqualTo(5);
            assertThat(harness.numEventTimeTimers()).isZero();

            harness.processWatermark(11_000);
            assertThat(harness.extractOutputValues())
                    .extracting(e -> e.eventId + "=" + e.reward)
                    .containsExactlyInAnyOrder("early=2.0", "plain=2.0");
            assertThat(reasons(harness)).containsExactly(DeadLetterReason.ORPHAN_REWARD);
            assertThat(harness.indexed()).isEqualTo(2);

            harness.processWatermark(21_000);
            assertThat(harness.indexed()).isZero();
            assertThat(harness.entries()).isZero();
            assertThat(harness.extractOutputValues()).hasSize(2);
        }
    }

    @ParameterizedTest
    @CsvSource({"earliest, 1", "latest, 3", "sum, 6", "mean, 2", "min, 1", "max, 3"})
    void shouldAggregateSeveralRewards(String aggregation, double expected) throws Exception {
        RewardAggregation kind = RewardAggregation.valueOf(aggregation.toUpperCase());
        try (Harness harness = harness(settings(kind, 0.0))) {
            harness.open();
            harness.processElement(decision("e", 1_000), 1_000);
            // Out of order: arrival order is not time order.
            harness.processElement(reward("e", 3.0, 6_000), 6_000);
            harness.processElement(reward("e", 1.0, 2_000), 2_000);
            harness.processElement(reward("e", 2.0, 4_000), 4_000);
            harness.processWatermark(11_000);
            assertThat(harness.extractOutputValues())
                    .extracting(e -> e.reward)
                    .containsExactly(expected);
        }
    }

    @Test
    void shouldGiveTheDefaultRewardOrDropADecisionThatGotNone() throws Exception {
        try (Harness harness = harness(settings(RewardAggregation.EARLIEST, -0.5))) {
            harness.open();
            harness.processElement(decision("e", 1_000), 1_000);
            harness.processWatermark(11_000);
            assertThat(harness.extractOutputValues())
                    .extracting(e -> e.reward)
                    .containsExactly(-0.5);
        }
        try (Harness harness = harness(settings(RewardAggregation.EARLIEST, Double.NaN))) {
            harness.open();
            harness.processElement(decision("e", 1_000), 1_000);
            harness.processElement(decision("f", 1_000), 1_000);
            harness.processElement(reward("f", 4.0, 1_500), 1_500);
            harness.processWatermark(11_000);
            assertThat(harness.extractOutputValues())
                    .extracting(e -> e.eventId)
                    .containsExactly("f");
            assertThat(reasons(harness)).isEmpty();
        }
    }

    @Test
    void shouldDeadLetterLateOrphanAndDuplicateRecords() throws Exception {
        try (Harness harness = harness(settings(RewardAggregation.SUM, 0.0))) {
            harness.open();
            harness.processElement(decision("e", 1_000), 1_000);
            // Timed after the window's end, though it arrives while the window is open.
            harness.processElement(reward("e", 1.0, 11_001), 11_001);
            harness.processElement(decision("e", 1_200), 1_200);
            harness.processWatermark(11_000);
            // Timed inside the window, but the window has closed.
            harness.processElement(reward("e", 1.0, 10_000), 10_000);
            harness.processElement(decision("e", 12_000), 12_000);
            // Never a decision: an orphan once the time passes its time plus the early window.
            harness.processElement(reward("x", 1.0, 15_000), 15_000);
            harness.processWatermark(16_999);
            assertThat(reasons(harness))
                    .containsExactly(
                            DeadLetterReason.LATE_REWARD,
                            DeadLetterReason.DUPLICATE_DECISION,
                            DeadLetterReason.LATE_REWARD,
                            DeadLetterReason.DUPLICATE_DECISION);
            harness.processWatermark(17_000);
            // One wait after the window closed it is forgotten: a reward then is an orphan.
            harness.processWatermark(21_000);
            harness.processElement(reward("e", 1.0, 21_000), 21_000);
            harness.processWatermark(23_000);
            assertThat(reasons(harness))
                    .endsWith(DeadLetterReason.ORPHAN_REWARD, DeadLetterReason.ORPHAN_REWARD);
            assertThat(harness.extractOutputValues())
                    .extracting(e -> e.reward)
                    .containsExactly(0.0);
            assertThat(harness.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS))
                    .extracting(r -> new String(r.getValue().value, "UTF-8"))
                    .allSatisfy(json -> assertThat(json).contains("\"eventId\""));
        }
    }

    @Test
    void shouldKeepPendingDecisionsAndEarlyRewardsThroughARestore() throws Exception {
        OperatorSubtaskState checkpoint;
        RewardJoinSettings settings = settings(RewardAggregation.SUM, 0.0);
        try (Harness harness = harness(settings)) {
            harness.open();
            harness.processElement(decision("a", 1_000), 1_000);
            harness.processElement(reward("a", 1.0, 2_000), 2_000);
            harness.processElement(reward("b", 5.0, 3_000), 3_000);
            harness.processWatermark(4_000);
            checkpoint = harness.snapshot(1, 1);
        }
        try (Harness restored = restore(harness(settings), checkpoint)) {
            // The index is made again from the entries: one timer each.
            assertThat(restored.indexed()).isEqualTo(2);
            restored.processElement(reward("a", 2.0, 5_000), 5_000);
            restored.processElement(decision("b", 4_500), 4_500);
            restored.processWatermark(14_500);
            assertThat(restored.extractOutputValues())
                    .extracting(e -> e.eventId + "=" + e.reward)
                    .containsExactly("a=3.0", "b=5.0");
            assertThat(reasons(restored)).isEmpty();
        }
    }

    /**
     * A closed window restored from a checkpoint is still remembered (a reward for it is late, a
     * second decision a duplicate) until its forget time, and forgotten then.
     */
    @Test
    void shouldRememberAClosedWindowThroughARestoreAndForgetItThen() throws Exception {
        OperatorSubtaskState checkpoint;
        RewardJoinSettings settings = settings(RewardAggregation.SUM, 0.0);
        try (Harness harness = harness(settings)) {
            harness.open();
            harness.processElement(decision("a", 1_000), 1_000);
            harness.processElement(decision("b", 5_000), 5_000);
            harness.processWatermark(11_000);
            assertThat(harness.extractOutputValues())
                    .extracting(e -> e.eventId)
                    .containsExactly("a");
            checkpoint = harness.snapshot(1, 1);
        }
        try (Harness restored = restore(harness(settings), checkpoint)) {
            assertThat(restored.indexed()).isEqualTo(2);
            restored.processElement(reward("a", 1.0, 3_000), 11_500);
            restored.processElement(decision("a", 1_000), 11_500);
            assertThat(reasons(restored))
                    .containsExactly(
                            DeadLetterReason.LATE_REWARD, DeadLetterReason.DUPLICATE_DECISION);
            restored.processWatermark(20_999);
            assertThat(restored.extractOutputValues())
                    .extracting(e -> e.eventId)
                    .containsExactly("b");
            assertThat(restored.entries()).isEqualTo(2);
            restored.processWatermark(21_000);
            assertThat(restored.entries()).isEqualTo(1);
            restored.processWatermark(25_000);
            assertThat(restored.entries()).isZero();
            assertThat(restored.indexed()).isZero();
            // Forgotten: the event id is new again.
            restored.processElement(decision("a", 30_000), 30_000);
            restored.processWatermark(40_000);
            assertThat(restored.extractOutputValues())
                    .extracting(e -> e.eventId)
                    .containsExactly("b", "a");
            assertThat(reasons(restored)).hasSize(2);
        }
    }

    /**
     * A ranker policy's decision joins as a softmax one does, on its own wait, and goes on to the
     * side output with its record unchanged and the aggregated (or default) reward; a pending one
     * survives a restore, and a second one of its id is a duplicate.
     */
    @Test
    void shouldJoinARankerDecisionAndPassItsRecordOnWithTheReward() throws Exception {
        RewardJoinSettings settings =
                new RewardJoinSettings(
                        Map.of("shop", 4_000L), WAIT, EARLY, RewardAggregation.SUM, -1.0, false);
        OperatorSubtaskState checkpoint;
        try (Harness harness = harness(settings)) {
            harness.open();
            harness.processElement(reward("r1", 0.5, 900), 900);
            harness.processElement(ranker("r1", 1_000, 7), 1_000);
            harness.processElement(ranker("r2", 1_000, 8), 1_000);
            harness.processElement(reward("r1", 0.25, 2_000), 2_000);
            harness.processWatermark(2_500);
            checkpoint = harness.snapshot(1, 1);
        }
        try (Harness restored = restore(harness(settings), checkpoint)) {
            restored.processElement(ranker("r1", 3_000, 9), 3_000);
            restored.processWatermark(4_999);
            assertThat(rankings(restored)).isEmpty();
            restored.processWatermark(5_000);
            assertThat(rankings(restored))
                    .extracting(r -> r.eventId + "@" + r.offset + "=" + r.reward)
                    .containsExactlyInAnyOrder("r1@7=0.75", "r2@8=-1.0");
            assertThat(rankings(restored))
                    .allSatisfy(
                            r -> {
                                assertThat(r.policyId).isEqualTo("shop");
                                assertThat(r.value).isEqualTo(rankerValue(r.eventId));
                                assertThat(r.timestamp).isEqualTo(1_000);
                                assertThat(r.topic).isEqualTo("decisions");
                            });
            assertThat(restored.extractOutputValues()).isEmpty();
            assertThat(reasons(restored)).containsExactly(DeadLetterReason.DUPLICATE_DECISION);
            assertThat(restored.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS))
                    .singleElement()
                    .satisfies(letter -> assertThat(letter.getValue().offset).isEqualTo(9));
        }
    }

    @Test
    void shouldRunOnTheJoinsClockInProcessingTime() throws Exception {
        RewardJoinSettings settings =
                new RewardJoinSettings(Map.of(), WAIT, EARLY, RewardAggregation.SUM, 0.0, true);
        try (Harness harness = harness(settings)) {
            harness.open();
            harness.setProcessingTime(100_000);
            // The record's own timestamps are ignored: a decision timed long ago still waits.
            harness.processElement(decision("e", 1), 1);
            harness.processElement(reward("e", 2.0, 1), 1);
            harness.setProcessingTime(109_999);
            assertThat(harness.extractOutputValues()).isEmpty();
            harness.setProcessingTime(110_000);
            assertThat(harness.extractOutputValues())
                    .extracting(e -> e.reward)
                    .containsExactly(2.0);
        }
    }

    @Test
    void shouldKeepAPendingDecisionThroughARestoreInProcessingTime() throws Exception {
        RewardJoinSettings settings =
                new RewardJoinSettings(Map.of(), WAIT, EARLY, RewardAggregation.SUM, 0.0, true);
        OperatorSubtaskState checkpoint;
        try (Harness harness = harness(settings)) {
            harness.open();
            harness.setProcessingTime(100_000);
            harness.processElement(decision("e", 1), 1);
            harness.processElement(reward("e", 2.0, 1), 1);
            checkpoint = harness.snapshot(1, 1);
        }
        try (Harness restored = restore(harness(settings), checkpoint)) {
            assertThat(restored.numProcessingTimeTimers()).isEqualTo(1);
            assertThat(restored.indexed()).isZero();
            restored.setProcessingTime(109_999);
            assertThat(restored.extractOutputValues()).isEmpty();
            restored.setProcessingTime(110_000);
            assertThat(restored.extractOutputValues())
                    .extracting(e -> e.eventId + "=" + e.reward)
                    .containsExactly("e=2.0");
        }
    }

    @Test
    void shouldWaitPerPolicy() throws Exception {
        RewardJoinSettings settings =
                new RewardJoinSettings(
                        Map.of("slow", 60_000L), WAIT, EARLY, RewardAggregation.SUM, 0.0, false);
        try (Harness harness = harness(settings)) {
            harness.open();
            PolicyEvent slow = decision("s", 0).decision.decode();
            slow.policyId = "slow";
            harness.processElement(new StreamRecord<>(JoinInput.decision(slow), 0));
            harness.processElement(decision("f", 0), 0);
            harness.processElement(reward("s", 1.0, 30_000), 30_000);
            harness.processWatermark(30_000);
            assertThat(harness.extractOutputValues())
                    .extracting(e -> e.eventId)
                    .containsExactly("f");
            harness.processWatermark(60_000);
            assertThat(harness.extractOutputValues())
                    .extracting(e -> e.eventId + "=" + e.reward)
                    .containsExactly("f=0.0", "s=1.0");
        }
    }

    @Test
    void shouldTakeAPolicysWaitFromTheControlTopicForTheDecisionsAfterIt() throws Exception {
        // Started with control-topic records below offset 10 read: policy "p" waits WAIT.
        RewardJoinSettings settings =
                settings(RewardAggregation.SUM, 0.0).withWaits(Map.of("p", WAIT));
        PolicyResolver resolver = new PolicyResolver(new Configuration(), 0);
        OperatorSubtaskState checkpoint;
        try (Harness harness = new Harness(new JoinRewardsFunction(settings, 10, resolver))) {
            harness.open();
            harness.processElement(decision("before", 0), 0);
            // A record the start already stands for is not applied again.
            harness.processBroadcastElement(change(9, "p", "40 s"), 0);
            harness.processBroadcastElement(change(10, "p", "30 s"), 0);
            // A replayed or older record, and one that does not resolve, leave the wait as it is.
            harness.processBroadcastElement(change(10, "p", "50 s"), 0);
            harness.processBroadcastElement(change(11, "p", "-1 s"), 0);
            harness.processElement(decision("after", 0), 0);
            harness.processWatermark(WAIT);
            assertThat(harness.extractOutputValues())
                    .extracting(e -> e.eventId)
                    .containsExactly("before");
            checkpoint = harness.snapshot(1, 1);
        }
        try (Harness restored =
                restore(new Harness(new JoinRewardsFunction(settings, 10, resolver)), checkpoint)) {
            restored.processElement(decision("restored", 1_000), 1_000);
            restored.processWatermark(30_000);
            assertThat(restored.extractOutputValues())
                    .extracting(e -> e.eventId)
                    .containsExactly("after");
            // A removed policy's decisions wait the job's reward.wait.
            restored.processBroadcastElement(new PolicyChange("p", 12, null), 0);
            restored.processElement(decision("removed", 30_000), 30_000);
            restored.processWatermark(30_000 + WAIT);
            assertThat(restored.extractOutputValues())
                    .extracting(e -> e.eventId)
                    .containsExactly("after", "restored", "removed");
        }
    }

    /**
     * A ranker added on the control topic while the job runs: its decisions wait the reward.wait of
     * its definition, not the job's.
     */
    @Test
    void shouldTakeARankersWaitFromItsDefinitionOnTheControlTopic() throws Exception {
        PolicyResolver resolver = new PolicyResolver(new Configuration(), 0);
        try (Harness harness =
                new Harness(
                        new JoinRewardsFunction(
                                settings(RewardAggregation.SUM, 0.0), 0, resolver))) {
            harness.open();
            harness.processBroadcastElement(
                    new PolicyChange(
                            "shop",
                            0,
                            PolicyControlCodec.encode(
                                    new PolicyDefinition(
                                            "shop",
                                            PolicyDefinition.Kind.RANKER,
                                            "shop:12",
                                            Map.of("reward.wait", "5 s"),
                                            PolicyDefinition.Origin.OPERATOR,
                                            null))),
                    0);
            harness.processElement(ranker("r1", 1_000, 7), 1_000);
            harness.processWatermark(5_999);
            assertThat(rankings(harness)).isEmpty();
            harness.processWatermark(6_000);
            assertThat(rankings(harness))
                    .extracting(r -> r.eventId + "=" + r.reward)
                    .containsExactly("r1=0.0");
        }
    }

    @Test
    void shouldNotCloseAWindowWhileTheDecisionsAndRewardsAreIdle() throws Exception {
        try (Harness harness = harness(settings(RewardAggregation.SUM, 0.0))) {
            harness.open();
            harness.processElement(decision("e", 0), 0);
            harness.processWatermark(5_000);
            harness.getTwoInputOperator().processWatermarkStatus1(WatermarkStatus.IDLE);
            harness.processBroadcastElement(change(5, "q", "1 h"), 0);
            assertThat(harness.extractOutputValues()).isEmpty();
            harness.getTwoInputOperator().processWatermarkStatus1(WatermarkStatus.ACTIVE);
            harness.processWatermark(WAIT);
            assertThat(harness.extractOutputValues()).hasSize(1);
        }
    }

    @Test
    void shouldTakeTheWaitOfTheStartOverAnOlderChangeInARestoredState() throws Exception {
        RewardJoinSettings settings =
                settings(RewardAggregation.SUM, 0.0).withWaits(Map.of("p", WAIT));
        PolicyResolver resolver = new PolicyResolver(new Configuration(), 0);
        OperatorSubtaskState checkpoint;
        try (Harness harness = new Harness(new JoinRewardsFunction(settings, 10, resolver))) {
            harness.open();
            harness.processBroadcastElement(change(10, "p", "1 h"), 0);
            checkpoint = harness.snapshot(1, 1);
        }
        // Restored into a job that read the control topic to offset 20 at its start: the wait of
        // "p" there (WAIT) stands for a change newer than the one in the restored state.
        try (Harness restored =
                restore(new Harness(new JoinRewardsFunction(settings, 20, resolver)), checkpoint)) {
            restored.processElement(decision("e", 0), 0);
            restored.processWatermark(WAIT);
            assertThat(restored.extractOutputValues()).hasSize(1);
        }
    }

    @Test
    void shouldIgnoreTheControlTopicWhereThePoliciesAreFixed() throws Exception {
        try (Harness harness = harness(settings(RewardAggregation.SUM, 0.0))) {
            harness.open();
            harness.processBroadcastElement(change(5, "p", "1 h"), 0);
            harness.processElement(decision("e", 0), 0);
            harness.processWatermark(WAIT);
            assertThat(harness.extractOutputValues()).hasSize(1);
        }
    }

    /**
     * Checkpoint bytes per pending decision (the heap state backend's snapshot of the keyed state
     * and timers, less that of an empty join), printed, for decisions of {@code features} floats
     * with 36-character event ids: about the decision's binary wire size plus a fixed overhead.
     */
    @ParameterizedTest
    @CsvSource({"2", "32", "128"})
    void shouldKeepAPendingDecisionInAboutItsWireSize(int features) throws Exception {
        long empty;
        try (Harness harness = harness(settings(RewardAggregation.SUM, 0.0))) {
            harness.open();
            empty = harness.snapshot(1, 1).getStateSize();
        }
        int decisions = 2_000;
        long bytes;
        int wire;
        try (Harness harness = harness(settings(RewardAggregation.SUM, 0.0))) {
            harness.open();
            PolicyEvent first = null;
            for (int i = 0; i < decisions; i++) {
                PolicyEvent event = decision(UUID.randomUUID().toString(), i).decision.decode();
                event.features = new float[features];
                event.policyId = "recommender";
                event.baselineKey = "recommender";
                first = first == null ? event : first;
                harness.processElement(new StreamRecord<>(JoinInput.decision(event), i));
            }
            bytes = (harness.snapshot(1, 1).getStateSize() - empty) / decisions;
            wire = EventFormat.BINARY.encode(LoggedDecision.of(first)).length;
        }
        System.out.printf(
                "pending decision of %d features: %d checkpoint bytes (binary wire size %d)%n",
                features, bytes, wire);
        assertThat(bytes).isBetween((long) wire, wire + 256L);
    }

    /**
     * Policy {@code policyId}'s definition at control-topic {@code offset}, its wait {@code wait}.
     */
    private static PolicyChange change(long offset, String policyId, String wait) {
        return new PolicyChange(
                policyId,
                offset,
                PolicyControlCodec.encode(
                        new PolicyDefinition(
                                policyId,
                                policyId + ":2:3",
                                Map.of("reward.wait", wait),
                                PolicyDefinition.Origin.OPERATOR,
                                null)));
    }

    private static RewardJoinSettings settings(
            RewardAggregation aggregation, double defaultReward) {
        return new RewardJoinSettings(Map.of(), WAIT, EARLY, aggregation, defaultReward, false);
    }

    /**
     * The join of one subtask, keyed by event id, its broadcast input of policy changes idle as in
     * the job.
     */
    private static final class Harness
            extends KeyedBroadcastOperatorTestHarness<
                    String, JoinInput, PolicyChange, PolicyEvent> {

        Harness(JoinRewardsFunction function) throws Exception {
            super(new JoinRewardsOperator(function), JoinInput::eventId, Types.STRING, 1, 1, 0);
        }

        @Override
        public void open() throws Exception {
            super.open();
            getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
        }

        /** The pairs in the join's index of event-time timers. */
        int indexed() {
            return ((JoinRewardsOperator) getTwoInputOperator()).indexed();
        }

        /** The event ids the join keeps an entry of. */
        long entries() {
            try (var keys =
                    ((JoinRewardsOperator) getTwoInputOperator())
                            .getKeyedStateBackend()
                            .getKeys(JoinRewardsFunction.STATE, VoidNamespace.INSTANCE)) {
                return keys.count();
            }
        }
    }

    /** {@code harness} opened on {@code checkpoint}. */
    private static Harness restore(Harness harness, OperatorSubtaskState checkpoint)
            throws Exception {
        harness.setup();
        harness.initializeState(checkpoint);
        harness.open();
        return harness;
    }

    private static Harness harness(RewardJoinSettings settings) throws Exception {
        return new Harness(new JoinRewardsFunction(settings));
    }

    private static JoinInput decision(String eventId, long timestamp) {
        return JoinInput.decision(
                new PolicyEvent(
                        "p",
                        new float[] {1f, 2f},
                        new int[] {1},
                        Double.NaN,
                        0.5f,
                        3,
                        "p",
                        eventId,
                        timestamp));
    }

    /** A ranker decision of policy shop as the source gives it: its record, undecoded. */
    private static JoinInput ranker(String eventId, long timestamp, long offset) {
        RankerRecord record =
                new RankerRecord(
                        "shop", null, rankerValue(eventId), "decisions", 0, offset, timestamp);
        record.eventId = eventId;
        return JoinInput.ranker(record);
    }

    private static byte[] rankerValue(String eventId) {
        return ("{\"policyId\":\"shop\",\"eventId\":\""
                        + eventId
                        + "\",\"candidates\":[{}],"
                        + "\"chosen\":0}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static List<RankerRecord> rankings(Harness harness) {
        var rankings = harness.getSideOutput(JoinRewardsFunction.JOINED_RANKINGS);
        return rankings == null
                ? List.of()
                : rankings.stream().map(StreamRecord::getValue).toList();
    }

    private static JoinInput reward(String eventId, double reward, long timestamp) {
        PendingReward pending = new PendingReward();
        pending.eventId = eventId;
        pending.reward = reward;
        pending.timestamp = timestamp;
        return JoinInput.reward(pending);
    }

    private static List<DeadLetterReason> reasons(Harness harness) {
        var letters = harness.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS);
        return letters == null
                ? List.of()
                : letters.stream().map(StreamRecord::getValue).map(l -> l.reason).toList();
    }
}
