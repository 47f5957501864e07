package org.flinkreinforce.job;

import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;

/** An operator's dead-letter counters: {@code deadLetters} and {@code deadLettersByReason.<R>}. */
final class DeadLetterCounters {

    private final Counter total;
    private final Map<DeadLetterReason, Counter> byReason = new EnumMap<>(DeadLetterReason.class);

    DeadLetterCounters(MetricGroup metrics) {
        total = metrics.counter("deadLetters");
        MetricGroup reasons = metrics.addGroup("deadLettersByReason");
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            byReason.put(reason, reasons.counter(reason.name()));
        }
    }

    void count(DeadLetterReason reason) {
        total.inc();
        byReason.get(reason).inc();
    }
}
