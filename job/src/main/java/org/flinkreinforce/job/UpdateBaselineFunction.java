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
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.flinkreinforce.connectors.event.PolicyChange;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.event.EventRejection;
import org.flinkreinforce.formats.event.EventValidator;
import org.flinkreinforce.formats.event.JsonEventEncoder;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.baseline.RunningBaseline;

/**
 * Keyed by policy id, like {@link LearnPolicyFunction}: checks each event against its policy's spec
 * as the policy is defined now (the source decodes without specs, since policies change while the
 * job runs), keeps the running reward baseline of every baseline key of the policy (map state, one
 * entry per key) and stamps each event with its advantage, computed against the baseline
 * <em>before</em> the event's reward is folded in. An event of a policy not (or no longer) defined,
 * or one that does not fit its spec, goes to the dead-letter output with its reason ({@code
 * UNKNOWN_POLICY}, {@code FEATURE_DIMENSION}, ...), re-encoded as JSON so that it can be sent
 * again. An advantage that does not fit float32 (astronomic rewards) sends the event to the
 * dead-letter output as {@code NON_FINITE} and leaves the baseline untouched.
 *
 * <p>The second input is the policy control stream ({@link PolicyDirectory}): a policy removed
 * loses its baselines; one whose baseline kind changed restarts each key's baseline when the key is
 * next seen. Each change applied goes on to the learner as a marker in the stream of events ({@link
 * PolicyEvent#marker}), so that the two operators stay one chain.
 *
 * <p>With {@code baseline.key-ttl} > 0, a key not updated for that long starts over from an empty
 * baseline when it comes back, and is removed from state by a sweep that runs at most every half
 * TTL while the policy receives events: the state holds only the keys seen within about 1.5 TTL.
 */
public class UpdateBaselineFunction
        extends KeyedCoProcessFunction<String, PolicyEvent, PolicyChange, PolicyEvent> {

    private static final long serialVersionUID = 1L;

    /** The key: the policy id, as {@link LearnPolicyFunction#KEY}. */
    public static final KeySelector<PolicyEvent, String> KEY = event -> event.policyId;

    /** The key of the control stream: the policy id. */
    public static final KeySelector<PolicyChange, String> CHANGE_KEY = change -> change.policyId;

    private static final float[] NO_FEATURES = new float[0];

    private final PolicyDirectory directory;
    private final long keyTtlMillis;
    private transient MapState<String, KeyedBaseline> baselineState;
    private transient Map<String, Checked> policies;
    private transient Map<String, Long> nextSweep;
    private transient DeadLetterCounters deadLetters;
    private transient Counter rejected;
    private transient Counter expired;
    private transient Counter restarted;

    /**
     * @param keyTtlMillis forget a baseline key not updated for this long; 0 keeps every key
     */
    public UpdateBaselineFunction(Map<String, PolicySettings> policies, long keyTtlMillis) {
        this(PolicyDirectory.fixed(policies), keyTtlMillis);
    }

    UpdateBaselineFunction(PolicyDirectory directory, long keyTtlMillis) {
        if (keyTtlMillis < 0) {
            throw new IllegalArgumentException("The baseline key TTL must not be negative.");
        }
        this.directory = directory;
        this.keyTtlMillis = keyTtlMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        baselineState = getRuntimeContext().getMapState(stateDescriptor());
        directory.open(getRuntimeContext());
        policies = new HashMap<>();
        nextSweep = new HashMap<>();
        deadLetters = new DeadLetterCounters(getRuntimeContext().getMetricGroup());
        rejected = getRuntimeContext().getMetricGroup().counter("advantagesRejected");
        expired = getRuntimeContext().getMetricGroup().counter("baselineKeysExpired");
        restarted = getRuntimeContext().getMetricGroup().counter("baselineKeysRestarted");
    }

    /** The baselines of one policy, by baseline key. */
    static MapStateDescriptor<String, KeyedBaseline> stateDescriptor() {
        return new MapStateDescriptor<>("baselines", Types.STRING, Types.POJO(KeyedBaseline.class));
    }

    @Override
    public void processElement1(PolicyEvent event, Context context, Collector<PolicyEvent> out)
            throws Exception {
        Checked policy = policies.get(event.policyId);
        if (policy == null) {
            PolicyDirectory.Policy defined = directory.policy(event.policyId);
            if (defined == null) {
                reject(event, EventValidator.unknownPolicy(event.policyId), context);
                return;
            }
            policy = new Checked(defined.settings());
            policies.put(event.policyId, policy);
        }
        try {
            int featureCount = event.features == null ? 0 : event.features.length;
            EventValidator.checkAgainst(
                    policy.spec,
                    event.features != null,
                    featureCount,
                    event.actions,
                    event.actions.length,
                    event.actions.length == 1);
        } catch (EventRejection rejection) {
            reject(event, rejection, context);
            return;
        }
        if (event.features == null) {
            event.features = NO_FEATURES;
        }
        RunningBaseline baseline = policy.baseline;
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
            reject(
                    event,
                    new EventRejection(
                            DeadLetterReason.NON_FINITE,
                            "The advantage "
                                    + advantage
                                    + " of event "
                                    + event.eventId
                                    + " does not fit float32."),
                    context);
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

    /**
     * A change of the current policy's definition: a removed policy's baselines are dropped; any
     * other change takes effect from the next event. An applied change goes on to the learner as a
     * marker among the events.
     */
    @Override
    public void processElement2(PolicyChange change, Context context, Collector<PolicyEvent> out)
            throws Exception {
        PolicyDirectory.Change applied = directory.apply(change);
        if (applied == null) {
            return;
        }
        policies.remove(change.policyId);
        if (applied.after() == null) {
            baselineState.clear();
            nextSweep.remove(change.policyId);
        }
        // On to the learner, among the events: it applies the change between the same events.
        out.collect(PolicyEvent.marker(change));
    }

    private void reject(PolicyEvent event, EventRejection rejection, Context context) {
        deadLetters.count(rejection.reason());
        context.output(
                RouteDeadLettersFunction.DEAD_LETTERS,
                new DeadLetter(
                        rejection.reason(),
                        rejection.getMessage(),
                        null,
                        -1,
                        -1,
                        event.timestamp,
                        null,
                        JsonEventEncoder.encode(event.toLogged())));
    }

    /** A policy's spec, which events are checked against, and its baseline. */
    private static final class Checked {
        final PolicySpec spec;
        final RunningBaseline baseline;

        Checked(PolicySettings settings) {
            spec = settings.spec();
            baseline = new RunningBaseline(settings.baseline());
        }
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
