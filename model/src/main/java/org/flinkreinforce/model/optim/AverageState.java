package org.flinkreinforce.model.optim;

/**
 * The state of a {@link ParameterAverage}, as plain fields so Flink checkpoints it: {@code average}
 * the published average (empty for {@link AverageKind#NONE}), {@code count} the number of iterates
 * averaged (0: none yet, the iterate itself is published), {@code step} the optimizer step ({@link
 * OptimizerState#steps}) of the last iterate averaged, 0 before the first.
 */
public class AverageState {

    public float[] average;
    public long count;
    public long step;

    public AverageState() {}

    public AverageState(float[] average, long count, long step) {
        this.average = average;
        this.count = count;
        this.step = step;
    }
}
