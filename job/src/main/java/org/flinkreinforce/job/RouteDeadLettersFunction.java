package org.flinkreinforce.job;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.flinkreinforce.connectors.event.DecodedRecord;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.connectors.event.RankerRecord;
import org.flinkreinforce.formats.deadletter.DeadLetter;

/**
 * Splits decoded records: valid events go on, dead letters to the {@link #DEAD_LETTERS} side
 * output. Counts both: {@code eventsIn}, {@code deadLetters} and {@code
 * deadLettersByReason.<REASON>}.
 */
public class RouteDeadLettersFunction extends ProcessFunction<DecodedRecord, PolicyEvent> {

    private static final long serialVersionUID = 1L;

    /** The side output of rejected records. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    /** The side output of ranker policies' records, for {@link LearnRankerFunction}. */
    public static final OutputTag<RankerRecord> RANKER_RECORDS =
            new OutputTag<>("ranker-records") {};

    private transient Counter eventsIn;
    private transient DeadLetterCounters deadLetters;

    @Override
    public void open(OpenContext openContext) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        eventsIn = metrics.counter("eventsIn");
        deadLetters = new DeadLetterCounters(metrics);
    }

    @Override
    public void processElement(DecodedRecord record, Context context, Collector<PolicyEvent> out) {
        if (record.isValid()) {
            eventsIn.inc();
            out.collect(record.event);
        } else if (record.isRanker()) {
            eventsIn.inc();
            context.output(RANKER_RECORDS, record.ranker);
        } else {
            deadLetters.count(record.deadLetter.reason);
            context.output(DEAD_LETTERS, record.deadLetter);
        }
    }
}
