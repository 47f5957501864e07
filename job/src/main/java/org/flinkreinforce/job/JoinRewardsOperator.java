package org.flinkreinforce.job;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.flinkreinforce.connectors.event.JoinInput;
import org.flinkreinforce.connectors.event.PolicyChange;
import org.flinkreinforce.connectors.event.PolicyEvent;

/**
 * The operator of {@link JoinRewardsFunction}: Flink's keyed-broadcast operator, its first input
 * keyed by event id and its second the broadcast policy changes, whose event-time timers are the
 * join's own {@link EventTimeIndex} rather than Flink's timer heap. A watermark first fires the
 * index's pairs up to its time, each with its event id as the current key (a forget clears the
 * entry, the others go to {@link JoinRewardsFunction#onTimer}), then goes on as in Flink's operator
 * (which fires the event-time timers a checkpoint of an earlier build restored). Processing-time
 * timers stay Flink's.
 *
 * <p>The index is not checkpointed: when the operator opens it reads every event id of the keyed
 * state it has (after a restore or a rescale) and registers each entry's one timer again, in the
 * index in event time, with Flink's timer service in processing time.
 */
public final class JoinRewardsOperator
        extends CoBroadcastWithKeyedOperator<String, JoinInput, PolicyChange, PolicyEvent> {

    private static final long serialVersionUID = 1L;

    /** The name Flink's keyed-broadcast operator gives its timer service. */
    static final String FLINK_TIMERS = "user-timers";

    private transient EventTimeIndex index;
    private transient IndexTimer timer;

    public JoinRewardsOperator(JoinRewardsFunction join) {
        super(join, List.of(JoinRewardsFunction.WAITS));
    }

    /** The function this operator runs: the join its constructor took. */
    private JoinRewardsFunction join() {
        return (JoinRewardsFunction) userFunction;
    }

    @Override
    public void open() throws Exception {
        index = new EventTimeIndex();
        timer = new IndexTimer();
        join().useIndex(index);
        super.open();
        InternalTimerService<VoidNamespace> flinkTimers =
                getInternalTimerService(FLINK_TIMERS, VoidNamespaceSerializer.INSTANCE, this);
        List<String> keys;
        try (Stream<String> stored =
                this.<String>getKeyedStateBackend()
                        .getKeys(JoinRewardsFunction.STATE, VoidNamespace.INSTANCE)) {
            keys = stored.collect(Collectors.toList());
        }
        for (String key : keys) {
            setCurrentKey(key);
            join().registerAgain(key, flinkTimers);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long time = mark.getTimestamp();
        while (!index.isEmpty() && index.headTime() <= time) {
            timer.timestamp = index.headTime();
            boolean forget = index.headForgets();
            timer.key = index.poll();
            setCurrentKey(timer.key);
            if (forget) {
                join().forget();
            } else {
                onEventTime(timer);
            }
        }
        timer.key = null;
        super.processWatermark(mark);
    }

    /** The pairs the index holds, for the tests. */
    int indexed() {
        return index.size();
    }

    /** The index's pair being fired, as the operator hands it to the function. */
    private static final class IndexTimer implements InternalTimer<String, VoidNamespace> {

        long timestamp;
        String key;

        @Override
        public long getTimestamp() {
            return timestamp;
        }

        @Override
        public String getKey() {
            return key;
        }

        @Override
        public VoidNamespace getNamespace() {
            return VoidNamespace.INSTANCE;
        }

        @Override
        public int comparePriorityTo(InternalTimer<?, ?> other) {
            return Long.compare(timestamp, other.getTimestamp());
        }
    }
}
