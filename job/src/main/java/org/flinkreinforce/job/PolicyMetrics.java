package org.flinkreinforce.job;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.flinkreinforce.formats.snapshot.ValidationStatistics;
import org.flinkreinforce.model.BatchStatistics;

/**
 * A policy's metrics (group {@code policy.<id>}), one set per policy id and task for the task's
 * lifetime, across changes of the policy's definition: of softmax policies ({@link
 * LearnPolicyFunction}) and of ranker policies ({@link LearnRankerFunction}) alike.
 */
final class PolicyMetrics {
    final Counter batches;
    final Counter updates;
    final Counter rejectedBatches;
    final Counter eventsApplied;
    final Counter published;
    volatile BatchStatistics lastStatistics = BatchStatistics.EMPTY;
    volatile double lastStaleness;
    volatile ValidationStatistics lastValidation = ValidationStatistics.NONE;
    volatile long version;

    PolicyMetrics(MetricGroup metrics) {
        this.batches = metrics.counter("batches");
        this.updates = metrics.counter("updates");
        this.rejectedBatches = metrics.counter("rejectedBatches");
        this.eventsApplied = metrics.counter("eventsApplied");
        this.published = metrics.counter("snapshotsPublished");
        metrics.gauge("version", () -> version);
        metrics.gauge("meanReward", () -> lastStatistics.meanReward());
        metrics.gauge("gradientNorm", () -> lastStatistics.gradientNorm());
        metrics.gauge("effectiveSampleSize", () -> lastStatistics.effectiveSampleSize());
        metrics.gauge("meanEntropy", () -> lastStatistics.meanEntropy());
        metrics.gauge("staleness", () -> lastStaleness);
        metrics.gauge("validationIps", () -> lastValidation.ips());
        metrics.gauge("validationSnips", () -> lastValidation.snips());
        metrics.gauge("validationLoggedMean", () -> lastValidation.loggedMean());
    }
}
