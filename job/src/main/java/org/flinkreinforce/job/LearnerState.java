package org.flinkreinforce.job;

/**
 * The keyed state of one policy's learner, a Flink POJO checkpointed as a whole. Together with the
 * buffered events (a separate list state) it is everything needed to continue exactly where a
 * checkpoint left off.
 */
public class LearnerState {

    /** The flat parameter vector. */
    public float[] parameters;

    /** SGD velocity or Adam's first moment. */
    public float[] firstMoment;

    /** Adam's second moment (empty for SGD). */
    public float[] secondMoment;

    public long optimizerSteps;

    /** The parameter version: +1 per applied update, continuing from a warm start. */
    public long version;

    public long eventsApplied;
    public long updates;

    /** {@code EventDigest} of every applied event. */
    public long eventDigest;

    public long rejectedBatches;
    public long eventsRejected;

    /** The latest version published; -1 before the first. */
    public long publishedVersion = -1;

    public long updatesAtPublish;
    public long lastPublishMillis;

    /** Events in the pending micro-batch, and the processing time it must be flushed by. */
    public int buffered;

    public long flushDeadline;

    /** The latest batch's {@code TrainingStatistics}, in component order; null before any. */
    public double[] statistics;
}
