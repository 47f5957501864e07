package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.flinkreinforce.connectors.event.PolicyChange;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.formats.control.PolicyControlCodec;
import org.flinkreinforce.formats.control.PolicyDefinition;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.formats.snapshot.PublishedSnapshot;
import org.flinkreinforce.formats.snapshot.SnapshotCodec;
import org.flinkreinforce.model.kernel.KernelChoice;
import org.junit.jupiter.api.Test;

/**
 * The learner's operators following the policy control stream while they run: policies added,
 * changed, removed and rolled back, each change applied once, a bad one refused.
 */
class PolicyChangesTest {

    private static final Map<String, String> JOB =
            Map.of(
                    "policies", "p:2:3",
                    "batch.size", "4",
                    "batch.timeout", "100 ms",
                    "publish.every-updates", "1",
                    "publish.interval", "1 s");

    private static final LearnerConfig CONFIG = LearnerConfig.fromMap(JOB);

    @Test
    void shouldLearnAPolicyAddedWhileRunningAndDeadLetterItsEarlierEvents() throws Exception {
        try (Learner learner = new Learner()) {
            List<PolicyEvent> early = renamed(LearnPolicyFunctionTest.events("p", 2, 1), "r");
            early.forEach(learner::send);
            assertThat(learner.deadLetters())
                    .extracting(letter -> letter.reason)
                    .containsExactly(
                            DeadLetterReason.UNKNOWN_POLICY, DeadLetterReason.UNKNOWN_POLICY);

            learner.change(5, definition("r", "r:2:3", Map.of("learning-rate", "0.5")));
            List<PolicyEvent> events = renamed(LearnPolicyFunctionTest.events("p", 4, 2), "r");
            events.forEach(learner::send);

            List<ParameterSnapshot> published = learner.published();
            assertThat(published).extracting(ParameterSnapshot::policyId).containsExactly("r");
            PolicySettings settings =
                    CONFIG.resolver()
                            .resolve(definition("r", "r:2:3", Map.of("learning-rate", "0.5")));
            assertThat(settings.optimizer().learningRate()).isEqualTo(0.5);
            assertThat(published.get(0).parameters())
                    .containsExactly(LearnPolicyFunctionTest.reference(settings, events, 4));
        }
    }

    @Test
    void shouldLearnThePendingBatchUnderItsOldOptionsThenTheNewOnes() throws Exception {
        learnThePendingBatchUnderItsOldOptionsThenTheNewOnes(new Learner());
    }

    /** The same with state in RocksDB, which keeps only what is written back to it. */
    @Test
    void shouldKeepThePendingBatchLearnedUnderTheOldOptionsInRocksDb() throws Exception {
        learnThePendingBatchUnderItsOldOptionsThenTheNewOnes(
                new Learner(null, new EmbeddedRocksDBStateBackend()));
    }

    private static void learnThePendingBatchUnderItsOldOptionsThenTheNewOnes(Learner created)
            throws Exception {
        try (Learner learner = created) {
            List<PolicyEvent> events = LearnPolicyFunctionTest.events("p", 6, 3);
            events.subList(0, 2).forEach(learner::send);
            assertThat(learner.published()).isEmpty();

            learner.change(0, definition("p", "p:2:3", Map.of("batch.size", "2")));
            // The two buffered events, learned at once under the settings they were buffered with.
            List<ParameterSnapshot> flushed = learner.published();
            assertThat(flushed).hasSize(1);
            assertThat(flushed.get(0).eventsApplied()).isEqualTo(2);
            assertThat(flushed.get(0).parameters())
                    .containsExactly(
                            LearnPolicyFunctionTest.reference(
                                    CONFIG.policies().get("p"), events.subList(0, 2), 4));

            events.subList(2, 6).forEach(learner::send);
            // Batches of two now.
            assertThat(learner.versions()).containsExactly(2L, 3L);
        }
    }

    @Test
    void shouldRestartFromZerosAtTheNextVersionWhenTheShapeChanges() throws Exception {
        try (Learner learner = new Learner()) {
            LearnPolicyFunctionTest.events("p", 4, 4).forEach(learner::send);
            assertThat(learner.versions()).containsExactly(1L);
            LearnPolicyFunctionTest.events("p", 3, 5).forEach(learner::send);

            learner.change(0, definition("p", "p:2:5", Map.of()));

            assertThat(learner.deadLetters())
                    .extracting(letter -> letter.reason)
                    .containsOnly(DeadLetterReason.POLICY_CHANGED)
                    .hasSize(3);
            // An event of the old spec (action 2 fits both; 2 features fit both): learned as p:2:5.
            List<PolicyEvent> next = LearnPolicyFunctionTest.events("p", 4, 6);
            next.forEach(learner::send);
            List<ParameterSnapshot> published = learner.published();
            assertThat(published).extracting(ParameterSnapshot::version).containsExactly(2L);
            assertThat(published.get(0).spec().toString()).isEqualTo("p:2:5");
            assertThat(published.get(0).parameters()).hasSize(2 * 5 + 5);
        }
    }

