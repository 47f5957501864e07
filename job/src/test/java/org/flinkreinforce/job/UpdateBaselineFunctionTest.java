package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.flinkreinforce.connectors.event.PolicyChange;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.junit.jupiter.api.Test;

class UpdateBaselineFunctionTest {

    private static final Map<String, PolicySettings> POLICIES =
            LearnerConfig.fromMap(Map.of("policies", "p:0:2", "baseline", "mean")).policies();

    @Test
    void shouldUseEachKeysBaselineFromBeforeTheEventAndSurviveARestore() throws Exception {
        OperatorSubtaskState checkpoint;
        try (KeyedTwoInputStreamOperatorTestHarness<String, PolicyEvent, PolicyChange, PolicyEvent>
                harness = harness()) {
            harness.open();
            harness.processElement1(new StreamRecord<>(event("a", 4)));
            harness.processElement1(new StreamRecord<>(event("b", 10)));
            harness.processElement1(new StreamRecord<>(event("a", 6)));
            assertThat(harness.extractOutputValues())
                    .extracting(e -> e.advantage)
                    .containsExactly(4.0, 10.0, 2.0);
            checkpoint = harness.snapshot(1, 1);
        }
        try (KeyedTwoInputStreamOperatorTestHarness<String, PolicyEvent, PolicyChange, PolicyEvent>
                restored = harness()) {
            restored.setup();
            restored.initializeState(checkpoint);
            restored.open();
            restored.processElement1(new StreamRecord<>(event("a", 2)));
            restored.processElement1(new StreamRecord<>(event("b", 7)));
            assertThat(restored.extractOutputValues())
                    .extracting(e -> e.advantage)
                    .containsExactly(2.0 - 5.0, 7.0 - 10.0);
        }
    }

