package org.flinkreinforce.model.optim;

/**
 * The optimizer's state for one parameter vector, as plain arrays so Flink checkpoints it: {@code
 * first} is the SGD velocity or Adam's first moment, {@code second} Adam's second moment (empty for
 * SGD), {@code steps} the number of applied updates (Adam's bias-correction {@code t}).
 */
public class OptimizerState {

    public float[] first;
    public float[] second;
    public long steps;

    public OptimizerState() {}

    public OptimizerState(float[] first, float[] second, long steps) {
        this.first = first;
        this.second = second;
        this.steps = steps;
    }

    /** A zero state for {@code size} parameters. */
    public static OptimizerState zeros(OptimizerKind kind, int size) {
        return new OptimizerState(
                new float[size], new float[kind == OptimizerKind.ADAM ? size : 0], 0);
    }
}
