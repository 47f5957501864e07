package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.flinkreinforce.connectors.event.RankerRecord;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.ranker.Candidate;
import org.flinkreinforce.formats.ranker.LoggedRanking;
import org.flinkreinforce.formats.ranker.RankedDecision;
import org.flinkreinforce.formats.ranker.RankerSnapshot;
import org.flinkreinforce.formats.ranker.RankerSnapshotCodec;
import org.flinkreinforce.formats.ranker.RankingCodec;
import org.flinkreinforce.formats.snapshot.EventDigest;
import org.flinkreinforce.formats.snapshot.PublishedSnapshot;
import org.flinkreinforce.formats.snapshot.TrainingStatistics;
import org.flinkreinforce.model.EstimatorKind;
import org.flinkreinforce.model.RewardModel;
import org.flinkreinforce.model.ranker.Features;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.RankerLearner;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.junit.jupiter.api.Test;

class LearnRankerFunctionTest {

    private static final RankerSpec SPEC =
            new RankerSpec("shop", 10, 0, Interaction.parseList("user:item"), 8, 8);
    private static final RankerSettings SETTINGS =
            new RankerSettings(
                    SPEC, 4, 500, 1, 0.5, 10.0, 60_000, EstimatorKind.DOUBLY_ROBUST, 0.1, 100_000);

    /**
     * Restored from a checkpoint taken mid-batch, with the event after it replayed: every event is
     * applied once, and the weights are a reference learner's on the same events, bit for bit.
     */
    @Test
    void shouldNeitherLoseNorRepeatAnEventWhenRestoredMidBatch() throws Exception {
        List<RankerRecord> records = records(8, 3);
        OperatorSubtaskState checkpoint;
        try (KeyedOneInputStreamOperatorTestHarness<String, RankerRecord, PublishedSnapshot>
                harness = harness()) {
            harness.open();
            for (RankerRecord record : records.subList(0, 6)) {
                harness.processElement(new StreamRecord<>(record));
            }
            // publish.interval (1 ms) after the last publication, which was none.
            harness.setProcessingTime(1);
            assertThat(published(harness)).extracting(RankerSnapshot::version).containsExactly(1L);
            checkpoint = harness.snapshot(1, 1);
            harness.processElement(new StreamRecord<>(records.get(6)));
        }
        try (KeyedOneInputStreamOperatorTestHarness<String, RankerRecord, PublishedSnapshot>
                restored = harness()) {
            restored.setup();
            restored.initializeState(checkpoint);
            restored.open();
            restored.processElement(new StreamRecord<>(records.get(6)));
            restored.processElement(new StreamRecord<>(records.get(7)));
            restored.setProcessingTime(2);
            List<RankerSnapshot> published = published(restored);
            assertThat(published).hasSize(1);
            RankerSnapshot snapshot = published.get(0);
            assertThat(snapshot.version()).isEqualTo(2);
            assertThat(snapshot.eventsApplied()).isEqualTo(8);
            List<String> ids = new ArrayList<>();
            for (RankerRecord record : records) {
                ids.add(RankingCodec.decode(record.value, Map.of("shop", SPEC), false).eventId());
            }
            assertThat(snapshot.eventDigest()).isEqualTo(EventDigest.of(ids));
            assertThat(snapshot.weights()).containsExactly(reference(records));
        }
    }

    /**
     * A batch's timer and a pending publication's at the same instant are one Flink timer: filling
     * the batch must not cancel the publication with it.
     */
    @Test
    void shouldPublishWhenABatchTimerFellOnThePendingPublication() throws Exception {
        RankerSettings settings =
                new RankerSettings(
                        SPEC,
                        4,
                        500,
                        500,
                        0.5,
                        10.0,
                        60_000,
                        EstimatorKind.DOUBLY_ROBUST,
                        0.1,
                        100_000);
        try (KeyedOneInputStreamOperatorTestHarness<String, RankerRecord, PublishedSnapshot>
                harness =
                        new KeyedOneInputStreamOperatorTestHarness<>(
                                new KeyedProcessOperator<>(
                                        new LearnRankerFunction(
                                                Map.of("shop", settings), Map.of())),
                                LearnRankerFunction.KEY,
                                Types.STRING)) {
            harness.open();
            // At time 0: a full batch (its publication due at 500), then a second full batch whose
            // timer, also at 500, is deleted when it fills.
            for (RankerRecord record : records(8, 12)) {
                harness.processElement(new StreamRecord<>(record));
            }
            assertThat(published(harness)).isEmpty();
            harness.setProcessingTime(600);
            assertThat(published(harness))
                    .extracting(RankerSnapshot::eventsApplied)
                    .containsExactly(8L);
        }
    }

