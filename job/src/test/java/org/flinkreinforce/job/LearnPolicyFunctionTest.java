package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.snapshot.EventDigest;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.formats.snapshot.PublishedSnapshot;
import org.flinkreinforce.formats.snapshot.SnapshotCodec;
import org.flinkreinforce.formats.snapshot.TrainingStatistics;
import org.flinkreinforce.formats.snapshot.ValidationStatistics;
import org.flinkreinforce.model.EstimatorKind;
import org.flinkreinforce.model.MicroBatch;
import org.flinkreinforce.model.PolicyParameters;
import org.flinkreinforce.model.ReinforceEstimator;
import org.flinkreinforce.model.RewardModel;
import org.flinkreinforce.model.baseline.BaselineKind;
import org.flinkreinforce.model.kernel.GradientKernels;
import org.flinkreinforce.model.kernel.KernelChoice;
import org.flinkreinforce.model.optim.AverageState;
import org.flinkreinforce.model.optim.Optimizer;
import org.flinkreinforce.model.optim.OptimizerState;
import org.flinkreinforce.model.optim.ParameterAverage;
import org.junit.jupiter.api.Test;

class LearnPolicyFunctionTest {

    private static final Map<String, PolicySettings> POLICIES =
            LearnerConfig.fromMap(
                            Map.of(
                                    "policies", "p:2:3;q:0:2,2",
                                    "batch.size", "4",
                                    "batch.timeout", "100 ms",
                                    "publish.every-updates", "1",
                                    "publish.interval", "1 s"))
                    .policies();

    @Test
    void shouldLearnAFullBatchExactlyAsThePlainJavaReferenceDoes() throws Exception {
        List<PolicyEvent> events = events("p", 4, 1);
        try (KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
                harness = open(POLICIES, Map.of())) {
            for (PolicyEvent event : events) {
                harness.processElement(new StreamRecord<>(event));
            }
            List<ParameterSnapshot> published = published(harness);
            assertThat(published).hasSize(1);
            ParameterSnapshot snapshot = published.get(0);
            assertThat(snapshot.version()).isEqualTo(1);
            assertThat(snapshot.eventsApplied()).isEqualTo(4);
            assertThat(snapshot.updates()).isEqualTo(1);
            assertThat(snapshot.eventDigest()).isEqualTo(digest(events));
            assertThat(snapshot.statistics().batchSize()).isEqualTo(4);
            assertThat(snapshot.parameters()).containsExactly(reference(events, 4));
        }
    }

    @Test
    void shouldValidateEachBatchBeforeLearningFromIt() throws Exception {
        List<PolicyEvent> events = events("p", 4, 3);
        try (KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
                harness = open(POLICIES, Map.of())) {
            for (PolicyEvent event : events) {
                harness.processElement(new StreamRecord<>(event));
            }
            ValidationStatistics validation = published(harness).get(0).statistics().validation();
            // The first batch is scored by the initial, uniform policy: pi = 1/3 for every event,
            // not by the parameters learned from it. The learner holds rewards as float32.
            double ips = 0;
            double logged = 0;
            for (PolicyEvent event : events) {
                double weight = Double.isNaN(event.propensity) ? 1 : (1.0 / 3) / event.propensity;
                ips += weight * event.reward;
                logged += event.reward;
            }
            assertThat(validation.events()).isCloseTo(4, within(1e-9));
            assertThat(validation.ips()).isCloseTo(ips / 4, within(1e-6));
            assertThat(validation.loggedMean()).isCloseTo(logged / 4, within(1e-6));
            assertThat(validation.ipsStandardError()).isPositive().isFinite();
        }
    }

    @Test
    void shouldPublishThePolyakAverageOfTheIteratesAndLearnFromTheLast() throws Exception {
        Map<String, PolicySettings> averaged = policy("doubly-robust", "polyak");
        PolicySettings iterates = policy("doubly-robust", "none").get("p");
        List<PolicyEvent> first = events("p", 4, 5);
        List<PolicyEvent> both = new ArrayList<>(first);
        both.addAll(events("p", 4, 6));
        float[] firstIterate = reference(iterates, first, 4);
        float[] secondIterate = reference(iterates, both, 4);
        try (KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
                harness = open(averaged, Map.of())) {
            for (PolicyEvent event : both) {
                harness.processElement(new StreamRecord<>(event));
            }
            List<ParameterSnapshot> published = published(harness);
            assertThat(published).hasSize(2);
            assertThat(published.get(0).parameters()).containsExactly(firstIterate);
            float[] second = published.get(1).parameters();
            for (int k = 0; k < second.length; k++) {
                assertThat(second[k])
                        .as("parameter %d", k)
                        .isCloseTo((firstIterate[k] + secondIterate[k]) / 2, within(1e-6f));
            }
            assertThat(second).isNotEqualTo(secondIterate);
        }
    }