    @Test
    void shouldDeadLetterARemovedPolicysEventsAndContinueItsVersionsWhenAddedAgain()
            throws Exception {
        try (Learner learner = new Learner()) {
            LearnPolicyFunctionTest.events("p", 8, 7).forEach(learner::send);
            assertThat(learner.versions()).containsExactly(1L, 2L);
            LearnPolicyFunctionTest.events("p", 2, 8).forEach(learner::send);

            learner.remove(3, "p");
            assertThat(learner.deadLetters())
                    .extracting(letter -> letter.reason)
                    .containsExactly(
                            DeadLetterReason.POLICY_REMOVED, DeadLetterReason.POLICY_REMOVED);
            LearnPolicyFunctionTest.events("p", 1, 9).forEach(learner::send);
            assertThat(learner.deadLetters())
                    .extracting(letter -> letter.reason)
                    .containsExactly(DeadLetterReason.UNKNOWN_POLICY);

            learner.change(4, definition("p", "p:2:3", Map.of()));
            LearnPolicyFunctionTest.events("p", 4, 10).forEach(learner::send);
            assertThat(learner.versions()).containsExactly(3L);
        }
    }

    @Test
    void shouldPublishARolledBackVersionAsTheNextVersionOnce() throws Exception {
        try (Learner learner = new Learner()) {
            LearnPolicyFunctionTest.events("p", 12, 11).forEach(learner::send);
            List<ParameterSnapshot> published = learner.published();
            assertThat(published)
                    .extracting(ParameterSnapshot::version)
                    .containsExactly(1L, 2L, 3L);

            PolicyDefinition rollback =
                    definition("p", "p:2:3", Map.of())
                            .withRollback(
                                    new PolicyDefinition.Rollback(
                                            "r-1", 1, 3, SnapshotCodec.encode(published.get(0))));
            learner.change(1, rollback);
            List<ParameterSnapshot> rolledBack = learner.published();
            assertThat(rolledBack).extracting(ParameterSnapshot::version).containsExactly(4L);
            assertThat(rolledBack.get(0).parameters())
                    .containsExactly(published.get(0).parameters());

            // The same rollback again (a later change that carries it, or a replay) does nothing.
            learner.change(2, rollback.withRollback(rollback.rollback()));
            learner.change(1, rollback);
            assertThat(learner.published()).isEmpty();
            LearnPolicyFunctionTest.events("p", 4, 12).forEach(learner::send);
            assertThat(learner.versions()).containsExactly(5L);
        }
    }

    @Test
    void shouldApplyEachChangeOnceAcrossARestoreAndRefuseABadOne() throws Exception {
        OperatorSubtaskState checkpoint;
        try (Learner learner = new Learner()) {
            learner.change(7, definition("p", "p:2:4", Map.of()));
            LearnPolicyFunctionTest.events("p", 4, 13).forEach(learner::send);
            assertThat(learner.published().get(0).spec().toString()).isEqualTo("p:2:4");
            checkpoint = learner.harness.snapshot(1, 1);
        }
        try (Learner restored = new Learner(checkpoint)) {
            // Replayed after the restore: offsets at or below the one applied are skipped.
            restored.change(6, definition("p", "p:2:3", Map.of()));
            restored.change(7, definition("p", "p:2:3", Map.of()));
            // Refused: an option a policy cannot set, and a spec of another policy.
            restored.change(8, definition("p", "p:2:3", Map.of("events.topic", "x")));
            restored.change(9, definition("p", "z:2:3", Map.of()));
            LearnPolicyFunctionTest.events("p", 4, 14).forEach(restored::send);
            List<ParameterSnapshot> published = restored.published();
            assertThat(published).extracting(ParameterSnapshot::version).containsExactly(2L);
            assertThat(published.get(0).spec().toString()).isEqualTo("p:2:4");
            assertThat(restored.deadLetters()).isEmpty();
        }
    }

