package org.flinkreinforce.job;

import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.formats.snapshot.TrainingStatistics;
import org.flinkreinforce.formats.snapshot.ValidationStatistics;
import org.flinkreinforce.model.BatchStatistics;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.RewardModel;
import org.flinkreinforce.model.evaluation.ProgressiveValidation;
import org.flinkreinforce.model.optim.AverageState;
import org.flinkreinforce.model.optim.Optimizer;
import org.flinkreinforce.model.optim.OptimizerKind;
import org.flinkreinforce.model.optim.OptimizerState;
import org.flinkreinforce.model.optim.ParameterAverage;
import org.flinkreinforce.model.optim.UpdateResult;

/**
 * The keyed state of one policy's learner, a Flink POJO checkpointed as a whole. Together with the
 * buffered events (a separate list state) it is everything needed to continue exactly where a
 * checkpoint left off.
 *
 * <p>Lifecycle: {@link #start} (from zeros) or {@link #continueFrom} (a published snapshot) makes
 * it; each event is counted into the pending micro-batch ({@link #bufferEvent}) until the batch is
 * taken ({@link #drainBuffer}) and learned ({@link #applyUpdate}); a snapshot of it is published
 * ({@link #snapshot}, then {@link #markPublished}) every few updates or after an interval.
 *
 * <p>Savepoints record the serializer's layout: the class name and every field's name and type.
 * They must stay as they are ({@code StateLayoutTest} pins them); the public getters and setters
 * exist for Flink's POJO serializer, the learner changes the state through the other methods.
 */
public class LearnerState {

    /** The flat parameter vector. */
    private float[] parameters;

    /** SGD velocity or Adam's first moment. */
    private float[] firstMoment;

    /** Adam's second moment (empty for SGD). */
    private float[] secondMoment;

    private long optimizerSteps;

    /** The parameter version: +1 per applied update, continuing from a warm start. */
    private long version;

    private long eventsApplied;
    private long updates;

    /** {@code EventDigest} of every applied event. */
    private long eventDigest;

    private long rejectedBatches;
    private long eventsRejected;

    /** The latest version published; -1 before the first. */
    private long publishedVersion = -1;

    private long updatesAtPublish;
    private long lastPublishMillis;

    /** Events in the pending micro-batch, and the processing time it must be flushed by. */
    private int buffered;

    private long flushDeadline;

    /**
     * The latest batch's {@link TrainingStatistics}, in component order; null before any. Stored as
     * the array (not the record) because savepoints hold it so; {@link #trainingStatistics()} is
     * the typed view.
     */
    private double[] statistics;

    /**
     * Progressive validation over recent events; null in state of the first release, which starts a
     * new one.
     */
    private ProgressiveValidation validation;

    /**
     * The average of the iterates that is published; null in state of the first release, and
     * started anew where the settings changed how it is kept.
     */
    private AverageState average;

    /**
     * The doubly robust estimator's reward model; null for REINFORCE and in state of the first
     * release, and started from zeros where the policy's layout no longer fits it.
     */
    private RewardModel rewardModel;

    /** The linear baseline's {@code d + 1} weights, where {@code baseline = linear}; else null. */
    private RewardModel baselineModel;

    /**
     * The policy's spec and optimizer kind this state was built with, e.g. {@code recs:32:10 ADAM};
     * null in state of the first release, where the lengths of the parameters and of the moments
     * stand in for it.
     */
    private String layout;

    /** The id of the last rollback applied (or found applied by an earlier run); may be null. */
    private String rollbackId;

    /** What a restored state needs changed to fit the policy's settings. */
    enum Change {
        NONE,
        /** The optimizer kind changed: its moments restart. */
        OPTIMIZER,
        /** The spec changed: the parameters and everything shaped by them restart from zeros. */
        SPEC
    }

    /** For Flink's POJO serializer; the learner uses {@link #start} or {@link #continueFrom}. */
    public LearnerState() {}

    /** A policy's first state: {@code parameters} and zero counters, nothing published yet. */
    static LearnerState start(float[] parameters, OptimizerState optimizer) {
        LearnerState state = new LearnerState();
        state.parameters = parameters;
        state.firstMoment = optimizer.first;
        state.secondMoment = optimizer.second;
        return state;
    }

