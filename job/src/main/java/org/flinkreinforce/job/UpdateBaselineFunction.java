package org.flinkreinforce.job;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.event.JsonEventEncoder;
import org.flinkreinforce.model.baseline.RunningBaseline;

/**
 * Keyed by policy id, like {@link LearnPolicyFunction}, so the two chain without a shuffle: keeps
 * the running reward baseline of every baseline key of the policy (map state, one entry per key)
 * and stamps each event with its advantage, computed against the baseline <em>before</em> the
 * event's reward is folded in. An advantage that does not fit float32 (astronomic rewards) sends
 * the event to the dead-letter output as {@code NON_FINITE} and leaves the baseline untouched.
 *
 * <p>With {@code baseline.key-ttl} > 0, a key not updated for that long starts over from an empty
 * baseline when it comes back, and is removed from state by a sweep that runs at most every half
 * TTL while the policy receives events: the state holds only the keys seen within about 1.5 TTL.
 */
public class UpdateBaselineFunction extends KeyedProcessFunction<String, PolicyEvent, PolicyEvent> {

    private static final long serialVersionUID = 1L;

    /** The key: the policy id, as {@link LearnPolicyFunction#KEY}. */
    public static final KeySelector<PolicyEvent, String> KEY = event -> event.policyId;

    private final Map<String, PolicySettings> policies;
    private final long keyTtlMillis;
    private transient MapState<String, KeyedBaseline> baselineState;
    private transient Map<String, RunningBaseline> baselines;
    private transient Map<String, Long> nextSweep;
    private transient Counter rejected;
    private transient Counter expired;
    private transient Counter restarted;

    /**
     * @param keyTtlMillis forget a baseline key not updated for this long; 0 keeps every key
     */
    public UpdateBaselineFunction(Map<String, PolicySettings> policies, long keyTtlMillis) {
        if (keyTtlMillis < 0) {
            throw new IllegalArgumentException("The baseline key TTL must not be negative.");
        }
        this.policies = new HashMap<>(policies);
        this.keyTtlMillis = keyTtlMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        baselineState = getRuntimeContext().getMapState(stateDescriptor());
        baselines = new HashMap<>();
        policies.forEach(
                (id, settings) -> baselines.put(id, new RunningBaseline(settings.baseline())));
        nextSweep = new HashMap<>();
        rejected = getRuntimeContext().getMetricGroup().counter("advantagesRejected");
        expired = getRuntimeContext().getMetricGroup().counter("baselineKeysExpired");
        restarted = getRuntimeContext().getMetricGroup().counter("baselineKeysRestarted");
    }

    /** The baselines of one policy, by baseline key. */
    static MapStateDescriptor<String, KeyedBaseline> stateDescriptor() {
        return new MapStateDescriptor<>("baselines", Types.STRING, Types.POJO(KeyedBaseline.class));
    }

    @Override
    public void processElement(PolicyEvent event, Context context, Collector<PolicyEvent> out)
            throws Exception {
        RunningBaseline baseline = baselines.get(event.policyId);
        String kind = baseline.settings().kind().name();
        long now = context.timerService().currentProcessingTime();
        KeyedBaseline state = baselineState.get(event.baselineKey);
        if (state == null) {
            state = new KeyedBaseline();
        } else if (state.kind != null && !state.kind.equals(kind)) {
            // Restored with another kind of baseline: its numbers mean something else.
            state = new KeyedBaseline();
            restarted.inc();
        } else if (expired(state, now)) {
            state = new KeyedBaseline();
            expired.inc();
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
                            JsonEventEncoder.encode(event.toLogged())));
            return;
        }
        baseline.update(state, event.reward);
        state.updatedAtMillis = now;
        state.kind = kind;
        baselineState.put(event.baselineKey, state);
        if (keyTtlMillis > 0) {
            sweepIfDue(event.policyId, now);
        }
        event.advantage = advantage;
        out.collect(event);
    }

    /** Removes the current policy's keys not updated within the TTL, at most every half TTL. */
    private void sweepIfDue(String policyId, long now) throws Exception {
        Long due = nextSweep.get(policyId);
        if (due != null && now < due) {
            return;
        }
        nextSweep.put(policyId, now + Math.max(1, keyTtlMillis / 2));
        Iterator<Map.Entry<String, KeyedBaseline>> entries = baselineState.iterator();
        while (entries.hasNext()) {
            Map.Entry<String, KeyedBaseline> entry = entries.next();
            if (entry.getValue().updatedAtMillis == 0) {
                // Never stamped (first-release state): its TTL starts now.
                entry.getValue().updatedAtMillis = now;
                entry.setValue(entry.getValue());
            } else if (expired(entry.getValue(), now)) {
                entries.remove();
                expired.inc();
            }
        }
    }

    /**
     * Whether {@code state} was last updated more than the TTL before {@code now}. A key that state
     * of the first release stored without a time (0) counts as updated now: enabling the TTL later
     * must not expire every key at once.
     */
    private boolean expired(KeyedBaseline state, long now) {
        return keyTtlMillis > 0
                && state.updatedAtMillis != 0
                && now - state.updatedAtMillis > keyTtlMillis;
    }
}
