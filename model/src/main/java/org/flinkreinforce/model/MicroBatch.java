package org.flinkreinforce.model;

import java.util.Objects;

/**
 * A preallocated buffer of up to {@code capacity} events of one policy, in the dense layout the
 * kernels read: features {@code B x d} and actions {@code B x H}, both row-major, and per row the
 * reward, the advantage and the logged propensity (a double, so that the joint probability of many
 * heads does not underflow; {@link Double#NaN} when absent, i.e. on-policy).
 *
 * <p>Filling and clearing never allocate. Callers validate events before adding them; the checks
 * here guard against programmer mistakes only.
 */
public final class MicroBatch {

    /** The propensity value of an on-policy event, which logged none. */
    public static final double ON_POLICY = Double.NaN;

    private final PolicySpec spec;
    private final int capacity;
    private final float[] features;
    private final int[] actions;
    private final float[] rewards;
    private final float[] advantages;
    private final double[] propensities;
    private int size;

    public MicroBatch(PolicySpec spec, int capacity) {
        this.spec = Objects.requireNonNull(spec, "The policy spec must not be null.");
        if (capacity < 1) {
            throw new IllegalArgumentException(
                    "The micro-batch capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.features = new float[Math.multiplyExact(capacity, spec.features())];
        this.actions = new int[Math.multiplyExact(capacity, spec.headCount())];
        this.rewards = new float[capacity];
        this.advantages = new float[capacity];
        this.propensities = new double[capacity];
    }

    /**
     * Appends one event.
     *
     * @param propensity the logged probability of the action tuple in (0, 1], or {@link #ON_POLICY}
     * @return the row index
     * @throws IllegalStateException when full
     */
    public int add(float[] x, int[] a, float reward, float advantage, double propensity) {
        if (size == capacity) {
            throw new IllegalStateException("The micro-batch is full (" + capacity + " rows).");
        }
        int d = spec.features();
        int heads = spec.headCount();
        if (x.length != d || a.length != heads) {
            throw new IllegalArgumentException(
                    "An event of policy "
                            + spec.id()
                            + " needs "
                            + d
                            + " features and "
                            + heads
                            + " actions.");
        }
        for (int h = 0; h < heads; h++) {
            if (a[h] < 0 || a[h] >= spec.actions(h)) {
                throw new IllegalArgumentException(
                        "Action " + a[h] + " is out of range for head " + h + ".");
            }
        }
        System.arraycopy(x, 0, features, size * d, d);
        System.arraycopy(a, 0, actions, size * heads, heads);
        rewards[size] = reward;
        advantages[size] = advantage;
        propensities[size] = propensity;
        return size++;
    }

    public void clear() {
        size = 0;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public boolean isFull() {
        return size == capacity;
    }

    public int capacity() {
        return capacity;
    }

    public PolicySpec spec() {
        return spec;
    }

    /** The {@code B x d} feature rows (the buffer itself; rows past {@link #size()} are stale). */
    public float[] features() {
        return features;
    }

    /** The {@code B x H} action rows (the buffer itself). */
    public int[] actions() {
        return actions;
    }

    public float[] rewards() {
        return rewards;
    }

    public float[] advantages() {
        return advantages;
    }

    public double[] propensities() {
        return propensities;
    }
}