    /**
     * A policy's first state after a warm start: the counters of {@code published}, which counts as
     * already published, so versions keep increasing from it; {@code parameters} are its parameters
     * where the shape allowed reusing them, else zeros.
     */
    static LearnerState continueFrom(
            ParameterSnapshot published, float[] parameters, OptimizerState optimizer) {
        LearnerState state = start(parameters, optimizer);
        state.version = published.version();
        state.publishedVersion = published.version();
        state.eventsApplied = published.eventsApplied();
        state.updates = published.updates();
        state.updatesAtPublish = published.updates();
        state.eventDigest = published.eventDigest();
        return state;
    }

    /** {@code spec} and {@code optimizer} as {@link #layout} records them. */
    static String layoutOf(PolicySpec spec, OptimizerKind optimizer) {
        return spec + " " + optimizer;
    }

    /**
     * What this state needs changed to learn {@code spec} with {@code optimizer}, whose layout is
     * {@code expected} ({@link #layoutOf}; the same layout costs one comparison). A state of the
     * first release records no layout: a parameter count other than the spec's counts as a new
     * spec, moments of the other optimizer's lengths as a new optimizer.
     */
    Change changeFor(String expected, PolicySpec spec, OptimizerKind optimizer) {
        if (expected.equals(layout)) {
            return Change.NONE;
        }
        if (layout != null) {
            String recorded = layout.substring(0, layout.lastIndexOf(' '));
            if (!recorded.equals(spec.toString())) {
                return Change.SPEC;
            }
            return layout.equals(layoutOf(spec, optimizer)) ? Change.NONE : Change.OPTIMIZER;
        }
        if (parameters.length != spec.parameterCount()) {
            return Change.SPEC;
        }
        boolean adamMoments = secondMoment != null && secondMoment.length == parameters.length;
        return adamMoments == (optimizer == OptimizerKind.ADAM) ? Change.NONE : Change.OPTIMIZER;
    }

    /** Restarts the optimizer's moments and step count, and the average of its iterates. */
    void restartOptimizer(OptimizerState fresh) {
        firstMoment = fresh.first;
        secondMoment = fresh.second;
        optimizerSteps = 0;
        average = null;
    }

    /**
     * Restarts from {@code parameters} (zeros of a new spec) with a fresh optimizer: the reward
     * model, the linear baseline, the validation and the pending batch go too. The version and the
     * counters of applied events carry on.
     */
    void restartShape(float[] parameters, OptimizerState fresh) {
        this.parameters = parameters;
        restartOptimizer(fresh);
        rewardModel = null;
        baselineModel = null;
        validation = null;
        statistics = null;
        buffered = 0;
    }

    /**
     * Makes {@code published}, a version already committed to the parameters topic, this state's
     * version, counted as published: the next update is {@code published + 1}. For a state restored
     * from behind the newest committed version; parameters and counters stay as restored.
     */
    void continueVersionsAbove(long published) {
        version = published;
        publishedVersion = published;
        updatesAtPublish = updates;
    }

    /**
     * Puts back {@code parameters}, an earlier version's, as a new version (the next one, counted
     * as not yet published); the optimizer's moments and the average restart, since they belong to
     * the trajectory rolled back from. Records {@code id} as applied.
     */
    void rollBack(String id, float[] parameters, OptimizerState fresh) {
        this.parameters = parameters;
        restartOptimizer(fresh);
        version++;
        rollbackId = id;
    }

    /** Whether the rollback {@code id} was applied (or found applied) before. */
    boolean rolledBack(String id) {
        return id.equals(rollbackId);
    }

    void recordLayout(String layout) {
        this.layout = layout;
    }

    /**
     * Counts one more event into the pending micro-batch; the first one sets the batch's flush
     * deadline to {@code now + batchTimeoutMillis}.
     *
     * @return whether this event opened a new batch, whose {@link #getFlushDeadline()} then needs a
     *     timer
     */
    boolean bufferEvent(long now, long batchTimeoutMillis) {
        buffered++;
        if (buffered == 1) {
            flushDeadline = now + batchTimeoutMillis;
            return true;
        }
        return false;
    }

