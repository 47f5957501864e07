package org.flinkreinforce.job;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.flinkreinforce.connectors.event.RankerRecord;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.event.EventRejection;
import org.flinkreinforce.formats.ranker.RankedDecision;
import org.flinkreinforce.formats.ranker.RankerSnapshot;
import org.flinkreinforce.formats.ranker.RankerSnapshotCodec;
import org.flinkreinforce.formats.ranker.RankingCodec;
import org.flinkreinforce.formats.snapshot.EventDigest;
import org.flinkreinforce.formats.snapshot.PublishedSnapshot;
import org.flinkreinforce.formats.snapshot.SnapshotFormatException;
import org.flinkreinforce.formats.snapshot.TrainingStatistics;
import org.flinkreinforce.formats.snapshot.ValidationStatistics;
import org.flinkreinforce.model.BatchStatistics;
import org.flinkreinforce.model.EstimatorKind;
import org.flinkreinforce.model.RewardModel;
import org.flinkreinforce.model.evaluation.ProgressiveValidation;
import org.flinkreinforce.model.ranker.RankerLearner;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns the ranker policies ({@link RankerSettings}), keyed by policy id, from their events and
 * from their decisions joined with their rewards ({@link JoinRewardsFunction#JOINED_RANKINGS}):
 * each record is decoded against its policy (JSON features hashed with its seed; a record it
 * refuses goes to the dead letters with its reason) and buffered; a full micro-batch, or one {@code
 * batch.timeout} old, is learned with {@link RankerLearner} (doubly robust by default, or
 * REINFORCE; the running mean reward as baseline; sparse AdaGrad), and a new version is published
 * at most every {@code publish.interval} as a ranker snapshot. The weights, their AdaGrad sums, the
 * reward model, the counters, the digest and the buffered records are keyed state: a restored
 * checkpoint learns every event exactly once.
 */
public class LearnRankerFunction
        extends KeyedProcessFunction<String, RankerRecord, PublishedSnapshot> {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(LearnRankerFunction.class);

    public static final KeySelector<RankerRecord, String> KEY = record -> record.policyId;

    /**
     * The largest batch.size whose pending records are also kept decoded (see {@link #decoded}).
     */
    static final int DECODED_BATCH_LIMIT = 4096;

    /** A ranker policy's learned state. A Flink POJO. */
    public static class RankerState {
        public float[] weights;
        public float[] squaredGradients;

        /**
         * The doubly robust estimator's reward model over the same hashed features; null for
         * REINFORCE (and in state written before it existed: it then starts from zeros).
         */
        public RewardModel rewardModel;

        /** Progressive validation's totals, weighed by {@code validation.window}. */
        public ProgressiveValidation validation;

        /**
         * The statistics the next snapshot carries ({@link TrainingStatistics#toArray}): of the
         * latest applied batch, with the validation; null before one.
         */
        public double[] statistics;

        public long rejectedBatches;

        public long version;
        public long eventsApplied;
        public long updates;
        public long eventDigest;
        public double rewardSum;
        public long rewardCount;
        public int pending;
        public long batchTimer;

        /** When the pending publication timer fires; 0 while none is pending. */
        public long publishTimer;

        public long lastPublishedMillis;
        public boolean unpublished;

        public RankerState() {}
    }

    private final Map<String, RankerSettings> rankers;

    /** The newest snapshot of each ranker published before the job started, encoded. */
    private final Map<String, byte[]> warmStart;

    private transient Map<String, RankerSpec> specs;
    private transient Map<String, RankerSnapshot> published;
    private transient Map<String, RankerLearner> learners;
    private transient ValueState<RankerState> state;
    private transient ListState<RankerRecord> pending;

    /**
     * Per ranker, the pending records as {@link #processElement} decoded them, in their order, so
     * that a flush does not decode them again; where it does not hold the whole batch (after a
     * restore, or above {@link #DECODED_BATCH_LIMIT}), the flush decodes the records from state.
     */
    private transient Map<String, List<RankedDecision>> decoded;

    private transient Map<String, PolicyMetrics> metrics;
    private transient DeadLetterCounters deadLetters;

    /**
     * @param warmStart per ranker, the newest snapshot published before the job started (encoded):
     *     a ranker without state starts from its weights, and no ranker publishes a version at or
     *     below it, so that readers, who skip older versions, take the new ones
     */
    public LearnRankerFunction(Map<String, RankerSettings> rankers, Map<String, byte[]> warmStart) {
        this.rankers = Map.copyOf(rankers);
        this.warmStart = Map.copyOf(warmStart);
    }

    @Override
    public void open(OpenContext openContext) {
        specs = new HashMap<>();
        rankers.forEach((id, settings) -> specs.put(id, settings.spec()));
        learners = new HashMap<>();
        decoded = new HashMap<>();
        published = new HashMap<>();
        warmStart.forEach(
                (id, bytes) -> {
                    try {
                        published.put(id, RankerSnapshotCodec.decode(bytes));
                    } catch (SnapshotFormatException e) {
                        LOG.warn("Ranker policy {}: its warm-start snapshot is unreadable.", id, e);
                    }
                });
        state =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "ranker", TypeInformation.of(RankerState.class)));
        pending =
                getRuntimeContext()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "ranker-pending", TypeInformation.of(RankerRecord.class)));
        metrics = new HashMap<>();
        deadLetters = new DeadLetterCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(
            RankerRecord record, Context context, Collector<PublishedSnapshot> out)
            throws Exception {
        RankerSettings settings = rankers.get(record.policyId);
        if (settings == null) {
            reject(
                    context,
                    record,
                    DeadLetterReason.UNKNOWN_POLICY,
                    "No ranker policy " + record.policyId + " is defined.");
            return;
        }
        RankedDecision decision;
        try {
            decision = decode(record);
        } catch (EventRejection rejection) {
            reject(context, record, rejection.reason(), rejection.getMessage());
            return;
        }
        RankerState current = current(settings.spec());
        pending.add(record);
        if (settings.batchSize() <= DECODED_BATCH_LIMIT) {
            decoded.computeIfAbsent(record.policyId, id -> new ArrayList<>()).add(decision);
        }
        current.pending++;
        if (current.pending == 1) {
            current.batchTimer =
                    context.timerService().currentProcessingTime() + settings.batchTimeoutMillis();
            context.timerService().registerProcessingTimeTimer(current.batchTimer);
        }
        if (current.pending >= settings.batchSize()) {
            flush(settings, current, context, out);
        }
        state.update(current);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<PublishedSnapshot> out)
            throws Exception {
        RankerSettings settings = rankers.get(context.getCurrentKey());
        RankerState current = state.value();
        if (settings == null || current == null) {
            return;
        }
        if (timestamp == current.batchTimer && current.pending > 0) {
            flush(settings, current, context, out);
        }
        if (timestamp == current.publishTimer) {
            current.publishTimer = 0;
            if (current.unpublished) {
                publish(settings.spec(), current, timestamp, out);
            }
        }
        state.update(current);
    }

    /** Learns the buffered batch, then publishes if {@code publish.interval} has passed. */
    private void flush(
            RankerSettings settings,
            RankerState current,
            Context context,
            Collector<PublishedSnapshot> out)
            throws Exception {
        RankerLearner learner = learner(settings, current);
        List<RankerRecord> batch = new ArrayList<>();
        pending.get().forEach(batch::add);
        List<RankedDecision> decisions = decoded.remove(settings.spec().id());
        boolean whole = decisions != null && decisions.size() == batch.size();
        double rewardSum = current.rewardSum;
        long rewardCount = current.rewardCount;
        long digest = current.eventDigest;
        double batchRewardSum = 0;
        double stalenessSum = 0;
        int stalenessCount = 0;
        // Each event scored by the weights before the update that learns from it.
        ProgressiveValidation validated = new ProgressiveValidation();
        for (int k = 0; k < batch.size(); k++) {
            RankerRecord record = batch.get(k);
            RankedDecision decision = whole ? decisions.get(k) : decode(record);
            double reward = record.isJoined() ? record.reward : decision.reward();
            double baseline = rewardCount == 0 ? 0 : rewardSum / rewardCount;
            learner.accumulate(
                    decision.shared(),
                    decision.candidates(),
                    decision.candidates().length,
                    decision.chosen(),
                    reward - baseline,
                    decision.propensity(),
                    settings.importanceWeightCap());
            validated.add(reward, decision.propensity(), learner.lastProbability());
            if (decision.policyVersion() >= 0) {
                stalenessSum += Math.max(0, current.version - decision.policyVersion());
                stalenessCount++;
            }
            batchRewardSum += reward;
            rewardSum += reward;
            rewardCount++;
            digest =
                    EventDigest.add(
                            digest,
                            decision.eventId() != null
                                    ? decision.eventId()
                                    : record.defaultEventId());
        }
        pending.clear();
        current.pending = 0;
        if (current.batchTimer != current.publishTimer) {
            // Timers of one key at one time are one timer: keep a pending publication's.
            context.timerService().deleteProcessingTimeTimer(current.batchTimer);
        }
        PolicyMetrics policyMetrics = metrics(settings.spec().id());
        policyMetrics.batches.inc();
        if (learner.update(settings.learningRate()) < 0) {
            current.rejectedBatches++;
            policyMetrics.rejectedBatches.inc();
            LOG.warn(
                    "Ranker policy {}: a batch of {} events gave a gradient that is not finite;"
                            + " none of them was applied.",
                    settings.spec().id(),
                    batch.size());
            for (RankerRecord record : batch) {
                reject(
                        context,
                        record,
                        DeadLetterReason.REJECTED_BATCH,
                        "Its micro-batch's gradient was not finite.");
            }
            return;
        }
        current.rewardSum = rewardSum;
        current.rewardCount = rewardCount;
        if (current.validation == null) {
            current.validation = new ProgressiveValidation();
        }
        current.validation.forget(Math.exp(-(double) batch.size() / settings.validationWindow()));
        current.validation.merge(validated);
        BatchStatistics statistics =
                learner.lastBatch().withMeanReward(batchRewardSum / batch.size());
        double staleness = stalenessCount == 0 ? 0 : stalenessSum / stalenessCount;
        ValidationStatistics validation = ValidationStatistics.of(current.validation);
        current.statistics =
                TrainingStatistics.of(statistics, staleness, current.rejectedBatches, validation)
                        .toArray();
        policyMetrics.updates.inc();
        policyMetrics.eventsApplied.inc(batch.size());
        policyMetrics.lastStatistics = statistics;
        policyMetrics.lastStaleness = staleness;
        policyMetrics.lastValidation = validation;
        current.eventDigest = digest;
        current.eventsApplied += batch.size();
        current.updates++;
        current.unpublished = true;
        long now = context.timerService().currentProcessingTime();
        if (now - current.lastPublishedMillis >= settings.publishIntervalMillis()) {
            publish(settings.spec(), current, now, out);
        } else if (current.publishTimer == 0) {
            current.publishTimer = current.lastPublishedMillis + settings.publishIntervalMillis();
            context.timerService().registerProcessingTimeTimer(current.publishTimer);
        }
    }

    /** The metrics of ranker {@code policyId} in this task, registered on first use. */
    private PolicyMetrics metrics(String policyId) {
        return metrics.computeIfAbsent(
                policyId,
                id ->
                        new PolicyMetrics(
                                getRuntimeContext().getMetricGroup().addGroup("policy", id)));
    }

    /** The record decoded: an event with its reward, or a joined decision (its reward apart). */
    private RankedDecision decode(RankerRecord record) throws EventRejection {
        return RankingCodec.decode(record.value, specs, record.isJoined());
    }

    private void publish(
            RankerSpec spec, RankerState current, long now, Collector<PublishedSnapshot> out) {
        RankerSnapshot before = published.get(spec.id());
        if (before != null && current.version < before.version()) {
            LOG.warn(
                    "Ranker policy {} restored at version {}, below the published version {}: its"
                            + " next version is {}.",
                    spec.id(),
                    current.version,
                    before.version(),
                    before.version() + 1);
            current.version = before.version();
        }
        current.version++;
        RankerSnapshot snapshot =
                new RankerSnapshot(
                        spec,
                        current.version,
                        now,
                        current.eventsApplied,
                        current.updates,
                        current.eventDigest,
                        current.statistics == null ? new double[0] : current.statistics,
                        current.weights);
        out.collect(
                new PublishedSnapshot(
                        spec.id(), current.version, RankerSnapshotCodec.encode(snapshot)));
        current.unpublished = false;
        current.lastPublishedMillis = now;
        PolicyMetrics policyMetrics = metrics(spec.id());
        policyMetrics.published.inc();
        policyMetrics.version = current.version;
    }

    /** The policy's state, made at zero weights the first time (or where its size changed). */
    private RankerState current(RankerSpec spec) throws Exception {
        RankerState current = state.value();
        if (current == null) {
            current = new RankerState();
            RankerSnapshot before = published.get(spec.id());
            if (before != null && before.spec().equals(spec)) {
                // No checkpoint: go on from the newest published weights (the AdaGrad sums start
                // again from zero), counting from its events.
                current.weights = before.weights().clone();
                current.squaredGradients = new float[spec.weightCount()];
                current.eventsApplied = before.eventsApplied();
                current.updates = before.updates();
                current.eventDigest = before.eventDigest();
                current.version = before.version();
                LOG.info(
                        "Ranker policy {} starts from its published version {}.",
                        spec.id(),
                        before.version());
            }
        }
        if (current.weights == null || current.weights.length != spec.weightCount()) {
            if (current.weights != null) {
                LOG.warn(
                        "Ranker policy {} now has 2^{} weights: it starts again from zero.",
                        spec.id(),
                        spec.bits());
            }
            current.weights = new float[spec.weightCount()];
            current.squaredGradients = new float[spec.weightCount()];
        }
        return current;
    }

    /** The learner over the state's arrays; made again where a restore gave it new arrays. */
    private RankerLearner learner(RankerSettings settings, RankerState current) {
        RankerSpec spec = settings.spec();
        RewardModel model = null;
        if (settings.estimator() == EstimatorKind.DOUBLY_ROBUST) {
            if (!RewardModel.fits(current.rewardModel, spec.weightCount())) {
                current.rewardModel = RewardModel.zeros(spec.weightCount());
            }
            model = current.rewardModel;
        }
        RankerLearner learner = learners.get(spec.id());
        if (learner == null
                || learner.weights() != current.weights
                || learner.rewardModel() != model) {
            learner =
                    new RankerLearner(
                            spec,
                            current.weights,
                            current.squaredGradients,
                            model,
                            settings.rewardModelLearningRate());
            learners.put(spec.id(), learner);
        }
        return learner;
    }

    /** Sends {@code record} to the dead letters with {@code reason}, counted. */
    private void reject(
            Context context, RankerRecord record, DeadLetterReason reason, String detail) {
        deadLetters.count(reason);
        context.output(
                RouteDeadLettersFunction.DEAD_LETTERS,
                new DeadLetter(
                        reason,
                        detail,
                        record.topic,
                        record.partition,
                        record.offset,
                        record.timestamp,
                        record.key,
                        record.value));
    }
}
