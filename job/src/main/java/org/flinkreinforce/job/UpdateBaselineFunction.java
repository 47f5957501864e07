package org.flinkreinforce.job;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.flinkreinforce.connectors.deadletter.DeadLetter;
import org.flinkreinforce.connectors.deadletter.DeadLetterReason;
import org.flinkreinforce.connectors.event.JsonEventEncoder;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.model.baseline.BaselineState;
import org.flinkreinforce.model.baseline.RunningBaseline;

/**
 * Keyed by (policy id, baseline key): keeps the running reward baseline of the key and stamps each
 * event with its advantage, computed against the baseline <em>before</em> the event's reward is
 * folded in. An advantage that does not fit float32 (astronomic rewards) sends the event to the
 * dead-letter output as {@code NON_FINITE} and leaves the baseline untouched.
 */
public class UpdateBaselineFunction extends KeyedProcessFunction<String, PolicyEvent, PolicyEvent> {

    private static final long serialVersionUID = 1L;

    /** The key: policy id and baseline key, joined by a separator that ids do not contain. */
    public static final KeySelector<PolicyEvent, String> KEY =
            event -> event.policyId + '\u001f' + event.baselineKey;

    private final Map<String, PolicySettings> policies;
    private transient ValueState<BaselineState> baselineState;
    private transient Map<String, RunningBaseline> baselines;
    private transient Counter rejected;

    public UpdateBaselineFunction(Map<String, PolicySettings> policies) {
        this.policies = new HashMap<>(policies);
    }

    @Override
    public void open(OpenContext openContext) {
        baselineState =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("baseline", BaselineState.class));
        baselines = new HashMap<>();
        policies.forEach(
                (id, settings) -> baselines.put(id, new RunningBaseline(settings.baseline())));
        rejected = getRuntimeContext().getMetricGroup().counter("advantagesRejected");
    }

    @Override
    public void processElement(PolicyEvent event, Context context, Collector<PolicyEvent> out)
            throws Exception {
        RunningBaseline baseline = baselines.get(event.policyId);
        BaselineState state = baselineState.value();
        if (state == null) {
            state = new BaselineState();
        }
        double advantage = baseline.advantage(state, event.reward);
        if (!Float.isFinite((float) advantage)) {
            rejected.inc();
            context.output(
                    RouteDeadLettersFunction.DEAD_LETTERS,
                    new DeadLetter(
                            DeadLetterReason.NON_FINITE,
                            "The advantage "
                                    + advantage
                                    + " of event "
                                    + event.eventId
                                    + " does not fit float32.",
                            null,
                            -1,
                            -1,
                            event.timestamp,
                            null,
                            JsonEventEncoder.encode(event)));
            return;
        }
        baseline.update(state, event.reward);
        baselineState.update(state);
        event.advantage = advantage;
        out.collect(event);
    }
}