    @Test
    void shouldLearnDoublyRobustlyExactlyAsThePlainJavaReferenceDoes() throws Exception {
        Map<String, PolicySettings> doublyRobust = policy("doubly-robust", "poly");
        List<PolicyEvent> events = events("p", 12, 8);
        float[] reinforce = reference(policy("reinforce", "poly").get("p"), events, 4);
        try (KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
                harness = open(doublyRobust, Map.of())) {
            for (PolicyEvent event : events) {
                harness.processElement(new StreamRecord<>(event));
            }
            List<ParameterSnapshot> published = published(harness);
            assertThat(published).hasSize(3);
            float[] learned = published.get(2).parameters();
            assertThat(learned).containsExactly(reference(doublyRobust.get("p"), events, 4));
            // The reward model, fitted after each batch, changes what the next ones learn.
            assertThat(learned).isNotEqualTo(reinforce);
        }
    }

    /** Policy p with batches of 4, published after every update, and these settings. */
    private static Map<String, PolicySettings> policy(String estimator, String average) {
        return LearnerConfig.fromMap(
                        Map.of(
                                "policies", "p:2:3",
                                "batch.size", "4",
                                "publish.every-updates", "1",
                                "estimator", estimator,
                                "average", average))
                .policies();
    }

    @Test
    void shouldFlushAPartialBatchAtItsDeadline() throws Exception {
        List<PolicyEvent> events = events("p", 3, 2);
        try (KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
                harness = open(POLICIES, Map.of())) {
            harness.setProcessingTime(1_000);
            for (PolicyEvent event : events) {
                harness.processElement(new StreamRecord<>(event));
            }
            assertThat(published(harness)).isEmpty();
            harness.setProcessingTime(1_099);
            assertThat(published(harness)).isEmpty();
            harness.setProcessingTime(1_100);
            List<ParameterSnapshot> published = published(harness);
            assertThat(published).hasSize(1);
            assertThat(published.get(0).eventsApplied()).isEqualTo(3);
            assertThat(published.get(0).parameters()).containsExactly(reference(events, 4));
        }
    }

    @Test
    void shouldNeitherLoseNorRepeatAnEventWhenRestoredMidBatch() throws Exception {
        List<PolicyEvent> events = events("p", 8, 3);
        OperatorSubtaskState checkpoint;
        try (KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
                harness = open(POLICIES, Map.of())) {
            for (PolicyEvent event : events.subList(0, 6)) {
                harness.processElement(new StreamRecord<>(event));
            }
            assertThat(published(harness))
                    .extracting(ParameterSnapshot::version)
                    .containsExactly(1L);
            checkpoint = harness.snapshot(1, 1);
            // Events after the checkpoint are lost with the task, and replayed by the source.
            harness.processElement(new StreamRecord<>(events.get(6)));
        }
        try (KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
                restored = harness(POLICIES, Map.of())) {
            restored.setup();
            restored.initializeState(checkpoint);
            restored.open();
            restored.processElement(new StreamRecord<>(events.get(6)));
            restored.processElement(new StreamRecord<>(events.get(7)));
            List<ParameterSnapshot> published = published(restored);
            assertThat(published).hasSize(1);
            ParameterSnapshot snapshot = published.get(0);
            assertThat(snapshot.version()).isEqualTo(2);
            assertThat(snapshot.eventsApplied()).isEqualTo(8);
            assertThat(snapshot.eventDigest()).isEqualTo(digest(events));
            assertThat(snapshot.parameters()).containsExactly(reference(events, 4));
        }
    }

