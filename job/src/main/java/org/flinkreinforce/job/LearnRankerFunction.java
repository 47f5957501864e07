package org.flinkreinforce.job;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.flinkreinforce.connectors.event.PolicyChange;
import org.flinkreinforce.connectors.event.RankerRecord;
import org.flinkreinforce.formats.control.PolicyDefinition;
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
import org.flinkreinforce.model.kernel.KernelChoice;
import org.flinkreinforce.model.ranker.RankerKernel;
import org.flinkreinforce.model.ranker.RankerKernels;
import org.flinkreinforce.model.ranker.RankerLearner;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns the ranker policies ({@link RankerSettings}), keyed by policy id, from their events and
 * from their decisions joined with their rewards ({@link JoinRewardsFunction#JOINED_RANKINGS}):
 * each record is decoded against its policy as defined then (JSON features hashed with its seed; a
 * record it refuses goes to the dead letters with its reason) and buffered; a full micro-batch, or
 * one {@code batch.timeout} old, is learned with {@link RankerLearner} (doubly robust by default,
 * or REINFORCE; the running mean reward as baseline; sparse AdaGrad), and a new version is
 * published at most every {@code publish.interval} as a ranker snapshot. The weights, their AdaGrad
 * sums, the reward model, the counters, the digest and the buffered records are keyed state: a
 * restored checkpoint learns every event exactly once.
 *
 * <p>The second input is the policy control stream, keyed by policy id ({@link PolicyDirectory}): a
 * ranker added is learned from its next record on; a changed one first learns the records it
 * buffered under the definition they were accepted by, and where its hashing changed (bits, seed,
 * interactions) publishes what it learned and restarts its weights, AdaGrad sums, reward model and
 * validation from zeros; a removed one publishes what it learned and not yet published, sends its
 * buffered records to the dead letters as {@code POLICY_REMOVED} and keeps only its version, so
 * that it continues above it if added again; a rollback puts back the weights of an earlier version
 * of the same hashing, published at once as the next version.
 */
public class LearnRankerFunction
        extends KeyedCoProcessFunction<String, RankerRecord, PolicyChange, PublishedSnapshot> {

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

        /**
         * What the weights' indices mean ({@link #hashing(RankerSpec)}): bits, seed and
         * interactions; null in state written before it was recorded (taken to be the current).
         */
        public String hashing;

        /** The newest rollback applied ({@link PolicyDefinition.Rollback#id}); null for none. */
        public String rollbackId;

        public RankerState() {}
    }

    private final PolicyDirectory directory;

    /** The job's {@code kernel} option: which {@link RankerKernel} gathers and scatters. */
    private final KernelChoice kernelChoice;

    /** The newest snapshot of each ranker published before the job started, encoded. */
    private final Map<String, byte[]> warmStart;

    /** Per ranker, its spec as the one-entry map the codec looks a record's policy up in. */
    private transient Map<String, Map<String, RankerSpec>> specs;

    /** {@link #hashing} of each spec in use, by identity: not formatted again per record. */
    private transient Map<RankerSpec, String> hashings;

    private transient Map<String, RankerSnapshot> published;
    private transient Map<String, RankerLearner> learners;
    private transient RankerKernel kernel;
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
        this(PolicyDirectory.fixedRankers(rankers), KernelChoice.AUTO, warmStart);
    }

    /**
     * @param directory the rankers, as defined at start and then by the control stream
     * @param kernelChoice the job's {@code kernel} option ({@link RankerKernels#create})
     */
    LearnRankerFunction(
            PolicyDirectory directory, KernelChoice kernelChoice, Map<String, byte[]> warmStart) {
        this.directory = directory;
        this.kernelChoice = kernelChoice;
        this.warmStart = Map.copyOf(warmStart);
    }

    @Override
    public void open(OpenContext openContext) {
        directory.open(getRuntimeContext());
        specs = new HashMap<>();
        hashings = new IdentityHashMap<>();
        learners = new HashMap<>();
        kernel = RankerKernels.create(kernelChoice);
        String kernelName = kernel.toString();
        LOG.info("Ranker kernel: {} (kernel={}).", kernelName, kernelChoice);
        getRuntimeContext().getMetricGroup().gauge("rankerKernel", () -> kernelName);
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
    public void processElement1(
            RankerRecord record, Context context, Collector<PublishedSnapshot> out)
            throws Exception {
        PolicyDirectory.Policy policy = directory.policy(record.policyId);
        RankerSettings settings = policy == null ? null : policy.ranker();
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
            decision = decode(record, settings.spec());
        } catch (EventRejection rejection) {
            reject(context, record, rejection.reason(), rejection.getMessage());
            return;
        }
        RankerState current = current(settings.spec(), policy.rollback(), context, out);
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

    /**
     * A change of the current ranker's definition, applied once, in control-topic order: see the
     * class comment.
     */
    @Override
    public void processElement2(
            PolicyChange change, Context context, Collector<PublishedSnapshot> out)
            throws Exception {
        PolicyDirectory.Change applied = directory.apply(change);
        if (applied == null) {
            return;
        }
        String policyId = change.policyId;
        RankerSettings before = applied.before() == null ? null : applied.before().ranker();
        RankerSettings after = applied.after() == null ? null : applied.after().ranker();
        RankerState current = state.value();
        if (after == null) {
            if (current != null) {
                if (current.unpublished && current.weights != null) {
                    // What it learned last, on the parameters topic before it goes.
                    publish(
                            before.spec(),
                            current,
                            context.timerService().currentProcessingTime(),
                            out);
                }
                forget(current, context, DeadLetterReason.POLICY_REMOVED, "was removed");
            }
            LOG.info("Ranker policy {} removed.", policyId);
            return;
        }
        LOG.info("Ranker policy {} {}: {}.", policyId, before == null ? "added" : "changed", after);
        if (current == null || before == null) {
            return;
        }
        if (current.pending > 0) {
            // Learned under the definition they were accepted by.
            flush(before, current, context, out);
        }
        // Made again for the new definition: its limits size the learner's workspace.
        learners.remove(policyId);
        if (!hashing(before.spec()).equals(hashing(after.spec())) && current.weights != null) {
            if (current.unpublished) {
                publish(
                        before.spec(),
                        current,
                        context.timerService().currentProcessingTime(),
                        out);
            }
            LOG.warn(
                    "Ranker policy {} now hashes as {}, not {}: it starts again from zero.",
                    policyId,
                    hashing(after.spec()),
                    hashing(before.spec()));
            restart(current, after.spec());
        }
        state.update(current);
        PolicyDefinition.Rollback rollback = applied.after().rollback();
        if (rollback != null && !rollback.id().equals(current.rollbackId)) {
            state.update(current(after.spec(), rollback, context, out));
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<PublishedSnapshot> out)
            throws Exception {
        RankerSettings settings = settings(context.getCurrentKey());
        RankerState current = state.value();
        if (current == null) {
            return;
        }
        if (settings == null) {
            // Restored with a ranker that is no longer defined.
            if (current.pending > 0) {
                forget(current, context, DeadLetterReason.POLICY_REMOVED, "is no longer defined");
            }
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
        if (decisions == null || decisions.size() != batch.size()) {
            // Decoded from state: after a restore, a definition the job was restarted with may
            // refuse a record the former one accepted (a lower limit, another seed).
            List<RankerRecord> accepted = new ArrayList<>();
            decisions = new ArrayList<>();
            for (RankerRecord record : batch) {
                try {
                    decisions.add(decode(record, settings.spec()));
                    accepted.add(record);
                } catch (EventRejection rejection) {
                    reject(context, record, rejection.reason(), rejection.getMessage());
                }
            }
            batch = accepted;
        }
        if (batch.isEmpty()) {
            pending.clear();
            current.pending = 0;
            return;
        }
        double rewardSum = current.rewardSum;
        long rewardCount = current.rewardCount;
        long digest = current.eventDigest;
        double batchRewardSum = 0;
        double stalenessSum = 0;
        int stalenessCount = 0;
        for (int k = 0; k < batch.size(); k++) {
            RankerRecord record = batch.get(k);
            RankedDecision decision = decisions.get(k);
            double reward = reward(record, decision);
            double baseline = rewardCount == 0 ? 0 : rewardSum / rewardCount;
            learner.accumulate(
                    decision.shared(),
                    decision.candidates(),
                    decision.candidates().length,
                    decision.chosen(),
                    reward - baseline,
                    decision.propensity(),
                    settings.importanceWeightCap());
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
        // Each event scored by the weights before the update that learns from it.
        ProgressiveValidation validated = new ProgressiveValidation();
        for (int k = 0; k < batch.size(); k++) {
            RankerRecord record = batch.get(k);
            RankedDecision decision = decisions.get(k);
            validated.add(reward(record, decision), decision.propensity(), learner.probability(k));
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

    /** The current definition of ranker {@code policyId}; null where none is. */
    private RankerSettings settings(String policyId) throws Exception {
        PolicyDirectory.Policy policy = directory.policy(policyId);
        return policy == null ? null : policy.ranker();
    }

    /**
     * The record decoded against {@code spec}: an event with its reward, or a joined decision (its
     * reward apart).
     */
    private RankedDecision decode(RankerRecord record, RankerSpec spec) throws EventRejection {
        Map<String, RankerSpec> lookup = specs.get(spec.id());
        // The directory hands out one spec object per definition: compared by identity, per record.
        if (lookup == null || lookup.get(spec.id()) != spec) {
            lookup = Map.of(spec.id(), spec);
            specs.put(spec.id(), lookup);
        }
        return RankingCodec.decode(record.value, lookup, record.isJoined());
    }

    /** What the indices of {@code spec}'s weights mean: its bits, seed and interactions. */
    static String hashing(RankerSpec spec) {
        return "bits="
                + spec.bits()
                + ",seed="
                + spec.seed()
                + ",interactions="
                + spec.interactions();
    }

    /**
     * {@code current}'s weights, AdaGrad sums, reward model, validation and statistics restarted
     * from zeros for {@code spec}; its version, counters and digest carry on.
     */
    private static void restart(RankerState current, RankerSpec spec) {
        current.weights = new float[spec.weightCount()];
        current.squaredGradients = new float[spec.weightCount()];
        current.rewardModel = null;
        current.validation = null;
        current.statistics = null;
        current.hashing = hashing(spec);
    }

    /**
     * Sends the current ranker's buffered records to the dead letters with {@code reason}, cancels
     * its timers and keeps of its state only the version: a ranker added again continues above it.
     */
    private void forget(RankerState current, Context context, DeadLetterReason reason, String why)
            throws Exception {
        String policyId = context.getCurrentKey();
        for (RankerRecord record : pending.get()) {
            reject(context, record, reason, "Ranker policy " + policyId + " " + why + ".");
        }
        pending.clear();
        decoded.remove(policyId);
        learners.remove(policyId);
        if (current.batchTimer != 0) {
            context.timerService().deleteProcessingTimeTimer(current.batchTimer);
        }
        if (current.publishTimer != 0) {
            context.timerService().deleteProcessingTimeTimer(current.publishTimer);
        }
        RankerState kept = new RankerState();
        kept.version = current.version;
        state.update(kept);
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

    /**
     * The policy's state, made at zero weights the first time (or where its hashing changed); then
     * {@code rollback}, where the definition asks for one the state has not applied, applied and
     * published.
     */
    private RankerState current(
            RankerSpec spec,
            PolicyDefinition.Rollback rollback,
            Context context,
            Collector<PublishedSnapshot> out)
            throws Exception {
        RankerState current = state.value();
        boolean fresh = current == null;
        if (fresh) {
            current = new RankerState();
            RankerSnapshot before = published.get(spec.id());
            if (before != null && hashing(before.spec()).equals(hashing(spec))) {
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
        String hashing = hashings.computeIfAbsent(spec, LearnRankerFunction::hashing);
        if (current.weights == null
                || current.weights.length != spec.weightCount()
                || (current.hashing != null && !current.hashing.equals(hashing))) {
            if (current.weights != null) {
                LOG.warn(
                        "Ranker policy {} now hashes as {}, not {}: it starts again from zero.",
                        spec.id(),
                        hashing,
                        current.hashing == null
                                ? "2^"
                                        + Integer.numberOfTrailingZeros(current.weights.length)
                                        + " weights"
                                : current.hashing);
            }
            restart(current, spec);
        }
        current.hashing = hashing;
        if (rollback != null && !rollback.id().equals(current.rollbackId)) {
            rollBack(
                    spec,
                    rollback,
                    current,
                    fresh,
                    context.timerService().currentProcessingTime(),
                    out);
        }
        return current;
    }

    /**
     * Puts back the weights of the version {@code rollback} names and publishes them as the next
     * version; the AdaGrad sums restart. A fresh state above the version the rollback was asked at
     * has it already: an earlier run applied and published it, and the warm start read that. A
     * version of other hashing is refused (logged): its weights would mean other features.
     */
    private void rollBack(
            RankerSpec spec,
            PolicyDefinition.Rollback rollback,
            RankerState current,
            boolean fresh,
            long now,
            Collector<PublishedSnapshot> out) {
        current.rollbackId = rollback.id();
        if (fresh && current.version > rollback.basedOnVersion()) {
            return;
        }
        RankerSnapshot target;
        try {
            target = RankerSnapshotCodec.decode(rollback.snapshot());
        } catch (SnapshotFormatException e) {
            LOG.warn("Ranker policy {}: refused {}: {}", spec.id(), rollback, e.getMessage());
            return;
        }
        if (!hashing(target.spec()).equals(hashing(spec))) {
            LOG.warn(
                    "Ranker policy {}: refused {}: version {} hashes as {}, the ranker now as {}.",
                    spec.id(),
                    rollback,
                    target.version(),
                    hashing(target.spec()),
                    hashing(spec));
            return;
        }
        current.weights = target.weights().clone();
        current.squaredGradients = new float[spec.weightCount()];
        learners.remove(spec.id());
        publish(spec, current, now, out);
        LOG.warn(
                "Ranker policy {} rolled back to the weights of version {}, published as version"
                        + " {}.",
                spec.id(),
                target.version(),
                current.version);
    }

    /** The reward the record was joined with, or the one its decision carries. */
    private static double reward(RankerRecord record, RankedDecision decision) {
        return record.isJoined() ? record.reward : decision.reward();
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
                || !learner.spec().equals(spec)
                || learner.weights() != current.weights
                || learner.rewardModel() != model) {
            learner =
                    new RankerLearner(
                            spec,
                            current.weights,
                            current.squaredGradients,
                            model,
                            settings.rewardModelLearningRate(),
                            kernel);
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