    /** Whether a timer firing at {@code timestamp} must flush the pending batch. */
    boolean isFlushDue(long timestamp) {
        return buffered > 0 && timestamp >= flushDeadline;
    }

    /** Empties the pending micro-batch; returns how many events it held. */
    int drainBuffer() {
        int count = buffered;
        buffered = 0;
        return count;
    }

    /** How many versions the parameters are ahead of an event decided at {@code policyVersion}. */
    long stalenessOf(long policyVersion) {
        return Math.max(0, version - policyVersion);
    }

    /**
     * Learns one micro-batch: moves the parameters and optimizer moments up {@code gradient}. If
     * the optimizer applies the step, the version and update count advance by one, the batch's
     * events and {@code digest} are counted as applied and its statistics kept; if it rejects the
     * step, nothing changes but the count of rejected batches and events.
     *
     * @param events the number of events in the batch
     * @param digest the sum of their {@code EventDigest} hashes
     * @param statistics what the estimator saw in the batch
     * @param meanStaleness the batch's mean {@link #stalenessOf staleness}
     * @return the optimizer's result
     */
    UpdateResult applyUpdate(
            Optimizer optimizer,
            ParameterAverage averager,
            float[] gradient,
            int events,
            long digest,
            BatchStatistics statistics,
            double meanStaleness) {
        OptimizerState moments = new OptimizerState(firstMoment, secondMoment, optimizerSteps);
        UpdateResult result = optimizer.ascend(parameters, gradient, moments);
        if (result.applied()) {
            optimizerSteps = moments.steps;
            averager.observe(parameters, optimizerSteps, average(averager));
            version++;
            updates++;
            eventsApplied += events;
            eventDigest += digest;
            this.statistics =
                    TrainingStatistics.of(
                                    statistics,
                                    meanStaleness,
                                    rejectedBatches,
                                    ValidationStatistics.of(validation()))
                            .toArray();
        } else {
            recordRejectedBatch(events);
        }
        return result;
    }

    /**
     * The progressive validation the next batch adds to, after weighing the past down for a batch
     * of {@code events} in a window of {@code window} events.
     */
    ProgressiveValidation validationFor(int events, long window) {
        ProgressiveValidation totals = validation();
        totals.forget(Math.exp(-(double) events / window));
        return totals;
    }

    private ProgressiveValidation validation() {
        if (validation == null) {
            validation = new ProgressiveValidation();
        }
        return validation;
    }

    /** The reward model of the doubly robust estimator, from zeros on first use. */
    RewardModel rewardModel(PolicySpec spec) {
        if (!RewardModel.fits(rewardModel, spec)) {
            rewardModel = RewardModel.zeros(spec);
        }
        return rewardModel;
    }

    /** The linear baseline of {@code size} weights, from zeros on first use. */
    RewardModel baselineModel(int size) {
        if (!RewardModel.fits(baselineModel, size)) {
            baselineModel = RewardModel.zeros(size);
        }
        return baselineModel;
    }

    private AverageState average(ParameterAverage averager) {
        if (!averager.fits(average)) {
            average = averager.newState();
        }
        return average;
    }

    /** Counts a batch of {@code events} whose update was rejected. */
    private void recordRejectedBatch(int events) {
        rejectedBatches++;
        eventsRejected += events;
    }

    /** Whether the parameters have a version not yet published. */
    boolean hasUnpublishedVersion() {
        return version > publishedVersion;
    }

    /** Updates applied since the latest publication (or warm start). */
    long updatesSincePublish() {
        return updates - updatesAtPublish;
    }

    /** When the next publication is due by time, {@code intervalMillis} after the latest. */
    long nextPublishMillis(long intervalMillis) {
        return lastPublishMillis + intervalMillis;
    }

    /**
     * The latest batch's statistics with the current count of rejected batches; {@link
     * TrainingStatistics#NONE} before any batch was applied.
     */
    TrainingStatistics trainingStatistics() {
        return statistics == null
                ? TrainingStatistics.NONE
                : TrainingStatistics.fromArray(statistics).withRejectedBatches(rejectedBatches);
    }