    @Test
    void shouldDeadLetterARecordItRefusesAndOneOfAnUnknownRanker() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, RankerRecord, PublishedSnapshot>
                harness = harness()) {
            harness.open();
            RankerRecord bad = records(1, 5).get(0);
            bad.value =
                    "{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":2,\"reward\":1}"
                            .getBytes();
            RankerRecord unknown = records(1, 6).get(0);
            unknown.policyId = "other";
            harness.processElement(new StreamRecord<>(bad));
            harness.processElement(new StreamRecord<>(unknown));
            assertThat(harness.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS))
                    .extracting(letter -> letter.getValue().reason)
                    .containsExactly(
                            DeadLetterReason.CHOSEN_OUT_OF_RANGE, DeadLetterReason.UNKNOWN_POLICY);
            assertThat(published(harness)).isEmpty();
        }
    }

    /**
     * Started without a checkpoint after version 9 was published: it goes on from those weights and
     * publishes version 10, not 1 (which readers would skip as older).
     */
    @Test
    void shouldGoOnFromThePublishedVersionWithoutACheckpoint() throws Exception {
        float[] weights = new float[SPEC.weightCount()];
        Random random = new Random(4);
        for (int j = 0; j < weights.length; j++) {
            weights[j] = (float) random.nextGaussian() * 0.1f;
        }
        RankerSnapshot nine = new RankerSnapshot(SPEC, 9, 0, 36, 9, 77L, new double[0], weights);
        List<RankerRecord> records = records(4, 8);
        try (KeyedOneInputStreamOperatorTestHarness<String, RankerRecord, PublishedSnapshot>
                harness =
                        new KeyedOneInputStreamOperatorTestHarness<>(
                                new KeyedProcessOperator<>(
                                        new LearnRankerFunction(
                                                Map.of("shop", SETTINGS),
                                                Map.of("shop", RankerSnapshotCodec.encode(nine)))),
                                LearnRankerFunction.KEY,
                                Types.STRING)) {
            harness.open();
            for (RankerRecord record : records) {
                harness.processElement(new StreamRecord<>(record));
            }
            harness.setProcessingTime(1);
            List<RankerSnapshot> published = published(harness);
            assertThat(published).extracting(RankerSnapshot::version).containsExactly(10L);
            assertThat(published.get(0).eventsApplied()).isEqualTo(40);
            assertThat(published.get(0).weights())
                    .containsExactly(reference(records, weights.clone()));
        }
    }

    /**
     * Decisions the job joined with their rewards are learned as the same events logged with their
     * rewards would be: the same weights bit for bit, the same digest.
     */
    @Test
    void shouldLearnJoinedDecisionsAsTheEventsTheyStandFor() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, RankerRecord, PublishedSnapshot>
                harness = harness()) {
            harness.open();
            for (RankerRecord record : joined(8, 5)) {
                harness.processElement(new StreamRecord<>(record));
            }
            harness.setProcessingTime(1);
            List<RankerSnapshot> published = published(harness);
            assertThat(published).hasSize(1);
            List<String> ids = new ArrayList<>();
            for (LoggedRanking ranking : rankings(8, 5)) {
                ids.add(ranking.eventId());
            }
            assertThat(published.get(0).eventsApplied()).isEqualTo(8);
            assertThat(published.get(0).eventDigest()).isEqualTo(EventDigest.of(ids));
            assertThat(published.get(0).weights()).containsExactly(reference(records(8, 5)));
            assertThat(harness.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS)).isNull();
            // Two batches of four: the second's statistics, and every event validated.
            TrainingStatistics statistics = published.get(0).trainingStatistics();
            double secondBatchReward = 0;
            for (LoggedRanking ranking : rankings(8, 5).subList(4, 8)) {
                secondBatchReward += ranking.reward() / 4;
            }
            assertThat(statistics.batchSize()).isEqualTo(4);
            assertThat(statistics.meanReward()).isEqualTo(secondBatchReward);
            assertThat(statistics.meanEntropy()).isPositive().isLessThanOrEqualTo(Math.log(3));
            assertThat(statistics.validation().isPresent()).isTrue();
            assertThat(statistics.validation().events()).isCloseTo(8, within(0.01));
        }
    }

    /**
     * The weights a plain doubly robust RankerLearner reaches on the same events, batches of four.
     */
    private static float[] reference(List<RankerRecord> records) throws Exception {
        return reference(records, new float[SPEC.weightCount()]);
    }

    private static float[] reference(List<RankerRecord> records, float[] start) throws Exception {
        RankerLearner learner =
                new RankerLearner(
                        SPEC,
                        start,
                        new float[SPEC.weightCount()],
                        RewardModel.zeros(SPEC.weightCount()),
                        0.1);
        double sum = 0;
        long count = 0;
        for (RankerRecord record : records) {
            RankedDecision decision =
                    RankingCodec.decode(record.value, Map.of("shop", SPEC), false);
            learner.accumulate(
                    decision.shared(),
                    decision.candidates(),
                    decision.candidates().length,
                    decision.chosen(),
                    decision.reward() - (count == 0 ? 0 : sum / count),
                    decision.propensity(),
                    10.0);
            sum += decision.reward();
            count++;
            if (learner.pendingEvents() == 4) {
                learner.update(0.5);
            }
        }
        return learner.weights();
    }

    private static List<RankerRecord> records(int count, long seed) {
        List<RankerRecord> records = new ArrayList<>();
        List<LoggedRanking> rankings = rankings(count, seed);
        for (int i = 0; i < count; i++) {
            byte[] value =
                    i % 2 == 0
                            ? RankingCodec.toJson(rankings.get(i))
                            : RankingCodec.toBinary(rankings.get(i), SPEC);
            records.add(new RankerRecord("shop", null, value, "events", 0, i, 1000L + i));
        }
        return records;
    }

    /**
     * The decisions of {@link #records}, logged without their reward, as the join passes them on:
     * each with its event id and its reward apart.
     */
    private static List<RankerRecord> joined(int count, long seed) {
        List<RankerRecord> records = new ArrayList<>();
        List<LoggedRanking> rankings = rankings(count, seed);
        for (int i = 0; i < count; i++) {
            LoggedRanking event = rankings.get(i);
            LoggedRanking decision =
                    new LoggedRanking(
                            event.policyId(),
                            event.shared(),
                            event.candidates(),
                            event.chosen(),
                            LoggedRanking.NO_REWARD,
                            event.propensity(),
                            event.policyVersion(),
                            event.baselineKey(),
                            event.eventId(),
                            event.timestamp());
            byte[] value =
                    i % 2 == 0
                            ? RankingCodec.toJson(decision)
                            : RankingCodec.toBinary(decision, SPEC);
            RankerRecord record =
                    new RankerRecord("shop", null, value, "decisions", 0, i, 1000L + i);
            record.eventId = event.eventId();
            record.reward = event.reward();
            records.add(record);
        }
        return records;
    }

    private static List<LoggedRanking> rankings(int count, long seed) {
        Random random = new Random(seed);
        List<LoggedRanking> rankings = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<Candidate> candidates = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                candidates.add(
                        Candidate.of(
                                Features.builder()
                                        .category("item", "category", "c" + random.nextInt(4))
                                        .build()));
            }
            rankings.add(
                    new LoggedRanking(
                            "shop",
                            Features.builder()
                                    .category("user", "segment", "s" + random.nextInt(3))
                                    .build(),
                            candidates,
                            random.nextInt(3),
                            random.nextInt(2),
                            1.0 / 3,
                            -1,
                            null,
                            "e-" + seed + "-" + i,
                            1000L + i));
        }
        return rankings;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, RankerRecord, PublishedSnapshot>
            harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        new LearnRankerFunction(Map.of("shop", SETTINGS), Map.of())),
                LearnRankerFunction.KEY,
                Types.STRING);
    }

    private static List<RankerSnapshot> published(
            KeyedOneInputStreamOperatorTestHarness<String, RankerRecord, PublishedSnapshot> harness)
            throws Exception {
        List<RankerSnapshot> snapshots = new ArrayList<>();
        for (PublishedSnapshot published : harness.extractOutputValues()) {
            snapshots.add(RankerSnapshotCodec.decode(published.payload));
        }
        return snapshots;
    }
}
