package org.flinkreinforce.job;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.flinkreinforce.connectors.event.PolicyChange;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.formats.control.PolicyDefinition;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.event.JsonEventEncoder;
import org.flinkreinforce.formats.snapshot.EventDigest;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.formats.snapshot.PublishedSnapshot;
import org.flinkreinforce.formats.snapshot.SnapshotCodec;
import org.flinkreinforce.formats.snapshot.SnapshotFormatException;
import org.flinkreinforce.model.BatchStatistics;
import org.flinkreinforce.model.EstimatorKind;
import org.flinkreinforce.model.MicroBatch;
import org.flinkreinforce.model.PolicyParameters;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.ReinforceEstimator;
import org.flinkreinforce.model.RewardModel;
import org.flinkreinforce.model.baseline.BaselineKind;
import org.flinkreinforce.model.kernel.GradientKernel;
import org.flinkreinforce.model.kernel.GradientKernels;
import org.flinkreinforce.model.kernel.KernelChoice;
import org.flinkreinforce.model.optim.Optimizer;
import org.flinkreinforce.model.optim.OptimizerState;
import org.flinkreinforce.model.optim.ParameterAverage;
import org.flinkreinforce.model.optim.UpdateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keyed by policy id: buffers events into micro-batches, and per batch computes the REINFORCE
 * gradient with the kernel, applies the optimizer and bumps the version; publishes a snapshot every
 * {@code publish.every-updates} updates or {@code publish.interval}. All learner state is keyed
 * state ({@link LearnerState} plus the buffered events), so a checkpoint restores it exactly.
 *
 * <p>Lifecycle of a policy's state: created on its first event, from the warm-start snapshot when
 * one was read from the parameters topic at start-up (its version keeps increasing from there),
 * else from zeros (the uniform policy). A batch flushes when full or at its deadline (a
 * processing-time timer). A batch whose gradient or update is not finite is rejected whole: the
 * parameters stay, and its events go to the dead-letter output as {@code REJECTED_BATCH}.
 *
 * <p>Policy changes arrive as markers among the events ({@link PolicyEvent#isChange()}), passed on
 * by the baseline operator, and are applied through a {@link PolicyDirectory}. A change of a
 * policy's options first learns its pending batch under the options it was buffered with; a changed
 * spec restarts the parameters from zeros (its pending events, which no longer fit, go to the
 * dead-letter output as {@code POLICY_CHANGED}); a changed optimizer restarts the moments; a
 * removal dead-letters the pending events as {@code POLICY_REMOVED} and clears the state, keeping
 * only the version, so that a policy added again continues above it; a rollback puts back an
 * earlier version's parameters and publishes them at once as the next version. Versions never
 * repeat.
 */
public class LearnPolicyFunction
        extends KeyedProcessFunction<String, PolicyEvent, PublishedSnapshot> {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(LearnPolicyFunction.class);

    public static final KeySelector<PolicyEvent, String> KEY = event -> event.policyId;

    private final PolicyDirectory directory;
    private final KernelChoice kernelChoice;
    private final Map<String, byte[]> warmStart;

    private transient ValueState<LearnerState> learnerState;
    private transient ListState<PolicyEvent> bufferedEvents;
    private transient ValueState<Long> retiredVersion;
    private transient GradientKernel kernel;
    private transient Map<String, PolicyRuntime> runtimes;
    private transient Map<String, PolicyMetrics> metrics;
    private transient Map<String, ParameterSnapshot> warmSnapshots;
    private transient DeadLetterCounters deadLetters;

    /**
     * @param warmStart encoded snapshots by policy id, the newest on the parameters topic when the
     *     job was built; used only for policies without state
     */
    public LearnPolicyFunction(
            Map<String, PolicySettings> policies,
            KernelChoice kernelChoice,
            Map<String, byte[]> warmStart) {
        this(PolicyDirectory.fixed(policies), kernelChoice, warmStart);
    }

    LearnPolicyFunction(
            PolicyDirectory directory, KernelChoice kernelChoice, Map<String, byte[]> warmStart) {
        this.directory = directory;
        this.kernelChoice = kernelChoice;
        this.warmStart = new HashMap<>(warmStart);
    }

    @Override
    public void open(OpenContext openContext) {
        learnerState =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("learner", LearnerState.class));
        bufferedEvents =
                getRuntimeContext()
                        .getListState(
                                new ListStateDescriptor<>("buffered-events", PolicyEvent.class));
        retiredVersion =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("retired-version", Types.LONG));
        directory.open(getRuntimeContext());
        deadLetters = new DeadLetterCounters(getRuntimeContext().getMetricGroup());
        metrics = new HashMap<>();
        kernel = GradientKernels.create(kernelChoice);
        String kernelName = kernel.toString();
        getRuntimeContext().getMetricGroup().gauge("kernel", () -> kernelName);
        runtimes = new HashMap<>();
        warmSnapshots = new HashMap<>();
        TaskInfo task = getRuntimeContext().getTaskInfo();
        warmStart.forEach(
                (id, bytes) -> {
                    // Only the policies whose key this subtask owns; each is dropped once used.
                    if (KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                    id,
                                    task.getMaxNumberOfParallelSubtasks(),
                                    task.getNumberOfParallelSubtasks())
                            != task.getIndexOfThisSubtask()) {
                        return;
                    }
                    try {
                        warmSnapshots.put(id, SnapshotCodec.decode(bytes));
                    } catch (SnapshotFormatException e) {
                        LOG.warn(
                                "Ignoring the warm-start snapshot of policy {}: {}",
                                id,
                                e.getMessage());
                    }
                });
    }

    @Override
    public void processElement(PolicyEvent event, Context context, Collector<PublishedSnapshot> out)
            throws Exception {
        if (event.isChange()) {
            applyChange(event.change, context, out);
            return;
        }
        PolicyRuntime runtime = runtime(event.policyId);
        if (runtime == null) {
            // The baseline operator checked the event against the same definitions, applied in
            // the same order (changes reach this operator as markers among the events), so an
            // event here fits its policy; one of an undefined policy would be a bug, not a crash.
            deadLetters.count(DeadLetterReason.UNKNOWN_POLICY);
            context.output(
                    RouteDeadLettersFunction.DEAD_LETTERS,
                    deadLetter(
                            event,
                            DeadLetterReason.UNKNOWN_POLICY,
                            "Policy "
                                    + event.policyId
                                    + " is not defined when event "
                                    + event.eventId
                                    + " reached the learner."));
            return;
        }
        LearnerState state = current(runtime, context, out);
        bufferedEvents.add(event);
        long now = context.timerService().currentProcessingTime();
        if (state.bufferEvent(now, runtime.settings.batchTimeoutMillis())) {
            context.timerService().registerProcessingTimeTimer(state.getFlushDeadline());
        }
        if (state.getBuffered() >= runtime.settings.batchSize()) {
            flush(runtime, state, now, context, out);
        }
        learnerState.update(state);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<PublishedSnapshot> out)
            throws Exception {
        LearnerState state = learnerState.value();
        if (state == null) {
            return;
        }
        PolicyRuntime runtime = runtime(context.getCurrentKey());
        if (runtime == null) {
            forget(context.getCurrentKey(), state, context);
            return;
        }
        state = current(runtime, context, out);
        long now = context.timerService().currentProcessingTime();
        if (state.isFlushDue(timestamp)) {
            flush(runtime, state, now, context, out);
        }
        if (state.hasUnpublishedVersion()
                && now >= state.nextPublishMillis(runtime.settings.publishIntervalMillis())) {
            publish(runtime, state, now, out);
        }
        learnerState.update(state);
    }

    /** A change of the current policy's definition: see the class comment. */
    private void applyChange(PolicyChange change, Context context, Collector<PublishedSnapshot> out)
            throws Exception {
        PolicyDirectory.Change applied = directory.apply(change);
        if (applied == null) {
            return;
        }
        String policyId = change.policyId;
        PolicyRuntime before = runtimes.remove(policyId);
        if (before == null && applied.before() != null) {
            before = newRuntime(policyId, applied.before());
        }
        LearnerState state = learnerState.value();
        if (applied.after() == null) {
            if (state != null) {
                forget(policyId, state, context);
            }
            LOG.info("Policy {} removed.", policyId);
            return;
        }
        LOG.info(
                "Policy {} {}: {}.",
                policyId,
                applied.before() == null ? "added" : "changed",
                applied.after().settings());
        if (state == null) {
            return;
        }
        long now = context.timerService().currentProcessingTime();
        if (before != null
                && before.settings.spec().equals(applied.after().settings().spec())
                && state.getBuffered() > 0) {
            // Learnt under the options they were buffered with.
            flush(before, state, now, context, out);
            learnerState.update(state);
        }
        state = current(runtime(policyId), context, out);
        learnerState.update(state);
    }

    /**
     * Learns the buffered events, then publishes if an update count or the interval says so, or
     * else sets a timer for when the interval will.
     */
    private void flush(
            PolicyRuntime runtime,
            LearnerState state,
            long now,
            Context context,
            Collector<PublishedSnapshot> out)
            throws Exception {
        List<PolicyEvent> pending = new ArrayList<>(state.drainBuffer());
        for (PolicyEvent event : bufferedEvents.get()) {
            pending.add(event);
        }
        bufferedEvents.clear();
        // More events than one batch holds can be buffered only after batch.size was lowered on
        // a restore; they are learned in consecutive batches.
        int capacity = runtime.batch.capacity();
        for (int start = 0; start < pending.size(); start += capacity) {
            int end = Math.min(pending.size(), start + capacity);
            learn(runtime, state, pending.subList(start, end), context);
        }
        long publishAt = state.nextPublishMillis(runtime.settings.publishIntervalMillis());
        if (state.updatesSincePublish() >= runtime.settings.publishEveryUpdates()
                || now >= publishAt) {
            if (state.hasUnpublishedVersion()) {
                publish(runtime, state, now, out);
            }
        } else if (state.hasUnpublishedVersion()) {
            context.timerService().registerProcessingTimeTimer(publishAt);
        }
    }

    /**
     * Learns one micro-batch of {@code events}: the gradient from the estimator, the step from the
     * optimizer; a rejected step sends each of its events to the dead-letter output.
     */
    private void learn(
            PolicyRuntime runtime, LearnerState state, List<PolicyEvent> events, Context context) {
        MicroBatch batch = runtime.batch;
        batch.clear();
        long digest = 0;
        double stalenessSum = 0;
        int stalenessCount = 0;
        for (PolicyEvent event : events) {
            event.addTo(batch);
            digest += EventDigest.hash(event.eventId);
            if (event.policyVersion >= 0) {
                stalenessSum += state.stalenessOf(event.policyVersion);
                stalenessCount++;
            }
        }
        double meanStaleness = stalenessCount == 0 ? 0 : stalenessSum / stalenessCount;
        PolicySpec spec = runtime.settings.spec();
        runtime.metrics.batches.inc();
        PolicyParameters parameters =
                new PolicyParameters(spec, state.getParameters(), state.getVersion());
        RewardModel rewardModel =
                runtime.settings.estimator().kind() == EstimatorKind.DOUBLY_ROBUST
                        ? state.rewardModel(spec)
                        : null;
        RewardModel baselineModel =
                runtime.settings.baseline().kind() == BaselineKind.LINEAR
                        ? state.baselineModel(spec.features() + 1)
                        : null;
        BatchStatistics statistics =
                runtime.estimator.estimate(
                        parameters,
                        batch,
                        runtime.gradient,
                        state.validationFor(batch.size(), runtime.settings.validationWindow()),
                        rewardModel,
                        baselineModel);
        UpdateResult result =
                state.applyUpdate(
                        runtime.optimizer,
                        runtime.averager,
                        runtime.gradient,
                        batch.size(),
                        digest,
                        statistics,
                        meanStaleness);
        if (result.applied()) {
            // After the batch served the gradient, never before: see ReinforceEstimator.
            if (rewardModel != null) {
                runtime.estimator.fitRewardModel(batch, rewardModel);
            }
            if (baselineModel != null) {
                runtime.estimator.fitBaseline(batch, baselineModel);
            }
            runtime.metrics.updates.inc();
            runtime.metrics.eventsApplied.inc(batch.size());
            runtime.metrics.lastStatistics = statistics;
            runtime.metrics.lastStaleness = meanStaleness;
            runtime.metrics.lastValidation = state.trainingStatistics().validation();
            runtime.metrics.version = state.getVersion();
        } else {
            runtime.metrics.rejectedBatches.inc();
            LOG.warn(
                    "Rejected a batch of {} events of policy {}: {}",
                    batch.size(),
                    spec.id(),
                    result.rejection());
            for (PolicyEvent event : events) {
                context.output(RouteDeadLettersFunction.DEAD_LETTERS, rejected(event, result));
            }
        }
    }

    /**
     * The policy's state, made to fit its settings: a new one on its first event; a restored one
     * continues its versions above the newest published one, restarts from zeros where its spec
     * changed (its buffered events, which no longer fit, go to the dead-letter output as {@link
     * DeadLetterReason#POLICY_CHANGED}), and restarts the optimizer's moments where its kind
     * changed. The version carries on in every case. Then a rollback the definition asks for and
     * the state has not seen is applied and published.
     */
    private LearnerState current(
            PolicyRuntime runtime, Context context, Collector<PublishedSnapshot> out)
            throws Exception {
        PolicySpec spec = runtime.settings.spec();
        LearnerState state = learnerState.value();
        boolean fresh = state == null;
        if (fresh) {
            state = initialState(spec);
        } else if (!warmSnapshots.isEmpty()) {
            continueAbovePublished(spec, state);
        }
        switch (state.changeFor(runtime.layout, spec, runtime.settings.optimizer().kind())) {
            case SPEC -> {
                List<PolicyEvent> pending = takeBuffered(state);
                deadLetter(
                        pending,
                        DeadLetterReason.POLICY_CHANGED,
                        "Policy " + spec.id() + " changed to " + spec + "; event ",
                        " was buffered for its former spec and never applied.",
                        context);
                state.restartShape(new float[spec.parameterCount()], runtime.optimizer.newState());
                LOG.warn(
                        "Policy {} is now {} (was {}): it restarts from zeros after version"
                                + " {}; {} buffered events dead-lettered.",
                        spec.id(),
                        runtime.layout,
                        state.getLayout(),
                        state.getVersion(),
                        pending.size());
            }
            case OPTIMIZER -> {
                state.restartOptimizer(runtime.optimizer.newState());
                LOG.warn(
                        "Policy {} is now {} (was {}): the optimizer's moments restart.",
                        spec.id(),
                        runtime.layout,
                        state.getLayout());
            }
            case NONE -> {}
        }
        state.recordLayout(runtime.layout);
        if (runtime.rollback != null && !state.rolledBack(runtime.rollback.id())) {
            rollBack(runtime, state, fresh, context.timerService().currentProcessingTime(), out);
        }
        return state;
    }

    /**
     * Applies {@code runtime}'s rollback to {@code state} and publishes the result as the next
     * version. A fresh state above the version the rollback was asked at has it already: an earlier
     * run applied and published it, and the warm start read that.
     */
    private void rollBack(
            PolicyRuntime runtime,
            LearnerState state,
            boolean fresh,
            long now,
            Collector<PublishedSnapshot> out) {
        PolicyDefinition.Rollback rollback = runtime.rollback;
        PolicySpec spec = runtime.settings.spec();
        if (fresh && state.getVersion() > rollback.basedOnVersion()) {
            state.setRollbackId(rollback.id());
            return;
        }
        ParameterSnapshot target;
        try {
            target = SnapshotCodec.decode(rollback.snapshot());
        } catch (SnapshotFormatException e) {
            LOG.warn("Policy {}: refused {}: {}", spec.id(), rollback, e.getMessage());
            state.setRollbackId(rollback.id());
            return;
        }
        if (!target.spec().sameShape(spec)) {
            LOG.warn(
                    "Policy {}: refused {}: version {} is a {}, the policy now a {}.",
                    spec.id(),
                    rollback,
                    target.version(),
                    target.spec(),
                    spec);
            state.setRollbackId(rollback.id());
            return;
        }
        state.rollBack(rollback.id(), target.parameters().clone(), runtime.optimizer.newState());
        LOG.warn(
                "Policy {} rolled back to the parameters of version {}, published as version"
                        + " {}.",
                spec.id(),
                target.version(),
                state.getVersion());
        publish(runtime, state, now, out);
    }

    /**
     * Restored from an older checkpoint or savepoint than the newest committed version: versions
     * carry on above it, so that no version number is issued twice.
     */
    private void continueAbovePublished(PolicySpec spec, LearnerState state) {
        ParameterSnapshot published = warmSnapshots.remove(spec.id());
        if (published != null && published.version() > state.getVersion()) {
            LOG.warn(
                    "Policy {} restored at version {}, below the published version {}: its next"
                            + " version is {}.",
                    spec.id(),
                    state.getVersion(),
                    published.version(),
                    published.version() + 1);
            state.continueVersionsAbove(published.version());
        }
    }

    /**
     * A policy removed (while the job runs, or before it restored): its buffered events go to the
     * dead-letter output as {@link DeadLetterReason#POLICY_REMOVED} and its state is cleared but
     * for its version. After a restore its timers are the only way back to its key, so a policy
     * with neither buffered events nor an unpublished version keeps its (small) state until it is
     * defined again.
     */
    private void forget(String policyId, LearnerState state, Context context) throws Exception {
        retiredVersion.update(state.getVersion());
        List<PolicyEvent> pending = takeBuffered(state);
        deadLetter(
                pending,
                DeadLetterReason.POLICY_REMOVED,
                "Policy " + policyId + " is no longer defined; event ",
                " was buffered and never applied.",
                context);
        LOG.warn(
                "Policy {} is no longer defined: dropped its state and dead-lettered its {}"
                        + " buffered events.",
                policyId,
                pending.size());
        learnerState.clear();
    }

    /** Takes the pending micro-batch's events out of the state. */
    private List<PolicyEvent> takeBuffered(LearnerState state) throws Exception {
        List<PolicyEvent> pending = new ArrayList<>(state.drainBuffer());
        for (PolicyEvent event : bufferedEvents.get()) {
            pending.add(event);
        }
        bufferedEvents.clear();
        return pending;
    }

    /** Each of {@code events} to the dead-letter output, its id between the two detail parts. */
    private static void deadLetter(
            List<PolicyEvent> events,
            DeadLetterReason reason,
            String detailBefore,
            String detailAfter,
            Context context) {
        for (PolicyEvent event : events) {
            context.output(
                    RouteDeadLettersFunction.DEAD_LETTERS,
                    deadLetter(event, reason, detailBefore + event.eventId + detailAfter));
        }
    }

    /** The dead letter of an event whose micro-batch the optimizer rejected. */
    private static DeadLetter rejected(PolicyEvent event, UpdateResult result) {
        return deadLetter(
                event,
                DeadLetterReason.REJECTED_BATCH,
                "The micro-batch of event "
                        + event.eventId
                        + " was rejected: "
                        + result.rejection()
                        + ".");
    }

    /** A valid event as a dead letter: no source position, the event re-encoded as JSON. */
    private static DeadLetter deadLetter(
            PolicyEvent event, DeadLetterReason reason, String detail) {
        return new DeadLetter(
                reason,
                detail,
                null,
                -1,
                -1,
                event.timestamp,
                null,
                JsonEventEncoder.encode(event.toLogged()));
    }

    private void publish(
            PolicyRuntime runtime, LearnerState state, long now, Collector<PublishedSnapshot> out) {
        out.collect(
                PublishedSnapshot.of(
                        state.snapshot(runtime.settings.spec(), runtime.averager, now)));
        state.markPublished(now);
        runtime.metrics.published.inc();
    }

    /**
     * A policy's state on its first event: from the warm-start snapshot where there is one (its
     * version keeps increasing from there, its parameters are reused where the shape is the same),
     * else from zeros.
     */
    private LearnerState initialState(PolicySpec spec) throws Exception {
        PolicyRuntime runtime = runtime(spec.id());
        OptimizerState optimizerState = runtime.optimizer.newState();
        ParameterSnapshot snapshot = warmSnapshots.remove(spec.id());
        Long retired = retiredVersion.value();
        LearnerState state;
        if (snapshot == null) {
            state = LearnerState.start(new float[spec.parameterCount()], optimizerState);
        } else if (snapshot.spec().sameShape(spec)) {
            state =
                    LearnerState.continueFrom(
                            snapshot, snapshot.parameters().clone(), optimizerState);
            LOG.info(
                    "Policy {} warm-starts from its published version {}.",
                    spec.id(),
                    snapshot.version());
        } else {
            // Versions only ever increase, also when the shape changed and the parameters cannot
            // be reused.
            state =
                    LearnerState.continueFrom(
                            snapshot, new float[spec.parameterCount()], optimizerState);
            LOG.warn(
                    "Policy {} changed shape from {} to {}: it restarts from zeros at"
                            + " version {}.",
                    spec.id(),
                    snapshot.spec(),
                    spec,
                    snapshot.version());
        }
        if (retired != null && retired > state.getVersion()) {
            // Removed and added again: versions carry on above the ones it had.
            state.continueVersionsAbove(retired);
        }
        retiredVersion.clear();
        runtime.metrics.version = state.getVersion();
        return state;
    }

    /** The current policy's runtime, {@code null} where the policy is not defined. */
    private PolicyRuntime runtime(String policyId) throws Exception {
        PolicyRuntime runtime = runtimes.get(policyId);
        if (runtime == null) {
            PolicyDirectory.Policy policy = directory.policy(policyId);
            if (policy == null) {
                return null;
            }
            runtime = newRuntime(policyId, policy);
            runtimes.put(policyId, runtime);
        }
        return runtime;
    }

    private PolicyRuntime newRuntime(String policyId, PolicyDirectory.Policy policy) {
        PolicyMetrics policyMetrics =
                metrics.computeIfAbsent(
                        policyId,
                        id ->
                                new PolicyMetrics(
                                        getRuntimeContext()
                                                .getMetricGroup()
                                                .addGroup("policy", id)));
        return new PolicyRuntime(policy, kernel, policyMetrics);
    }

    /** Per-policy objects of this task that need not be checkpointed: workspace and metrics. */
    private static final class PolicyRuntime {
        final PolicySettings settings;

        /** The newest rollback the policy's definition asks for, or {@code null}. */
        final PolicyDefinition.Rollback rollback;

        /** {@link LearnerState#layoutOf} these settings, which the state records. */
        final String layout;

        final MicroBatch batch;
        final ReinforceEstimator estimator;
        final Optimizer optimizer;
        final ParameterAverage averager;
        final float[] gradient;
        final PolicyMetrics metrics;

        PolicyRuntime(PolicyDirectory.Policy policy, GradientKernel kernel, PolicyMetrics metrics) {
            this.settings = policy.settings();
            this.rollback = policy.rollback();
            this.metrics = metrics;
            PolicySpec spec = settings.spec();
            this.layout = LearnerState.layoutOf(spec, settings.optimizer().kind());
            this.batch = new MicroBatch(spec, settings.batchSize());
            this.estimator =
                    new ReinforceEstimator(
                            spec, settings.batchSize(), settings.estimator(), kernel);
            this.optimizer = new Optimizer(settings.optimizer(), spec.parameterCount());
            this.averager = new ParameterAverage(settings.average(), spec.parameterCount());
            this.gradient = new float[spec.parameterCount()];
        }
    }
}
