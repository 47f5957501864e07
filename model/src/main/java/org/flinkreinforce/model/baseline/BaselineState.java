package org.flinkreinforce.model.baseline;

/**
 * The state of one key's running baseline: three plain numbers, so Flink checkpoints it as a POJO.
 *
 * <ul>
 *   <li>{@code count}: rewards seen so far;
 *   <li>{@code mean}: for {@link BaselineKind#MEAN} the running mean; for {@link BaselineKind#EMA}
 *       the biased moving average {@code m_t} (the baseline is {@code m_t / (1 - lambda^t)});
 *   <li>{@code m2}: the sum of squared deviations from the mean (Welford), {@link
 *       BaselineKind#MEAN} only.
 * </ul>
 */
public class BaselineState {

    public long count;
    public double mean;
    public double m2;

    public BaselineState() {}

    public BaselineState(long count, double mean, double m2) {
        this.count = count;
        this.mean = mean;
        this.m2 = m2;
    }

    @Override
    public String toString() {
        return "BaselineState{count=" + count + ", mean=" + mean + ", m2=" + m2 + '}';
    }
}