    @Test
    void shouldDeadLetterTheBufferedEventsOfARemovedPolicyAndForgetIt() throws Exception {
        // q buffers three events (a batch holds four), then the job restores without q.
        List<PolicyEvent> q = events("q", 3, 9);
        OperatorSubtaskState checkpoint;
        try (KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
                harness = open(POLICIES, Map.of())) {
            harness.setProcessingTime(1_000);
            for (PolicyEvent event : q) {
                harness.processElement(new StreamRecord<>(event));
            }
            checkpoint = harness.snapshot(1, 1);
        }
        Map<String, PolicySettings> onlyP = Map.of("p", POLICIES.get("p"));
        try (KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
                restored = harness(onlyP, Map.of())) {
            restored.setup();
            restored.initializeState(checkpoint);
            restored.open();
            // The restored batch timer fires for a policy that is no longer defined.
            restored.setProcessingTime(2_000);
            List<DeadLetter> letters =
                    restored.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS).stream()
                            .map(StreamRecord::getValue)
                            .collect(Collectors.toList());
            assertThat(letters)
                    .extracting(letter -> letter.reason)
                    .containsOnly(DeadLetterReason.POLICY_REMOVED)
                    .hasSize(3);
            assertThat(letters.get(0).detail).contains("Policy q is no longer defined");
            assertThat(published(restored)).isEmpty();
            // Only q's version is kept, so that q added again continues above it.
            assertThat(restored.numKeyedStateEntries()).isEqualTo(1);
            // p still learns.
            for (PolicyEvent event : events("p", 4, 10)) {
                restored.processElement(new StreamRecord<>(event));
            }
            assertThat(published(restored))
                    .extracting(ParameterSnapshot::policyId)
                    .containsOnly("p");
        }
    }

    @Test
    void shouldRestartFromZerosWhenRestoredWithAnotherSpecOfTheSameParameterCount()
            throws Exception {
        // q:0:2,2 and q:0:4 both have four parameters: the state must not be reinterpreted.
        OperatorSubtaskState checkpoint = learnedThenBuffered("q", events("q", 7, 11));
        Map<String, PolicySettings> reshaped =
                LearnerConfig.fromMap(
                                Map.of(
                                        "policies", "q:0:4",
                                        "batch.size", "4",
                                        "batch.timeout", "100 ms",
                                        "publish.every-updates", "1",
                                        "publish.interval", "1 s"))
                        .policies();
        try (KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
                restored = restore(reshaped, checkpoint)) {
            List<PolicyEvent> next = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                PolicyEvent event = events("q", 4, 12).get(k);
                event.actions = new int[] {k};
                next.add(event);
            }
            for (PolicyEvent event : next) {
                restored.processElement(new StreamRecord<>(event));
            }
            // The three events buffered for q:0:2,2 no longer fit.
            assertThat(
                            restored.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS).stream()
                                    .map(record -> record.getValue().reason))
                    .containsExactly(
                            DeadLetterReason.POLICY_CHANGED,
                            DeadLetterReason.POLICY_CHANGED,
                            DeadLetterReason.POLICY_CHANGED);
            ParameterSnapshot snapshot = published(restored).get(0);
            assertThat(snapshot.spec().toString()).isEqualTo("q:0:4");
            // Versions carry on; the parameters are one update from zeros, not from q:0:2,2's.
            assertThat(snapshot.version()).isEqualTo(2);
            try (KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
                    fresh = open(reshaped, Map.of())) {
                for (PolicyEvent event : next) {
                    fresh.processElement(new StreamRecord<>(event));
                }
                assertThat(snapshot.parameters())
                        .containsExactly(published(fresh).get(0).parameters());
            }
        }
    }

    @Test
    void shouldRestartTheMomentsWhenRestoredWithAnotherOptimizer() throws Exception {
        for (String[] change : new String[][] {{"sgd", "adam"}, {"adam", "sgd"}}) {
            OperatorSubtaskState checkpoint =
                    learnedThenBuffered("p", events("p", 7, 13), withOptimizer(change[0]));
            try (KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
                    restored = restore(withOptimizer(change[1]), checkpoint)) {
                restored.processElement(new StreamRecord<>(events("p", 1, 14).get(0)));
                ParameterSnapshot snapshot = published(restored).get(0);
                assertThat(snapshot.version()).as("%s to %s", change[0], change[1]).isEqualTo(2);
                assertThat(snapshot.eventsApplied()).isEqualTo(8);
                for (float value : snapshot.parameters()) {
                    assertThat(Float.isFinite(value)).isTrue();
                }
            }
        }
    }

    private static Map<String, PolicySettings> withOptimizer(String optimizer) {
        return LearnerConfig.fromMap(
                        Map.of(
                                "policies", "p:2:3",
                                "optimizer", optimizer,
                                "batch.size", "4",
                                "publish.every-updates", "1"))
                .policies();
    }

    /** A checkpoint after the first four of {@code events} were learned and three buffered. */
    private static OperatorSubtaskState learnedThenBuffered(String policy, List<PolicyEvent> events)
            throws Exception {
        return learnedThenBuffered(policy, events, POLICIES);
    }

    private static OperatorSubtaskState learnedThenBuffered(
            String policy, List<PolicyEvent> events, Map<String, PolicySettings> policies)
            throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
                harness = open(policies, Map.of())) {
            for (PolicyEvent event : events) {
                harness.processElement(new StreamRecord<>(event));
            }
            assertThat(published(harness))
                    .extracting(ParameterSnapshot::policyId)
                    .containsOnly(policy);
            return harness.snapshot(1, 1);
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
            restore(Map<String, PolicySettings> policies, OperatorSubtaskState checkpoint)
                    throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot> restored =
                harness(policies, Map.of());
        restored.setup();
        restored.initializeState(checkpoint);
        restored.open();
        return restored;
    }

    @Test
    void shouldIssueVersionsAboveTheNewestPublishedOneWhenRestoredFromAnOlderSavepoint()
            throws Exception {
        // A savepoint at version 1, while versions up to 9 were published since.
        OperatorSubtaskState savepoint = learnedThenBuffered("p", events("p", 4, 15));
        ParameterSnapshot newest =
                new ParameterSnapshot(
                        POLICIES.get("p").spec(),
                        9,
                        0,
                        36,
                        9,
                        new float[POLICIES.get("p").spec().parameterCount()],
                        TrainingStatistics.NONE,
                        0L);
        try (KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
                restored = harness(POLICIES, Map.of("p", SnapshotCodec.encode(newest)))) {
            restored.setup();
            restored.initializeState(savepoint);
            restored.open();
            List<PolicyEvent> next = events("p", 4, 16);
            for (PolicyEvent event : next) {
                restored.processElement(new StreamRecord<>(event));
            }
            ParameterSnapshot snapshot = published(restored).get(0);
            assertThat(snapshot.version()).isEqualTo(10);
            // Learned from the savepoint's state: its 4 events and these 4, not the newer ones.
            assertThat(snapshot.eventsApplied()).isEqualTo(8);
        }
    }

    @Test
    void shouldWarmStartFromThePublishedSnapshotAndKeepIncreasingTheVersion() throws Exception {
        float[] parameters = new float[POLICIES.get("p").spec().parameterCount()];
        parameters[0] = 0.5f;
        ParameterSnapshot previous =
                new ParameterSnapshot(
                        POLICIES.get("p").spec(),
                        41,
                        0,
                        400,
                        41,
                        parameters,
                        TrainingStatistics.NONE,
                        12345L);
        List<PolicyEvent> events = events("p", 4, 4);
        try (KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
                harness = open(POLICIES, Map.of("p", SnapshotCodec.encode(previous)))) {
            for (PolicyEvent event : events) {
                harness.processElement(new StreamRecord<>(event));
            }
            ParameterSnapshot snapshot = published(harness).get(0);
            assertThat(snapshot.version()).isEqualTo(42);
            assertThat(snapshot.eventsApplied()).isEqualTo(404);
            assertThat(snapshot.eventDigest()).isEqualTo(12345L + digest(events));
            assertThat(snapshot.parameters()[0])
                    .isNotEqualTo(0f)
                    .isCloseTo(0.5f, org.assertj.core.api.Assertions.within(0.2f));
        }
    }

    @Test
    void shouldRejectABatchWhoseGradientOverflowsAndDeadLetterItsEvents() throws Exception {
        List<PolicyEvent> events = events("p", 4, 5);
        for (PolicyEvent event : events) {
            event.features = new float[] {3e38f, -3e38f};
            event.advantage = 1e30;
        }
        try (KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
                harness = open(POLICIES, Map.of())) {
            for (PolicyEvent event : events) {
                harness.processElement(new StreamRecord<>(event));
            }
            assertThat(published(harness)).isEmpty();
            List<DeadLetter> letters =
                    harness.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS).stream()
                            .map(StreamRecord::getValue)
                            .collect(Collectors.toList());
            assertThat(letters).hasSize(4);
            assertThat(letters).allMatch(l -> l.reason == DeadLetterReason.REJECTED_BATCH);
            // The next good batch starts from the untouched parameters at version 0.
            List<PolicyEvent> good = events("p", 4, 6);
            for (PolicyEvent event : good) {
                harness.processElement(new StreamRecord<>(event));
            }
            ParameterSnapshot snapshot = published(harness).get(0);
            assertThat(snapshot.version()).isEqualTo(1);
            assertThat(snapshot.eventsApplied()).isEqualTo(4);
            assertThat(snapshot.statistics().rejectedBatches()).isEqualTo(1);
            assertThat(snapshot.parameters()).containsExactly(reference(good, 4));
        }
    }

    @Test
    void shouldKeepPoliciesApart() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
                harness = open(POLICIES, Map.of())) {
            List<PolicyEvent> p = events("p", 4, 7);
            List<PolicyEvent> q = events("q", 4, 8);
            for (int k = 0; k < 4; k++) {
                harness.processElement(new StreamRecord<>(p.get(k)));
                harness.processElement(new StreamRecord<>(q.get(k)));
            }
            assertThat(published(harness))
                    .extracting(
                            ParameterSnapshot::policyId,
                            ParameterSnapshot::version,
                            ParameterSnapshot::eventsApplied)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("p", 1L, 4L),
                            org.assertj.core.groups.Tuple.tuple("q", 1L, 4L));
        }
    }

    @Test
    void shouldStayFiniteAndSayWhatHappenedUnderNumericalStress() throws Exception {
        // All-zero rewards: a finite gradient, the reward model's term of the values it learned
        // from the first batch (REINFORCE's would be zero).
        ParameterSnapshot zero =
                learnOneBatch(
                        e -> {
                            e.reward = 0;
                            e.advantage = 0;
                        });
        assertThat(zero.statistics().gradientNorm()).isFinite();
        assertThat(zero.statistics().meanReward()).isZero();
        assertFinite(zero);

        // Rewards of +-1e30 and features of +-1e6: a huge but finite gradient, clipped.
        ParameterSnapshot huge =
                learnOneBatch(
                        e -> {
                            e.advantage = e.advantage > 0 ? 1e30 : -1e30;
                            e.reward = e.advantage;
                            for (int j = 0; j < e.features.length; j++) {
                                e.features[j] = e.features[j] > 0 ? 1e6f : -1e6f;
                            }
                        });
        assertThat(huge.statistics().gradientNorm()).isGreaterThan(1e30).isFinite();
        assertFinite(huge);

        // Propensities of 1e-12: importance weights of ~1e11, capped and counted.
        ParameterSnapshot tiny = learnOneBatch(e -> e.propensity = 1e-12f);
        assertThat(tiny.statistics().maxImportanceWeight()).isGreaterThan(1e9).isFinite();
        assertThat(tiny.statistics().cappedWeights()).isEqualTo(4);
        assertThat(tiny.statistics().meanImportanceWeight())
                .isEqualTo(POLICIES.get("p").estimator().importanceWeightCap());
        assertThat(tiny.statistics().effectiveSampleSize()).isEqualTo(4.0, within(1e-9));
        assertFinite(tiny);

        // Saturated logits from huge features on the learned weights: probabilities of 0 and 1.
        ParameterSnapshot saturated =
                learnOneBatch(
                        e -> {
                            for (int j = 0; j < e.features.length; j++) {
                                e.features[j] *= 1e5f;
                            }
                        });
        assertFinite(saturated);
        assertThat(saturated.statistics().meanEntropy()).isFinite().isGreaterThanOrEqualTo(0);
    }

    private static ParameterSnapshot learnOneBatch(java.util.function.Consumer<PolicyEvent> stress)
            throws Exception {
        List<PolicyEvent> events = events("p", 4, 9);
        events.forEach(stress);
        try (KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
                harness = open(POLICIES, Map.of())) {
            // A first ordinary batch gives the policy non-zero weights to saturate.
            for (PolicyEvent event : events("p", 4, 10)) {
                harness.processElement(new StreamRecord<>(event));
            }
            published(harness);
            for (PolicyEvent event : events) {
                harness.processElement(new StreamRecord<>(event));
            }
            List<ParameterSnapshot> snapshots = published(harness);
            assertThat(snapshots).as("the stressed batch was applied").hasSize(1);
            assertThat(harness.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS)).isNull();
            return snapshots.get(0);
        }
    }

    private static void assertFinite(ParameterSnapshot snapshot) {
        for (float value : snapshot.parameters()) {
            assertThat(Float.isFinite(value)).isTrue();
        }
        for (double value : snapshot.statistics().toArray()) {
            assertThat(Double.isFinite(value)).isTrue();
        }
    }

    /** Events of a policy with random features, actions, advantages and propensities. */
    static List<PolicyEvent> events(String policyId, int count, long seed) {
        PolicySettings settings = POLICIES.get(policyId);
        Random random = new Random(seed);
        List<PolicyEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] x = new float[settings.spec().features()];
            for (int j = 0; j < x.length; j++) {
                x[j] = (float) random.nextGaussian();
            }
            int[] actions = new int[settings.spec().headCount()];
            for (int h = 0; h < actions.length; h++) {
                actions[h] = random.nextInt(settings.spec().actions(h));
            }
            PolicyEvent event =
                    new PolicyEvent(
                            policyId,
                            x,
                            actions,
                            random.nextGaussian(),
                            i % 2 == 0 ? PolicyEvent.ON_POLICY : 0.3f,
                            i,
                            policyId,
                            policyId + "-" + seed + "-" + i,
                            1000L + i);
            event.advantage = random.nextGaussian();
            events.add(event);
        }
        return events;
    }

    /**
     * The parameters after learning {@code events} in batches of {@code batchSize}, in plain Java.
     */
    static float[] reference(List<PolicyEvent> events, int batchSize) {
        return reference(POLICIES.get(events.get(0).policyId), events, batchSize);
    }

    /**
     * The parameters a learner with {@code settings} publishes after learning {@code events} in
     * batches of {@code batchSize}, in plain Java: the estimate (with its reward model, fitted
     * after each batch, for doubly robust), the optimizer's step and the average it publishes.
     */
    static float[] reference(PolicySettings settings, List<PolicyEvent> events, int batchSize) {
        PolicyParameters parameters = PolicyParameters.zeros(settings.spec());
        ReinforceEstimator estimator =
                new ReinforceEstimator(
                        settings.spec(),
                        batchSize,
                        settings.estimator(),
                        GradientKernels.create(KernelChoice.AUTO));
        RewardModel rewardModel =
                settings.estimator().kind() == EstimatorKind.DOUBLY_ROBUST
                        ? RewardModel.zeros(settings.spec())
                        : null;
        RewardModel baselineModel =
                settings.baseline().kind() == BaselineKind.LINEAR
                        ? RewardModel.zeros(settings.spec().features() + 1)
                        : null;
        Optimizer optimizer = new Optimizer(settings.optimizer(), settings.spec().parameterCount());
        OptimizerState state = optimizer.newState();
        ParameterAverage averager =
                new ParameterAverage(settings.average(), settings.spec().parameterCount());
        AverageState average = averager.newState();
        MicroBatch batch = new MicroBatch(settings.spec(), batchSize);
        float[] gradient = new float[settings.spec().parameterCount()];
        for (int start = 0; start < events.size(); start += batchSize) {
            batch.clear();
            for (PolicyEvent event :
                    events.subList(start, Math.min(events.size(), start + batchSize))) {
                event.addTo(batch);
            }
            estimator.estimate(parameters, batch, gradient, null, rewardModel, baselineModel);
            optimizer.ascend(parameters.values(), gradient, state);
            averager.observe(parameters.values(), state.steps, average);
            if (rewardModel != null) {
                estimator.fitRewardModel(batch, rewardModel);
            }
            if (baselineModel != null) {
                estimator.fitBaseline(batch, baselineModel);
            }
        }
        float[] published = new float[parameters.values().length];
        averager.publish(parameters.values(), average, published);
        return published;
    }

    static long digest(List<PolicyEvent> events) {
        return EventDigest.of(events.stream().map(e -> e.eventId).collect(Collectors.toList()));
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
            harness(Map<String, PolicySettings> policies, Map<String, byte[]> warmStart)
                    throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        new LearnPolicyFunction(policies, KernelChoice.AUTO, warmStart)),
                LearnPolicyFunction.KEY,
                Types.STRING);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
            open(Map<String, PolicySettings> policies, Map<String, byte[]> warmStart)
                    throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot> harness =
                harness(policies, warmStart);
        harness.open();
        return harness;
    }

    /** Decodes and drains what the harness published so far. */
    private static List<ParameterSnapshot> published(
            KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot> harness)
            throws Exception {
        List<ParameterSnapshot> snapshots = new ArrayList<>();
        for (PublishedSnapshot published : harness.extractOutputValues()) {
            snapshots.add(SnapshotCodec.decode(published.payload));
        }
        harness.getOutput().clear();
        return snapshots;
    }
}