    @Test
    void shouldCheckEventsAgainstThePolicyAsItIsNowInTheBaselineOperator() throws Exception {
        try (KeyedTwoInputStreamOperatorTestHarness<String, PolicyEvent, PolicyChange, PolicyEvent>
                baseline =
                        new KeyedTwoInputStreamOperatorTestHarness<>(
                                new KeyedCoProcessOperator<>(
                                        new UpdateBaselineFunction(directory(), 0)),
                                UpdateBaselineFunction.KEY,
                                UpdateBaselineFunction.CHANGE_KEY,
                                Types.STRING)) {
            baseline.open();
            PolicyEvent threeActions = LearnPolicyFunctionTest.events("p", 1, 15).get(0);
            threeActions.actions = new int[] {2};
            baseline.processElement1(new StreamRecord<>(threeActions));
            assertThat(baseline.extractOutputValues()).hasSize(1);

            PolicyEvent noFeatures = LearnPolicyFunctionTest.events("p", 1, 18).get(0);
            noFeatures.features = null;
            baseline.processElement1(new StreamRecord<>(noFeatures));

            baseline.processElement2(
                    new StreamRecord<>(changeOf(0, definition("p", "p:2:2", Map.of()))));
            PolicyEvent outOfRange = LearnPolicyFunctionTest.events("p", 1, 16).get(0);
            outOfRange.actions = new int[] {2};
            baseline.processElement1(new StreamRecord<>(outOfRange));
            baseline.processElement2(new StreamRecord<>(new PolicyChange("p", 1, null)));
            baseline.processElement1(
                    new StreamRecord<>(LearnPolicyFunctionTest.events("p", 1, 17).get(0)));

            // One event, and the two changes passed on to the learner as markers, in order.
            assertThat(baseline.extractOutputValues())
                    .extracting(PolicyEvent::isChange)
                    .containsExactly(false, true, true);
            assertThat(deadLetters(baseline.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS)))
                    .extracting(letter -> letter.reason)
                    .containsExactly(
                            DeadLetterReason.MISSING_FIELD,
                            DeadLetterReason.ACTION_OUT_OF_RANGE,
                            DeadLetterReason.UNKNOWN_POLICY);
            assertThat(baseline.numKeyedStateEntries())
                    .as("the removed policy's baselines are gone; its applied definition stays")
                    .isEqualTo(1);
        }
    }

    private static PolicyDirectory directory() {
        Map<String, PolicyDirectory.Policy> start = new HashMap<>();
        CONFIG.policies()
                .forEach(
                        (id, settings) ->
                                start.put(id, new PolicyDirectory.Policy(settings, null)));
        return PolicyDirectory.following(start, 0, CONFIG.resolver());
    }

    private static PolicyDefinition definition(
            String policyId, String spec, Map<String, String> options) {
        return new PolicyDefinition(
                policyId, spec, options, PolicyDefinition.Origin.OPERATOR, null);
    }

    private static PolicyChange changeOf(long offset, PolicyDefinition definition) {
        return new PolicyChange(
                definition.policyId(), offset, PolicyControlCodec.encode(definition));
    }

    private static List<PolicyEvent> renamed(List<PolicyEvent> events, String policyId) {
        for (PolicyEvent event : events) {
            event.policyId = policyId;
            event.baselineKey = policyId;
        }
        return events;
    }

    private static List<DeadLetter> deadLetters(
            java.util.Collection<StreamRecord<DeadLetter>> records) {
        return records == null
                ? List.of()
                : records.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    /** The learner operator in a harness, with what it published and dead-lettered since asked. */
    private static final class Learner implements AutoCloseable {
        final KeyedOneInputStreamOperatorTestHarness<String, PolicyEvent, PublishedSnapshot>
                harness;

        Learner() throws Exception {
            this(null);
        }

        Learner(OperatorSubtaskState restore) throws Exception {
            this(restore, null);
        }

        Learner(OperatorSubtaskState restore, StateBackend backend) throws Exception {
            harness =
                    new KeyedOneInputStreamOperatorTestHarness<>(
                            new KeyedProcessOperator<>(
                                    new LearnPolicyFunction(
                                            directory(), KernelChoice.AUTO, Map.of())),
                            LearnPolicyFunction.KEY,
                            Types.STRING);
            if (backend != null) {
                harness.setStateBackend(backend);
            }
            harness.setup();
            if (restore != null) {
                harness.initializeState(restore);
            }
            harness.open();
        }

        void send(PolicyEvent event) {
            try {
                harness.processElement(new StreamRecord<>(event));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        void change(long offset, PolicyDefinition definition) throws Exception {
            harness.processElement(
                    new StreamRecord<>(PolicyEvent.marker(changeOf(offset, definition))));
        }

        void remove(long offset, String policyId) throws Exception {
            harness.processElement(
                    new StreamRecord<>(
                            PolicyEvent.marker(new PolicyChange(policyId, offset, null))));
        }

        List<ParameterSnapshot> published() throws Exception {
            List<ParameterSnapshot> snapshots = new ArrayList<>();
            for (PublishedSnapshot published : harness.extractOutputValues()) {
                snapshots.add(SnapshotCodec.decode(published.payload));
            }
            harness.getOutput().clear();
            return snapshots;
        }

        List<Long> versions() throws Exception {
            return published().stream().map(ParameterSnapshot::version).toList();
        }

        List<DeadLetter> deadLetters() {
            List<DeadLetter> letters =
                    PolicyChangesTest.deadLetters(
                            harness.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS));
            if (harness.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS) != null) {
                harness.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS).clear();
            }
            return letters;
        }

        @Override
        public void close() throws Exception {
            harness.close();
        }
    }
}
