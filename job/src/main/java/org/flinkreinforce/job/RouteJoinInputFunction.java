package org.flinkreinforce.job;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.flinkreinforce.connectors.event.JoinInput;

/**
 * Splits the decoded records of the decisions and rewards topics: decisions and rewards go on to
 * the join, the dead letters of records that are neither to the {@link
 * RouteDeadLettersFunction#DEAD_LETTERS} side output, counted by reason.
 */
public class RouteJoinInputFunction extends ProcessFunction<JoinInput, JoinInput> {

    private static final long serialVersionUID = 1L;

    private transient DeadLetterCounters deadLetters;

    @Override
    public void open(OpenContext openContext) {
        deadLetters = new DeadLetterCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(JoinInput input, Context context, Collector<JoinInput> out) {
        if (input.isValid()) {
            out.collect(input);
        } else {
            deadLetters.count(input.deadLetter.reason);
            context.output(RouteDeadLettersFunction.DEAD_LETTERS, input.deadLetter);
        }
    }
}
