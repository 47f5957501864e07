package org.flinkreinforce.job;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.flinkreinforce.connectors.event.EncodedDecision;
import org.flinkreinforce.connectors.event.JoinInput;
import org.flinkreinforce.connectors.event.JoinInputSerializer;
import org.flinkreinforce.connectors.event.PendingReward;
import org.flinkreinforce.connectors.event.PolicyChange;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.connectors.event.PolicyEventSerializer;
import org.flinkreinforce.connectors.event.RankerRecord;
import org.flinkreinforce.formats.control.PolicyControlCodec;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.event.EventFormat;
import org.flinkreinforce.formats.event.LoggedDecision;
import org.flinkreinforce.formats.event.LoggedReward;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins decisions with the rewards that name their event id (keyed by event id): a decision timed
 * {@code D} waits until {@code E = D + wait} (its policy's {@link RewardJoinSettings#waitOf}); the
 * rewards timed within {@code [D - earlyWindow, E]} count, whichever arrives first; when the time
 * passes {@code E} the decision goes on as an event with the {@link RewardAggregation aggregated}
 * reward, or with the default reward where none came (or is dropped, counted). A ranker policy's
 * decision joins the same way and goes on, its record with the reward, to the {@link
 * #JOINED_RANKINGS} side output, for the learner of rankers.
 *
 * <p>The waits follow the policies: those of the policies defined at start ({@link
 * RewardJoinSettings#waitOf}), then those of the definitions the control topic delivers, broadcast
 * to every subtask and kept in broadcast state by control-topic offset (a change replayed after a
 * restore is not applied twice; one that does not resolve leaves the wait as it was; a removed
 * policy's decisions wait the job's {@code reward.wait}). A change applies to the decisions the
 * join reads after it.
 *
 * <p>Time is the records' timestamps, windows closing on watermarks, so that a replayed history
 * joins as it did live and at full speed; or, with {@link RewardJoinSettings#processingTime}, the
 * join's clock, records timed by their arrival. It runs in {@link JoinRewardsOperator}, which keeps
 * its event-time timers in an {@link EventTimeIndex}; its processing-time timers are Flink's.
 *
 * <p>To the {@link RouteDeadLettersFunction#DEAD_LETTERS} side output go: a reward timed after its
 * decision's window ({@code LATE_REWARD}; told apart for one more wait after the window closed), a
 * reward timed more than the early window before its decision or whose decision has not come once
 * the time passes the reward's time plus the early window ({@code ORPHAN_REWARD}), and a second
 * decision of an event id ({@code DUPLICATE_DECISION}, for as long as the first one's window is
 * remembered).
 *
 * <p>Metrics: {@code decisionsIn}, {@code rewardsIn}, {@code joined}, {@code rewardsDefaulted},
 * {@code unrewardedDropped}, {@code lateRewards}, {@code orphanRewards}, {@code
 * duplicateDecisions}, the gauge {@code pendingDecisions} (per subtask; summed over the subtasks
 * after a rescale) and the histogram {@code rewardDelay} (reward time less decision time, ms, of
 * the rewards that counted).
 */
public class JoinRewardsFunction
        extends KeyedBroadcastProcessFunction<String, JoinInput, PolicyChange, PolicyEvent>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(JoinRewardsFunction.class);

    /**
     * The broadcast state of the waits the control topic set, by policy id: the offset of the
     * record that set it and the wait in milliseconds.
     */
    static final MapStateDescriptor<String, Tuple2<Long, Long>> WAITS =
            new MapStateDescriptor<>(
                    "reward-waits", Types.STRING, Types.TUPLE(Types.LONG, Types.LONG));

    /** The ranker policies' decisions with their joined reward ({@link RankerRecord#reward}). */
    public static final OutputTag<RankerRecord> JOINED_RANKINGS =
            new OutputTag<>("joined-rankings", TypeInformation.of(RankerRecord.class));

    /** The name of the keyed state of the join's entries ({@link JoinEntry}), one per event id. */
    static final String STATE = "join";

    private final RewardJoinSettings settings;
    private final long startOffset;
    private final PolicyResolver resolver;

    private transient ValueState<JoinEntry> state;
    private transient EventTimeIndex index;
    private transient DataOutputSerializer buffer;
    private transient ListState<Long> pendingCount;

    private transient long pending;
    private transient Counter decisionsIn;
    private transient Counter rewardsIn;
    private transient Counter joined;
    private transient Counter defaulted;
    private transient Counter dropped;
    private transient Counter late;
    private transient Counter orphans;
    private transient Counter duplicates;
    private transient Histogram rewardDelay;
    private transient DeadLetterCounters deadLetters;

    /** A join whose waits never change: the policies are fixed. */
    public JoinRewardsFunction(RewardJoinSettings settings) {
        this(settings, Long.MAX_VALUE, null);
    }

    /**
     * @param settings the join's settings, with the waits of the policies defined at start
     * @param startOffset the control topic's end offset when those policies were read; the changes
     *     below it are in {@code settings} already
     * @param resolver resolves the definitions the control topic delivers; {@code null} where the
     *     policies are fixed
     */
    public JoinRewardsFunction(
            RewardJoinSettings settings, long startOffset, PolicyResolver resolver) {
        this.settings = settings;
        this.startOffset = startOffset;
        this.resolver = resolver;
    }

    /**
     * The event-time timers of this subtask's event ids, which {@link JoinRewardsOperator} fires;
     * set by it before it opens the function.
     */
    void useIndex(EventTimeIndex index) {
        this.index = index;
    }

    @Override
    public void open(OpenContext openContext) {
        if (index == null && !settings.processingTime()) {
            throw new IllegalStateException(
                    "The join's event-time timers are JoinRewardsOperator's: run the join in it.");
        }
        buffer = new DataOutputSerializer(256);
        state =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>(STATE, JoinEntryTypeInfo.INSTANCE));
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        decisionsIn = metrics.counter("decisionsIn");
        rewardsIn = metrics.counter("rewardsIn");
        joined = metrics.counter("joined");
        defaulted = metrics.counter("rewardsDefaulted");
        dropped = metrics.counter("unrewardedDropped");
        late = metrics.counter("lateRewards");
        orphans = metrics.counter("orphanRewards");
        duplicates = metrics.counter("duplicateDecisions");
        metrics.gauge("pendingDecisions", () -> pending);
        rewardDelay = metrics.histogram("rewardDelay", new DescriptiveStatisticsHistogram(1000));
        deadLetters = new DeadLetterCounters(metrics);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        pendingCount =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("pending-decisions", Long.class));
        pending = 0;
        for (Long count : pendingCount.get()) {
            pending += count;
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        pendingCount.update(List.of(pending));
    }

    @Override
    public void processElement(JoinInput input, ReadOnlyContext context, Collector<PolicyEvent> out)
            throws Exception {
        if (input.decision != null) {
            decisionsIn.inc();
            onDecision(input.decision, context);
        } else if (input.ranker != null) {
            decisionsIn.inc();
            onRankerDecision(input.ranker, context);
        } else {
            rewardsIn.inc();
            onReward(input.reward, context);
        }
    }

    /** Records the wait a control-topic change sets for its policy. */
    @Override
    public void processBroadcastElement(
            PolicyChange change, Context context, Collector<PolicyEvent> out) throws Exception {
        if (resolver == null || change.offset < startOffset) {
            return;
        }
        BroadcastState<String, Tuple2<Long, Long>> waits = context.getBroadcastState(WAITS);
        Tuple2<Long, Long> current = waits.get(change.policyId);
        if (current != null && current.f0 >= change.offset) {
            return;
        }
        long wait = settings.defaultWait();
        if (!change.isRemoval()) {
            try {
                wait = resolver.rewardWaitMillis(PolicyControlCodec.decode(change.value));
            } catch (IOException | IllegalArgumentException e) {
                LOG.debug(
                        "The change of policy {} at control topic offset {} does not resolve;"
                                + " its decisions wait as before: {}",
                        change.policyId,
                        change.offset,
                        e.getMessage());
                return;
            }
        }
        waits.put(change.policyId, Tuple2.of(change.offset, wait));
    }

    /**
     * The wait of {@code policyId}'s decisions now: that of the newest change read, unless the
     * policies defined at start stand for a newer one (a job restored from an older savepoint).
     */
    private long waitOf(String policyId, ReadOnlyContext context) throws Exception {
        Tuple2<Long, Long> changed = context.getBroadcastState(WAITS).get(policyId);
        return changed != null && changed.f0 >= startOffset
                ? changed.f1
                : settings.waitOf(policyId);
    }

    private void onDecision(EncodedDecision decision, ReadOnlyContext context) throws Exception {
        JoinEntry entry = state.value();
        if (isDuplicate(entry)) {
            reject(
                    context,
                    DeadLetterReason.DUPLICATE_DECISION,
                    duplicate(decision.eventId),
                    decision.timestamp,
                    EventFormat.JSON.encode(LoggedDecision.of(decision.decode())));
            return;
        }
        // The bytes as they came: the entry keeps them, never changed.
        open(entry, decision.policyId, decision.timestamp, decision.bytes, false, context);
    }

    private void onRankerDecision(RankerRecord ranker, ReadOnlyContext context) throws Exception {
        JoinEntry entry = state.value();
        if (isDuplicate(entry)) {
            deadLetters.count(DeadLetterReason.DUPLICATE_DECISION);
            context.output(
                    RouteDeadLettersFunction.DEAD_LETTERS,
                    new DeadLetter(
                            DeadLetterReason.DUPLICATE_DECISION,
                            duplicate(ranker.eventId),
                            ranker.topic,
                            ranker.partition,
                            ranker.offset,
                            ranker.timestamp,
                            ranker.key,
                            ranker.value));
            return;
        }
        buffer.clear();
        JoinInputSerializer.writeRanker(ranker, buffer);
        open(entry, ranker.policyId, ranker.timestamp, buffer.getCopyOfBuffer(), true, context);
    }

    /** Whether a decision came before for the key's event id (counted as a duplicate). */
    private boolean isDuplicate(JoinEntry entry) {
        if (entry != null && entry.phase != JoinEntry.Phase.EARLY) {
            duplicates.inc();
            return true;
        }
        return false;
    }

    private static String duplicate(String eventId) {
        return "A decision with event id " + eventId + " came before.";
    }

    /**
     * Opens the window of a decision of {@code policyId} timed {@code timestamp} ({@code decision}
     * its bytes in the entry), counting the rewards that came first ({@code entry}, if any).
     */
    private void open(
            JoinEntry entry,
            String policyId,
            long timestamp,
            byte[] decision,
            boolean ranker,
            ReadOnlyContext context)
            throws Exception {
        long start = timeOf(timestamp, context);
        JoinEntry opened = new JoinEntry();
        opened.phase = JoinEntry.Phase.OPEN;
        opened.start = start;
        opened.end = start + waitOf(policyId, context);
        opened.decision = decision;
        opened.ranker = ranker;
        if (entry != null) {
            // The rewards that came first: their timer is replaced by the window's end.
            delete(context, entry.timer);
            for (PendingReward reward : entry.early) {
                count(reward, opened, context);
            }
        }
        opened.timer = opened.end;
        register(context, opened.timer, EventTimeIndex.ENDS);
        state.update(opened);
        pending++;
    }

    private void onReward(PendingReward reward, ReadOnlyContext context) throws Exception {
        reward.timestamp = timeOf(reward.timestamp, context);
        JoinEntry entry = state.value();
        if (entry == null) {
            // Its decision may still come: kept until the time passes the early window.
            entry = JoinEntry.early(reward, reward.timestamp + settings.earlyWindow());
            register(context, entry.timer, EventTimeIndex.EXPIRIES);
            state.update(entry);
            return;
        }
        switch (entry.phase) {
            case EARLY:
                entry.early.add(reward);
                long expiry = reward.timestamp + settings.earlyWindow();
                if (expiry < entry.timer) {
                    delete(context, entry.timer);
                    entry.timer = expiry;
                    register(context, expiry, EventTimeIndex.EXPIRIES);
                }
                state.update(entry);
                break;
            case OPEN:
                if (count(reward, entry, context)) {
                    state.update(entry);
                }
                break;
            case CLOSED:
            default:
                rejectLate(reward, entry, context);
        }
    }

    /**
     * Adds {@code reward} to the tally of {@code open} if it is timed within its window, else
     * dead-letters it; answers whether it counted.
     */
    private boolean count(PendingReward reward, JoinEntry open, ReadOnlyContext context) {
        if (reward.timestamp > open.end) {
            rejectLate(reward, open, context);
            return false;
        }
        if (reward.timestamp < open.start - settings.earlyWindow()) {
            rejectOrphan(
                    reward,
                    context,
                    "It is timed more than the early window ("
                            + settings.earlyWindow()
                            + " ms) before its decision.");
            return false;
        }
        if (open.tally == null) {
            open.tally = new RewardTally();
        }
        open.tally.add(reward.timestamp, reward.reward);
        rewardDelay.update(reward.timestamp - open.start);
        return true;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<PolicyEvent> out)
            throws Exception {
        JoinEntry entry = state.value();
        if (entry == null || timestamp < entry.timer) {
            return;
        }
        switch (entry.phase) {
            case EARLY:
                orphanExpiredEarlyRewards(entry, timestamp, context);
                break;
            case OPEN:
                close(entry, context, out);
                break;
            case CLOSED:
            default:
                state.clear();
        }
    }

    /** Emits the decision with its reward (or drops it), and remembers its window one more wait. */
    private void close(JoinEntry open, ReadOnlyContext context, Collector<PolicyEvent> out)
            throws Exception {
        RewardTally rewards = open.tally;
        byte[] waiting = open.decision;
        JoinEntry closed = new JoinEntry();
        closed.phase = JoinEntry.Phase.CLOSED;
        closed.start = open.start;
        closed.end = open.end;
        closed.timer = closed.forgetAt();
        register(context, closed.timer, EventTimeIndex.FORGETS);
        state.update(closed);
        pending--;
        if (rewards == null && settings.dropsUnrewarded()) {
            dropped.inc();
            return;
        }
        if (rewards == null) {
            defaulted.inc();
        }
        joined.inc();
        double reward =
                rewards == null ? settings.defaultReward() : rewards.value(settings.aggregation());
        if (open.ranker) {
            RankerRecord ranker =
                    JoinInputSerializer.readRanker(new DataInputDeserializer(waiting));
            ranker.reward = reward;
            context.output(JOINED_RANKINGS, ranker);
            return;
        }
        PolicyEvent event =
                PolicyEventSerializer.INSTANCE.deserialize(new DataInputDeserializer(waiting));
        event.eventId = context.getCurrentKey();
        event.reward = reward;
        out.collect(event);
    }

    private void orphanExpiredEarlyRewards(JoinEntry entry, long now, ReadOnlyContext context)
            throws Exception {
        List<PendingReward> kept = new ArrayList<>(entry.early.size());
        long next = Long.MAX_VALUE;
        for (PendingReward reward : entry.early) {
            long expiry = reward.timestamp + settings.earlyWindow();
            if (expiry <= now) {
                rejectOrphan(reward, context, "No decision with its event id came.");
            } else {
                kept.add(reward);
                next = Math.min(next, expiry);
            }
        }
        if (kept.isEmpty()) {
            state.clear();
            return;
        }
        entry.early = kept;
        entry.timer = next;
        register(context, next, EventTimeIndex.EXPIRIES);
        state.update(entry);
    }

    private void rejectLate(PendingReward reward, JoinEntry current, ReadOnlyContext context) {
        late.inc();
        reject(
                context,
                DeadLetterReason.LATE_REWARD,
                reward.timestamp > current.end
                        ? "It is timed "
                                + (reward.timestamp - current.end)
                                + " ms after the end of its decision's window."
                        : "It came after its decision's window had closed: the time passed the"
                                + " window's end before the reward arrived.",
                reward.timestamp,
                logged(reward, context));
    }

    private void rejectOrphan(PendingReward reward, ReadOnlyContext context, String why) {
        orphans.inc();
        reject(
                context,
                DeadLetterReason.ORPHAN_REWARD,
                "Reward for event id " + context.getCurrentKey() + ": " + why,
                reward.timestamp,
                logged(reward, context));
    }

    /** The reward as it was logged: its event id is the key (the join keeps it no other way). */
    private static byte[] logged(PendingReward reward, ReadOnlyContext context) {
        return EventFormat.JSON.encode(
                new LoggedReward(
                        context.getCurrentKey(), reward.reward, reward.policyId, reward.timestamp));
    }

    private void reject(
            ReadOnlyContext context,
            DeadLetterReason reason,
            String detail,
            long timestamp,
            byte[] value) {
        deadLetters.count(reason);
        context.output(
                RouteDeadLettersFunction.DEAD_LETTERS,
                new DeadLetter(reason, detail, null, -1, -1, timestamp, null, value));
    }

    /** A record's time in the join: its timestamp, or its arrival in processing time. */
    private long timeOf(long timestamp, ReadOnlyContext context) {
        return settings.processingTime()
                ? context.timerService().currentProcessingTime()
                : timestamp;
    }

    /**
     * Gives up the timer at {@code time}: Flink's in processing time; in event time the index's
     * pair stays, and {@link #onTimer} leaves it alone once the entry's timer is another.
     */
    private void delete(ReadOnlyContext context, long time) {
        if (settings.processingTime()) {
            context.timerService().deleteProcessingTimeTimer(time);
        }
    }

    /** Registers the timer at {@code time}, in event time in the index's {@code lane}. */
    private void register(ReadOnlyContext context, long time, int lane) {
        if (settings.processingTime()) {
            context.timerService().registerProcessingTimeTimer(time);
        } else {
            index.add(time, context.getCurrentKey(), lane);
        }
    }

    /**
     * Registers the timer of the current key's ({@code eventId}'s) entry again, where the operator
     * opens on restored state: in the index in event time, with {@code flinkTimers} in processing
     * time (where a restored timer at that time is the same one).
     */
    void registerAgain(String eventId, InternalTimerService<VoidNamespace> flinkTimers)
            throws IOException {
        JoinEntry entry = state.value();
        if (entry == null) {
            return;
        }
        if (settings.processingTime()) {
            flinkTimers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, entry.timer);
        } else {
            index.add(entry.timer, eventId, lane(entry.phase));
        }
    }

    /** The index's lane of the timer of an entry in {@code phase}. */
    private static int lane(JoinEntry.Phase phase) {
        switch (phase) {
            case EARLY:
                return EventTimeIndex.EXPIRIES;
            case OPEN:
                return EventTimeIndex.ENDS;
            case CLOSED:
            default:
                return EventTimeIndex.FORGETS;
        }
    }

    /**
     * Forgets the current key's closed window at the time the index marked a forget: the entry is
     * cleared unread (a closed entry changes no more, so its timer is still that time).
     */
    void forget() {
        state.clear();
    }
}