    @Test
    void shouldDeadLetterAnAdvantageThatOverflowsFloat32AndKeepTheBaseline() throws Exception {
        try (KeyedTwoInputStreamOperatorTestHarness<String, PolicyEvent, PolicyChange, PolicyEvent>
                harness = harness()) {
            harness.open();
            harness.processElement1(new StreamRecord<>(event("a", 1e300)));
            harness.processElement1(new StreamRecord<>(event("a", 3)));
            List<PolicyEvent> out = harness.extractOutputValues();
            assertThat(out).extracting(e -> e.advantage).containsExactly(3.0);
            assertThat(harness.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS))
                    .extracting(r -> r.getValue().reason)
                    .containsExactly(DeadLetterReason.NON_FINITE);
        }
    }

    private static PolicyEvent event(String baselineKey, double reward) {
        return new PolicyEvent(
                "p",
                new float[0],
                new int[] {0},
                reward,
                PolicyEvent.ON_POLICY,
                -1,
                baselineKey,
                baselineKey + reward,
                0);
    }

    @Test
    void shouldForgetAKeyNotSeenWithinTheTtlAndDropItFromState() throws Exception {
        try (KeyedTwoInputStreamOperatorTestHarness<String, PolicyEvent, PolicyChange, PolicyEvent>
                harness = harness(1000)) {
            harness.open();
            harness.setProcessingTime(10_000);
            harness.processElement1(new StreamRecord<>(event("old", 10)));
            harness.processElement1(new StreamRecord<>(event("kept", 10)));
            harness.setProcessingTime(10_900);
            harness.processElement1(new StreamRecord<>(event("kept", 20)));
            // "old" was last updated 1500 ms ago: the sweep removes it.
            harness.setProcessingTime(11_500);
            harness.processElement1(new StreamRecord<>(event("kept", 30)));
            assertThat(baselineKeys(harness)).containsExactly("kept");
            // It comes back to an empty baseline; "kept" (updated 600 ms ago) still has its own.
            harness.processElement1(new StreamRecord<>(event("old", 4)));
            harness.processElement1(new StreamRecord<>(event("kept", 35)));
            assertThat(harness.extractOutputValues())
                    .extracting(e -> e.advantage)
                    .containsExactly(10.0, 10.0, 10.0, 15.0, 4.0, 15.0);
            assertThat(baselineKeys(harness)).containsExactlyInAnyOrder("kept", "old");
        }
    }

    @Test
    void shouldStartTheTtlOfKeysStoredWithoutATimeWhenTheTtlIsEnabledLater() throws Exception {
        // Processing time 0: the keys are stored without a time, as the first release did.
        OperatorSubtaskState checkpoint = checkpointAfter(harness(0), event("a", 4));
        try (KeyedTwoInputStreamOperatorTestHarness<String, PolicyEvent, PolicyChange, PolicyEvent>
                restored = restore(harness(1000), checkpoint)) {
            restored.setProcessingTime(100_000);
            restored.processElement1(new StreamRecord<>(event("b", 1)));
            restored.processElement1(new StreamRecord<>(event("a", 6)));
            // a keeps its mean of 4; its TTL runs from now.
            assertThat(restored.extractOutputValues())
                    .extracting(e -> e.advantage)
                    .containsExactly(1.0, 2.0);
            restored.setProcessingTime(101_001);
            restored.processElement1(new StreamRecord<>(event("b", 1)));
            assertThat(baselineKeys(restored)).containsExactly("b");
        }
    }

    @Test
    void shouldRestartAKeysBaselineRestoredUnderAnotherKind() throws Exception {
        OperatorSubtaskState checkpoint = checkpointAfter(harness(0), event("a", 4));
        Map<String, PolicySettings> ema =
                LearnerConfig.fromMap(
                                Map.of(
                                        "policies",
                                        "p:0:2",
                                        "baseline",
                                        "ema",
                                        "baseline.ema-decay",
                                        "0.5"))
                        .policies();
        try (KeyedTwoInputStreamOperatorTestHarness<String, PolicyEvent, PolicyChange, PolicyEvent>
                restored =
                        restore(
                                new KeyedTwoInputStreamOperatorTestHarness<>(
                                        new KeyedCoProcessOperator<>(
                                                new UpdateBaselineFunction(ema, 0)),
                                        UpdateBaselineFunction.KEY,
                                        UpdateBaselineFunction.CHANGE_KEY,
                                        Types.STRING),
                                checkpoint)) {
            restored.processElement1(new StreamRecord<>(event("a", 6)));
            // A fresh EMA baseline (0), not the mean 4 read as an EMA (4 / (1 - 0.5) = 8).
            assertThat(restored.extractOutputValues())
                    .extracting(e -> e.advantage)
                    .containsExactly(6.0);
        }
    }

    private static OperatorSubtaskState checkpointAfter(
            KeyedTwoInputStreamOperatorTestHarness<String, PolicyEvent, PolicyChange, PolicyEvent>
                    harness,
            PolicyEvent event)
            throws Exception {
        try (harness) {
            harness.open();
            harness.processElement1(new StreamRecord<>(event));
            return harness.snapshot(1, 1);
        }
    }

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, PolicyEvent, PolicyChange, PolicyEvent>
            restore(
                    KeyedTwoInputStreamOperatorTestHarness<
                                    String, PolicyEvent, PolicyChange, PolicyEvent>
                            harness,
                    OperatorSubtaskState checkpoint)
                    throws Exception {
        harness.setup();
        harness.initializeState(checkpoint);
        harness.open();
        return harness;
    }

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, PolicyEvent, PolicyChange, PolicyEvent>
            harness() throws Exception {
        return harness(0);
    }

    private static List<String> baselineKeys(
            KeyedTwoInputStreamOperatorTestHarness<String, PolicyEvent, PolicyChange, PolicyEvent>
                    harness)
            throws Exception {
        KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
        backend.setCurrentKey("p");
        List<String> keys = new ArrayList<>();
        backend.getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        UpdateBaselineFunction.stateDescriptor())
                .keys()
                .forEach(keys::add);
        return keys;
    }

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, PolicyEvent, PolicyChange, PolicyEvent>
            harness(long keyTtlMillis) throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(new UpdateBaselineFunction(POLICIES, keyTtlMillis)),
                UpdateBaselineFunction.KEY,
                UpdateBaselineFunction.CHANGE_KEY,
                Types.STRING);
    }
}
