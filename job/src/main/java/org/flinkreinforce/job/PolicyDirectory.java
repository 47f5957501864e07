package org.flinkreinforce.job;

import java.io.IOException;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.flinkreinforce.connectors.event.PolicyChange;
import org.flinkreinforce.formats.control.PolicyControlCodec;
import org.flinkreinforce.formats.control.PolicyDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policies of one kind (softmax or ranker) that one keyed operator of the learner follows, by
 * policy id: those defined when the job was built (the control topic as read then), then every
 * change the control stream delivers, applied once each and in control-topic order (by offset; the
 * topic has one partition), and recorded in the operator's keyed state, so that a restore follows
 * the same definitions and a change replayed after a restore is not applied twice. A change that
 * does not resolve (a bad spec or option, over a budget) is refused: logged, counted, and the
 * policy stays as it was. A definition of the other kind leaves the id undefined here (the other
 * kind's operators learn it).
 *
 * <p>Lookups hit a per-task cache; the operator calls {@link #policy} and {@link #apply} with the
 * policy's key current.
 */
final class PolicyDirectory implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(PolicyDirectory.class);

    /**
     * A defined policy: its settings (a softmax policy's, or a ranker's), and the newest rollback
     * its definition asks for.
     */
    record Policy(
            PolicySettings settings, RankerSettings ranker, PolicyDefinition.Rollback rollback)
            implements Serializable {

        /** A softmax policy. */
        Policy(PolicySettings settings, PolicyDefinition.Rollback rollback) {
            this(settings, null, rollback);
        }

        /** A ranker policy. */
        Policy(RankerSettings ranker, PolicyDefinition.Rollback rollback) {
            this(null, ranker, rollback);
        }

        String id() {
            return settings != null ? settings.spec().id() : ranker.spec().id();
        }
    }

    /** What {@link #apply} changed: the policy before and after, {@code null} where undefined. */
    record Change(Policy before, Policy after) {}

    private final PolicyDefinition.Kind kind;
    private final Map<String, Policy> start;
    private final long startOffset;
    private final PolicyResolver resolver;

    private transient ValueState<AppliedDefinition> applied;
    private transient Map<String, Optional<Policy>> cache;
    private transient Counter changesApplied;
    private transient Counter changesRefused;

    /**
     * @param start the policies defined when the job was built
     * @param startOffset the control topic's end offset when {@code start} was read: {@code start}
     *     stands for every record below it
     * @param resolver resolves the definitions that arrive later; {@code null} where none do
     */
    private PolicyDirectory(
            PolicyDefinition.Kind kind,
            Map<String, Policy> start,
            long startOffset,
            PolicyResolver resolver) {
        this.kind = kind;
        this.start = new HashMap<>(start);
        this.startOffset = startOffset;
        this.resolver = resolver;
    }

    /** Policies that never change: no control stream. */
    static PolicyDirectory fixed(Map<String, PolicySettings> policies) {
        Map<String, Policy> start = new HashMap<>();
        policies.forEach((id, settings) -> start.put(id, new Policy(settings, null)));
        return new PolicyDirectory(PolicyDefinition.Kind.SOFTMAX, start, Long.MAX_VALUE, null);
    }

    /** Ranker policies that never change: no control stream. */
    static PolicyDirectory fixedRankers(Map<String, RankerSettings> rankers) {
        Map<String, Policy> start = new HashMap<>();
        rankers.forEach((id, settings) -> start.put(id, new Policy(settings, null)));
        return new PolicyDirectory(PolicyDefinition.Kind.RANKER, start, Long.MAX_VALUE, null);
    }

    /** Softmax policies that follow the control topic from {@code startOffset} on. */
    static PolicyDirectory following(
            Map<String, Policy> start, long startOffset, PolicyResolver resolver) {
        return new PolicyDirectory(PolicyDefinition.Kind.SOFTMAX, start, startOffset, resolver);
    }

    /** Ranker policies that follow the control topic from {@code startOffset} on. */
    static PolicyDirectory followingRankers(
            Map<String, Policy> start, long startOffset, PolicyResolver resolver) {
        return new PolicyDirectory(PolicyDefinition.Kind.RANKER, start, startOffset, resolver);
    }

    /** The descriptor of the keyed state each operator records its applied definitions in. */
    static ValueStateDescriptor<AppliedDefinition> stateDescriptor() {
        return new ValueStateDescriptor<>("policy-definition", Types.POJO(AppliedDefinition.class));
    }

    void open(RuntimeContext context) {
        applied = context.getState(stateDescriptor());
        cache = new HashMap<>();
        changesApplied = context.getMetricGroup().counter("policyChangesApplied");
        changesRefused = context.getMetricGroup().counter("policyChangesRefused");
    }

    /** The policies defined when the job was built. */
    Map<String, Policy> start() {
        return start;
    }

    /** The control topic's offset from which changes are not in {@link #start} yet. */
    long startOffset() {
        return startOffset;
    }

    /** Resolves the definitions that arrive later; {@code null} where the policies are fixed. */
    PolicyResolver resolver() {
        return resolver;
    }

    /** The current key's policy, {@code null} where it is not (or no longer) defined. */
    Policy policy(String policyId) throws IOException {
        Optional<Policy> cached = cache.get(policyId);
        if (cached == null) {
            cached = Optional.ofNullable(load(policyId));
            cache.put(policyId, cached);
        }
        return cached.orElse(null);
    }

    private Policy load(String policyId) throws IOException {
        AppliedDefinition state = resolver == null ? null : applied.value();
        if (state == null || state.offset < startOffset) {
            return start.get(policyId);
        }
        if (state.value == null) {
            return null;
        }
        try {
            return resolve(state.value);
        } catch (IOException | IllegalArgumentException e) {
            LOG.error(
                    "Policy {}'s definition (control topic offset {}) no longer resolves under"
                            + " the job's options, so the policy is not learned: {}",
                    policyId,
                    state.offset,
                    e.getMessage());
            return null;
        }
    }

    /**
     * Applies one control record to its policy, the current key.
     *
     * @return what changed; {@code null} where the record was applied before (a replay after a
     *     restore), is refused, or leaves the policy undefined here as it was (a policy of the
     *     other kind)
     */
    Change apply(PolicyChange change) throws IOException {
        if (resolver == null) {
            changesRefused.inc();
            LOG.warn("Ignored {}: this learner does not follow a control topic.", change);
            return null;
        }
        AppliedDefinition state = applied.value();
        long current = state == null || state.offset < startOffset ? startOffset - 1 : state.offset;
        if (change.offset <= current) {
            return null;
        }
        Policy before = policy(change.policyId);
        Policy after = null;
        if (!change.isRemoval()) {
            try {
                after = resolve(change.value);
                if (after != null && !after.id().equals(change.policyId)) {
                    throw new IllegalArgumentException(
                            "The record's key names policy "
                                    + change.policyId
                                    + ", its definition "
                                    + after.id()
                                    + ".");
                }
            } catch (IOException | IllegalArgumentException e) {
                changesRefused.inc();
                LOG.warn(
                        "Refused the change of policy {} at control topic offset {}; the policy"
                                + " stays as it was: {}",
                        change.policyId,
                        change.offset,
                        e.getMessage());
                return null;
            }
        }
        applied.update(new AppliedDefinition(change.offset, change.value));
        cache.put(change.policyId, Optional.ofNullable(after));
        if (before == null && after == null) {
            // A policy of the other kind, or the removal of one never defined: nothing here.
            return null;
        }
        changesApplied.inc();
        return new Change(before, after);
    }

    /** The policy {@code value} defines; {@code null} where it is of the other kind. */
    private Policy resolve(byte[] value) throws IOException {
        PolicyDefinition definition = PolicyControlCodec.decode(value);
        if (definition.kind() != kind) {
            return null;
        }
        return kind == PolicyDefinition.Kind.RANKER
                ? new Policy(resolver.resolveRanker(definition), definition.rollback())
                : new Policy(resolver.resolve(definition), definition.rollback());
    }
}