    /**
     * The snapshot of the current version, created at {@code now}: the parameters {@code averager}
     * publishes.
     */
    ParameterSnapshot snapshot(PolicySpec spec, ParameterAverage averager, long now) {
        float[] published = new float[parameters.length];
        averager.publish(parameters, average(averager), published);
        return new ParameterSnapshot(
                spec,
                version,
                now,
                eventsApplied,
                updates,
                published,
                trainingStatistics(),
                eventDigest);
    }

    /** Records that the current version was published at {@code now}. */
    void markPublished(long now) {
        publishedVersion = version;
        updatesAtPublish = updates;
        lastPublishMillis = now;
    }

    // Getters and setters for Flink's POJO serializer.

    public float[] getParameters() {
        return parameters;
    }

    public void setParameters(float[] parameters) {
        this.parameters = parameters;
    }

    public float[] getFirstMoment() {
        return firstMoment;
    }

    public void setFirstMoment(float[] firstMoment) {
        this.firstMoment = firstMoment;
    }

    public float[] getSecondMoment() {
        return secondMoment;
    }

    public void setSecondMoment(float[] secondMoment) {
        this.secondMoment = secondMoment;
    }

    public long getOptimizerSteps() {
        return optimizerSteps;
    }

    public void setOptimizerSteps(long optimizerSteps) {
        this.optimizerSteps = optimizerSteps;
    }

    public long getVersion() {
        return version;
    }

    public void setVersion(long version) {
        this.version = version;
    }

    public long getEventsApplied() {
        return eventsApplied;
    }

    public void setEventsApplied(long eventsApplied) {
        this.eventsApplied = eventsApplied;
    }

    public long getUpdates() {
        return updates;
    }

    public void setUpdates(long updates) {
        this.updates = updates;
    }

    public long getEventDigest() {
        return eventDigest;
    }

    public void setEventDigest(long eventDigest) {
        this.eventDigest = eventDigest;
    }

    public long getRejectedBatches() {
        return rejectedBatches;
    }

    public void setRejectedBatches(long rejectedBatches) {
        this.rejectedBatches = rejectedBatches;
    }

    public long getEventsRejected() {
        return eventsRejected;
    }

    public void setEventsRejected(long eventsRejected) {
        this.eventsRejected = eventsRejected;
    }

    public long getPublishedVersion() {
        return publishedVersion;
    }

    public void setPublishedVersion(long publishedVersion) {
        this.publishedVersion = publishedVersion;
    }

    public long getUpdatesAtPublish() {
        return updatesAtPublish;
    }

    public void setUpdatesAtPublish(long updatesAtPublish) {
        this.updatesAtPublish = updatesAtPublish;
    }

    public long getLastPublishMillis() {
        return lastPublishMillis;
    }

    public void setLastPublishMillis(long lastPublishMillis) {
        this.lastPublishMillis = lastPublishMillis;
    }

    public int getBuffered() {
        return buffered;
    }

    public void setBuffered(int buffered) {
        this.buffered = buffered;
    }

    public long getFlushDeadline() {
        return flushDeadline;
    }

    public void setFlushDeadline(long flushDeadline) {
        this.flushDeadline = flushDeadline;
    }

    /** The raw statistics array; {@link #trainingStatistics()} is the typed view. */
    public double[] getStatistics() {
        return statistics;
    }

    public void setStatistics(double[] statistics) {
        this.statistics = statistics;
    }

    public ProgressiveValidation getValidation() {
        return validation;
    }

    public void setValidation(ProgressiveValidation validation) {
        this.validation = validation;
    }

    public RewardModel getBaselineModel() {
        return baselineModel;
    }

    public void setBaselineModel(RewardModel baselineModel) {
        this.baselineModel = baselineModel;
    }

    public RewardModel getRewardModel() {
        return rewardModel;
    }

    public void setRewardModel(RewardModel rewardModel) {
        this.rewardModel = rewardModel;
    }

    public String getLayout() {
        return layout;
    }

    public void setLayout(String layout) {
        this.layout = layout;
    }

    public String getRollbackId() {
        return rollbackId;
    }

    public void setRollbackId(String rollbackId) {
        this.rollbackId = rollbackId;
    }

    public AverageState getAverage() {
        return average;
    }

    public void setAverage(AverageState average) {
        this.average = average;
    }
}
