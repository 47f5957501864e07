package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.flinkreinforce.connectors.event.PolicyChange;
import org.flinkreinforce.connectors.event.RankerRecord;
import org.flinkreinforce.formats.control.PolicyControlCodec;
import org.flinkreinforce.formats.control.PolicyDefinition;
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
import org.flinkreinforce.model.kernel.KernelChoice;
import org.flinkreinforce.model.ranker.Features;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.RankerKernel;
import org.flinkreinforce.model.ranker.RankerKernels;
import org.flinkreinforce.model.ranker.RankerLearner;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.junit.jupiter.api.Test;

class LearnRankerFunctionTest {

    /** The kernel the operator chooses under the job's default option, for the reference. */
    private static final RankerKernel KERNEL = RankerKernels.create(KernelChoice.AUTO);

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
        try (Harness harness = harness()) {
            harness.open();
            for (RankerRecord record : records.subList(0, 6)) {
                harness.processElement1(new StreamRecord<>(record));
            }
            // publish.interval (1 ms) after the last publication, which was none.
            harness.setProcessingTime(1);
            assertThat(published(harness)).extracting(RankerSnapshot::version).containsExactly(1L);
            checkpoint = harness.snapshot(1, 1);
            harness.processElement1(new StreamRecord<>(records.get(6)));
        }
        try (Harness restored = harness()) {
            restored.setup();
            restored.initializeState(checkpoint);
            restored.open();
            restored.processElement1(new StreamRecord<>(records.get(6)));
            restored.processElement1(new StreamRecord<>(records.get(7)));
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
        try (Harness harness =
                harness(new LearnRankerFunction(Map.of("shop", settings), Map.of()))) {
            harness.open();
            // At time 0: a full batch (its publication due at 500), then a second full batch whose
            // timer, also at 500, is deleted when it fills.
            for (RankerRecord record : records(8, 12)) {
                harness.processElement1(new StreamRecord<>(record));
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
        try (Harness harness = harness()) {
            harness.open();
            RankerRecord bad = records(1, 5).get(0);
            bad.value =
                    "{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":2,\"reward\":1}"
                            .getBytes();
            RankerRecord unknown = records(1, 6).get(0);
            unknown.policyId = "other";
            harness.processElement1(new StreamRecord<>(bad));
            harness.processElement1(new StreamRecord<>(unknown));
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
        try (Harness harness =
                harness(
                        new LearnRankerFunction(
                                Map.of("shop", SETTINGS),
                                Map.of("shop", RankerSnapshotCodec.encode(nine))))) {
            harness.open();
            for (RankerRecord record : records) {
                harness.processElement1(new StreamRecord<>(record));
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
        try (Harness harness = harness()) {
            harness.open();
            for (RankerRecord record : joined(8, 5)) {
                harness.processElement1(new StreamRecord<>(record));
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
     * A ranker added on the control topic while the job runs: its records before are {@code
     * UNKNOWN_POLICY}, those after are learned exactly as a ranker configured from the start learns
     * them.
     */
    @Test
    void shouldLearnARankerAddedWhileRunning() throws Exception {
        List<RankerRecord> records = records(8, 3);
        try (Harness harness = following(Map.of())) {
            harness.open();
            harness.processElement1(new StreamRecord<>(records.get(0)));
            assertThat(deadLetterReasons(harness)).containsExactly(DeadLetterReason.UNKNOWN_POLICY);
            harness.processElement2(new StreamRecord<>(change(0, SHOP)));
            for (RankerRecord record : records) {
                harness.processElement1(new StreamRecord<>(record));
            }
            harness.setProcessingTime(1);
            List<RankerSnapshot> published = published(harness);
            assertThat(published).hasSize(1);
            assertThat(published.get(0).eventsApplied()).isEqualTo(8);
            assertThat(published.get(0).weights()).containsExactly(reference(records));
            assertThat(deadLetterReasons(harness)).isEmpty();
        }
    }

    /**
     * A change of learning options learns the buffered records under the settings they were
     * buffered with, keeps the weights, and learns on under the new ones; restored from a
     * checkpoint, the change replayed is not applied again.
     */
    @Test
    void shouldLearnTheBufferedRecordsFirstWhenItsOptionsChange() throws Exception {
        List<RankerRecord> records = records(8, 9);
        PolicyDefinition slower = ranker(Map.of("ranker.learning-rate", "0.25", "batch.size", "2"));
        OperatorSubtaskState checkpoint;
        try (Harness harness = following(Map.of("shop", SETTINGS))) {
            harness.open();
            for (RankerRecord record : records.subList(0, 3)) {
                harness.processElement1(new StreamRecord<>(record));
            }
            harness.processElement2(new StreamRecord<>(change(5, slower)));
            checkpoint = harness.snapshot(1, 1);
        }
        try (Harness restored = following(Map.of("shop", SETTINGS))) {
            restored.setup();
            restored.initializeState(checkpoint);
            restored.open();
            restored.processElement2(new StreamRecord<>(change(5, slower)));
            for (RankerRecord record : records.subList(3, 7)) {
                restored.processElement1(new StreamRecord<>(record));
            }
            restored.setProcessingTime(10);
            List<RankerSnapshot> published = published(restored);
            assertThat(published).extracting(RankerSnapshot::eventsApplied).containsExactly(7L);
            // Three learned at 0.5 in one batch, then two batches of two at 0.25.
            Reference reference = new Reference(SPEC, new float[SPEC.weightCount()]);
            for (int i = 0; i < 7; i++) {
                reference.add(records.get(i), true);
                if (i == 2) {
                    reference.learner.update(0.5);
                } else if (i == 4 || i == 6) {
                    reference.learner.update(0.25);
                }
            }
            assertThat(published.get(0).weights()).containsExactly(reference.learner.weights());
        }
    }

    /**
     * A raised candidate limit holds from the change on, also right after the records buffered
     * before it were learned under the old one.
     */
    @Test
    void shouldTakeMoreCandidatesOnceItsLimitIsRaised() throws Exception {
        Map<String, RankerSettings> narrow =
                Map.of(
                        "shop",
                        RESOLVER.resolveRanker(ranker(Map.of("ranker.max-candidates", "4"))));
        List<RankerRecord> crowded = new ArrayList<>();
        for (LoggedRanking ranking : rankings(4, 21, 6)) {
            crowded.add(
                    new RankerRecord(
                            "shop", null, RankingCodec.toJson(ranking), "events", 0, 0, 1L));
        }
        try (Harness harness = following(narrow)) {
            harness.open();
            harness.processElement1(new StreamRecord<>(crowded.get(0)));
            assertThat(deadLetterReasons(harness))
                    .containsExactly(DeadLetterReason.CANDIDATE_COUNT);
            for (RankerRecord record : records(2, 22)) {
                harness.processElement1(new StreamRecord<>(record));
            }
            harness.processElement2(new StreamRecord<>(change(0, SHOP)));
            for (RankerRecord record : crowded) {
                harness.processElement1(new StreamRecord<>(record));
            }
            harness.setProcessingTime(1);
            assertThat(deadLetterReasons(harness)).isEmpty();
            assertThat(published(harness))
                    .extracting(RankerSnapshot::eventsApplied)
                    .containsExactly(6L);
        }
    }

    /**
     * Restored under a definition that refuses records the former one buffered (the job restarted
     * with a lower limit): those go to the dead letters with the reason, and the job goes on.
     */
    @Test
    void shouldDeadLetterBufferedRecordsTheRestoredDefinitionRefuses() throws Exception {
        List<RankerRecord> records = records(6, 19);
        OperatorSubtaskState checkpoint;
        try (Harness harness = following(Map.of("shop", SETTINGS))) {
            harness.open();
            for (RankerRecord record : records.subList(0, 2)) {
                harness.processElement1(new StreamRecord<>(record));
            }
            checkpoint = harness.snapshot(1, 1);
        }
        Map<String, RankerSettings> narrow =
                Map.of(
                        "shop",
                        RESOLVER.resolveRanker(ranker(Map.of("ranker.max-candidates", "2"))));
        try (Harness restored = following(narrow)) {
            restored.setup();
            restored.initializeState(checkpoint);
            restored.open();
            restored.setProcessingTime(600);
            assertThat(deadLetterReasons(restored))
                    .containsExactly(
                            DeadLetterReason.CANDIDATE_COUNT, DeadLetterReason.CANDIDATE_COUNT);
            assertThat(published(restored)).isEmpty();
        }
    }

    /**
     * A change of its hashing (here its interactions) publishes what the old weights learned,
     * buffered records included, then starts again from zero weights, its version carrying on.
     */
    @Test
    void shouldStartAgainFromZeroWhenItsHashingChanges() throws Exception {
        List<RankerRecord> records = records(8, 11);
        PolicyDefinition uncrossed = ranker(Map.of("ranker.interactions", ""));
        RankerSpec uncrossedSpec = new RankerSpec("shop", 10, 0, List.of(), 8, 8);
        try (Harness harness = following(Map.of("shop", SETTINGS))) {
            harness.open();
            for (RankerRecord record : records.subList(0, 6)) {
                harness.processElement1(new StreamRecord<>(record));
            }
            harness.processElement2(new StreamRecord<>(change(1, uncrossed)));
            List<RankerSnapshot> before = published(harness);
            assertThat(before).extracting(RankerSnapshot::version).containsExactly(1L);
            assertThat(before.get(0).eventsApplied()).isEqualTo(6);
            assertThat(before.get(0).spec()).isEqualTo(SPEC);
            for (RankerRecord record : records.subList(6, 8)) {
                harness.processElement1(new StreamRecord<>(record));
            }
            harness.setProcessingTime(600);
            List<RankerSnapshot> after = published(harness);
            assertThat(after).extracting(RankerSnapshot::version).containsExactly(2L);
            assertThat(after.get(0).spec()).isEqualTo(uncrossedSpec);
            assertThat(after.get(0).eventsApplied()).isEqualTo(8);
            // The two records after the change, learned from zero weights (their baseline the
            // running mean reward of all eight).
            Reference reference = new Reference(uncrossedSpec, new float[SPEC.weightCount()]);
            for (int i = 0; i < 8; i++) {
                reference.add(records.get(i), i >= 6);
            }
            reference.learner.update(0.5);
            assertThat(after.get(0).weights()).containsExactly(reference.learner.weights());
        }
    }

    /**
     * Removed, its buffered records are {@code POLICY_REMOVED} and later ones {@code
     * UNKNOWN_POLICY}; added again, it learns from zero weights and its versions carry on above
     * those it published before. A softmax policy's definition of the same id removes it too.
     */
    @Test
    void shouldForgetARemovedRankerButItsVersion() throws Exception {
        List<RankerRecord> records = records(12, 13);
        try (Harness harness = following(Map.of("shop", SETTINGS))) {
            harness.open();
            for (RankerRecord record : records.subList(0, 6)) {
                harness.processElement1(new StreamRecord<>(record));
            }
            harness.setProcessingTime(1);
            assertThat(published(harness)).extracting(RankerSnapshot::version).containsExactly(1L);
            harness.processElement2(new StreamRecord<>(new PolicyChange("shop", 1, null)));
            harness.processElement1(new StreamRecord<>(records.get(6)));
            assertThat(deadLetterReasons(harness))
                    .containsExactly(
                            DeadLetterReason.POLICY_REMOVED,
                            DeadLetterReason.POLICY_REMOVED,
                            DeadLetterReason.UNKNOWN_POLICY);
            harness.processElement2(new StreamRecord<>(change(2, SHOP)));
            for (RankerRecord record : records.subList(8, 12)) {
                harness.processElement1(new StreamRecord<>(record));
            }
            harness.setProcessingTime(2);
            List<RankerSnapshot> again = published(harness);
            assertThat(again).extracting(RankerSnapshot::version).containsExactly(2L);
            assertThat(again.get(0).eventsApplied()).isEqualTo(4);
            assertThat(again.get(0).weights()).containsExactly(reference(records.subList(8, 12)));
            harness.processElement2(
                    new StreamRecord<>(
                            change(
                                    3,
                                    new PolicyDefinition(
                                            "shop",
                                            "shop:4:2",
                                            Map.of(),
                                            PolicyDefinition.Origin.OPERATOR,
                                            null))));
            harness.processElement1(new StreamRecord<>(records.get(7)));
            assertThat(deadLetterReasons(harness)).containsExactly(DeadLetterReason.UNKNOWN_POLICY);
        }
    }

    /**
     * A rollback puts back an earlier version's weights, published at once as the next version, and
     * learning goes on from them; replayed after a restore it is not applied again, and a version
     * of other hashing is refused.
     */
    @Test
    void shouldRollBackToAnEarlierVersionOnce() throws Exception {
        List<RankerRecord> records = records(12, 29);
        OperatorSubtaskState checkpoint;
        RankerSnapshot one;
        PolicyChange rollback;
        try (Harness harness = following(Map.of("shop", SETTINGS))) {
            harness.open();
            for (RankerRecord record : records.subList(0, 4)) {
                harness.processElement1(new StreamRecord<>(record));
            }
            harness.setProcessingTime(1);
            one = published(harness).get(0);
            for (RankerRecord record : records.subList(4, 8)) {
                harness.processElement1(new StreamRecord<>(record));
            }
            harness.setProcessingTime(2);
            assertThat(published(harness)).extracting(RankerSnapshot::version).containsExactly(2L);
            rollback =
                    change(
                            1,
                            SHOP.withRollback(
                                    new PolicyDefinition.Rollback(
                                            "back-1", 1, 2, RankerSnapshotCodec.encode(one))));
            harness.processElement2(new StreamRecord<>(rollback));
            List<RankerSnapshot> rolledBack = published(harness);
            assertThat(rolledBack).extracting(RankerSnapshot::version).containsExactly(3L);
            assertThat(rolledBack.get(0).weights()).containsExactly(one.weights());
            assertThat(rolledBack.get(0).eventsApplied()).isEqualTo(8);
            checkpoint = harness.snapshot(1, 2);
        }
        try (Harness restored = following(Map.of("shop", SETTINGS))) {
            restored.setup();
            restored.initializeState(checkpoint);
            restored.open();
            restored.processElement2(new StreamRecord<>(rollback));
            for (RankerRecord record : records.subList(8, 12)) {
                restored.processElement1(new StreamRecord<>(record));
            }
            restored.setProcessingTime(10);
            List<RankerSnapshot> after = published(restored);
            assertThat(after).extracting(RankerSnapshot::version).containsExactly(4L);
            // Learned on from version 1's weights, the AdaGrad sums from zero, the reward model
            // and the running mean reward as they were.
            Reference reference = new Reference(SPEC, new float[SPEC.weightCount()]);
            for (int i = 0; i < 12; i++) {
                if (i == 8) {
                    reference.restart(one.weights().clone());
                }
                reference.add(records.get(i), true);
                if (reference.learner.pendingEvents() == 4) {
                    reference.learner.update(0.5);
                }
            }
            assertThat(after.get(0).weights()).containsExactly(reference.learner.weights());

            RankerSpec wider = SPEC.withBits(11);
            RankerSnapshot other =
                    new RankerSnapshot(
                            wider, 1, 0, 0, 0, 0L, new double[0], new float[wider.weightCount()]);
            restored.processElement2(
                    new StreamRecord<>(
                            change(
                                    2,
                                    SHOP.withRollback(
                                            new PolicyDefinition.Rollback(
                                                    "back-2",
                                                    1,
                                                    4,
                                                    RankerSnapshotCodec.encode(other))))));
            assertThat(published(restored)).isEmpty();
        }
    }

    /**
     * A definition whose seed is not the one the job's sources hash the ranker's records with is
     * refused: the ranker stays as it was.
     */
    @Test
    void shouldRefuseASeedTheSourcesDoNotHashWith() throws Exception {
        PolicyResolver resolver = RESOLVER.withSourceSeeds(Map.of("shop", 0));
        assertThatThrownBy(() -> resolver.resolveRanker(ranker(Map.of("ranker.seed", "7"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("seed 0")
                .hasMessageContaining("restart");
        assertThat(resolver.resolveRanker(SHOP)).isEqualTo(SETTINGS);
        List<RankerRecord> records = records(4, 17);
        try (Harness harness =
                harness(
                        new LearnRankerFunction(
                                PolicyDirectory.followingRankers(
                                        Map.of("shop", new PolicyDirectory.Policy(SETTINGS, null)),
                                        0,
                                        resolver),
                                KernelChoice.AUTO,
                                Map.of()))) {
            harness.open();
            harness.processElement2(
                    new StreamRecord<>(change(0, ranker(Map.of("ranker.seed", "7")))));
            for (RankerRecord record : records) {
                harness.processElement1(new StreamRecord<>(record));
            }
            harness.setProcessingTime(1);
            assertThat(published(harness).get(0).weights()).containsExactly(reference(records));
            assertThat(deadLetterReasons(harness)).isEmpty();
        }
    }

    /** The job's options under which {@link #SHOP} resolves to {@link #SETTINGS}. */
    private static final PolicyResolver RESOLVER =
            new PolicyResolver(
                    org.apache.flink.configuration.Configuration.fromMap(
                            Map.ofEntries(
                                    Map.entry("ranker.interactions", "user:item"),
                                    Map.entry("ranker.max-candidates", "8"),
                                    Map.entry("ranker.max-features", "8"),
                                    Map.entry("ranker.learning-rate", "0.5"),
                                    Map.entry("batch.size", "4"),
                                    Map.entry("batch.timeout", "500 ms"),
                                    Map.entry("publish.interval", "1 ms"),
                                    Map.entry("importance-weight.cap", "10"),
                                    Map.entry("reward.wait", "1 min"),
                                    Map.entry("estimator", "doubly-robust"),
                                    Map.entry("reward-model.learning-rate", "0.1"),
                                    Map.entry("validation.window", "100000"))),
                    0);

    private static final PolicyDefinition SHOP = ranker(Map.of());

    private static PolicyDefinition ranker(Map<String, String> options) {
        return new PolicyDefinition(
                "shop",
                PolicyDefinition.Kind.RANKER,
                "shop:10",
                options,
                PolicyDefinition.Origin.OPERATOR,
                null);
    }

    private static PolicyChange change(long offset, PolicyDefinition definition) {
        return new PolicyChange(
                definition.policyId(), offset, PolicyControlCodec.encode(definition));
    }

    /** The learner following the control stream from offset 0, {@code start} defined before. */
    private static Harness following(Map<String, RankerSettings> start) throws Exception {
        assertThat(RESOLVER.resolveRanker(SHOP)).isEqualTo(SETTINGS);
        Map<String, PolicyDirectory.Policy> policies = new java.util.HashMap<>();
        start.forEach(
                (id, settings) -> policies.put(id, new PolicyDirectory.Policy(settings, null)));
        return harness(
                new LearnRankerFunction(
                        PolicyDirectory.followingRankers(policies, 0, RESOLVER),
                        KernelChoice.AUTO,
                        Map.of()));
    }

    /** The reasons of the records dead-lettered since last asked. */
    private static List<DeadLetterReason> deadLetterReasons(Harness harness) {
        var letters = harness.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS);
        if (letters == null) {
            return List.of();
        }
        List<DeadLetterReason> reasons =
                letters.stream().map(letter -> letter.getValue().reason).toList();
        letters.clear();
        return reasons;
    }

    /**
     * The weights a plain doubly robust RankerLearner reaches on the same events, batches of four.
     */
    private static float[] reference(List<RankerRecord> records) throws Exception {
        return reference(records, new float[SPEC.weightCount()]);
    }

    private static float[] reference(List<RankerRecord> records, float[] start) throws Exception {
        Reference reference = new Reference(SPEC, start);
        for (RankerRecord record : records) {
            reference.add(record, true);
            if (reference.learner.pendingEvents() == 4) {
                reference.learner.update(0.5);
            }
        }
        return reference.learner.weights();
    }

    /**
     * A plain doubly robust RankerLearner over {@code spec}, each event's baseline the running mean
     * reward of those before it, as the operator learns.
     */
    private static final class Reference {
        final RankerSpec spec;
        RankerLearner learner;
        private double sum;
        private long count;

        Reference(RankerSpec spec, float[] start) {
            this.spec = spec;
            learner =
                    new RankerLearner(
                            spec,
                            start,
                            new float[spec.weightCount()],
                            RewardModel.zeros(spec.weightCount()),
                            0.1,
                            KERNEL);
        }

        /** Goes on from {@code weights}, the AdaGrad sums from zero, the reward model as it is. */
        void restart(float[] weights) {
            learner =
                    new RankerLearner(
                            spec,
                            weights,
                            new float[spec.weightCount()],
                            learner.rewardModel(),
                            0.1,
                            KERNEL);
        }

        /**
         * Counts {@code record}'s reward in the running mean, and learns it where {@code learn}.
         */
        void add(RankerRecord record, boolean learn) throws Exception {
            RankedDecision decision =
                    RankingCodec.decode(record.value, Map.of(spec.id(), spec), false);
            if (learn) {
                learner.accumulate(
                        decision.shared(),
                        decision.candidates(),
                        decision.candidates().length,
                        decision.chosen(),
                        decision.reward() - (count == 0 ? 0 : sum / count),
                        decision.propensity(),
                        10.0);
            }
            sum += decision.reward();
            count++;
        }
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
        return rankings(count, seed, 3);
    }

    private static List<LoggedRanking> rankings(int count, long seed, int offered) {
        Random random = new Random(seed);
        List<LoggedRanking> rankings = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<Candidate> candidates = new ArrayList<>();
            for (int c = 0; c < offered; c++) {
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
                            random.nextInt(offered),
                            random.nextInt(2),
                            1.0 / offered,
                            -1,
                            null,
                            "e-" + seed + "-" + i,
                            1000L + i));
        }
        return rankings;
    }

    private static Harness harness() throws Exception {
        return harness(new LearnRankerFunction(Map.of("shop", SETTINGS), Map.of()));
    }

    private static Harness harness(LearnRankerFunction function) throws Exception {
        return new Harness(function);
    }

    /** The learner in a two-input harness: its records, then the control stream. */
    private static final class Harness
            extends KeyedTwoInputStreamOperatorTestHarness<
                    String, RankerRecord, PolicyChange, PublishedSnapshot> {

        Harness(LearnRankerFunction function) throws Exception {
            super(
                    new KeyedCoProcessOperator<>(function),
                    LearnRankerFunction.KEY,
                    UpdateBaselineFunction.CHANGE_KEY,
                    Types.STRING);
        }
    }

    private static List<RankerSnapshot> published(Harness harness) throws Exception {
        List<RankerSnapshot> snapshots = new ArrayList<>();
        for (PublishedSnapshot published : harness.extractOutputValues()) {
            snapshots.add(RankerSnapshotCodec.decode(published.payload));
        }
        harness.getOutput().clear();
        return snapshots;
    }
}
