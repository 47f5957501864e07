package org.flinkreinforce.model.ranker;

import java.util.Arrays;

/**
 * The arguments of a {@link RankerKernel}: the {@code phi} of a run of candidates (of one decision
 * or of several), the weights they are scored with and the sparse gradients they add to, in
 * primitive arrays with explicit lengths. Created once per learner and reused: the arrays grow to
 * the largest run seen (bounded by the policy's limits and the learner's chunk) and are cleared,
 * not reallocated, so a run allocates nothing after that.
 *
 * <p>Notation ({@link RankerLearner}), for {@code K = candidates}:
 *
 * <ul>
 *   <li>Candidate {@code k}'s {@code phi(x, c_k)} is entries {@code [start(k), ends[k])} of {@link
 *       #indices} (weight indices) and {@link #values}, with {@code start(0) = 0} and {@code
 *       start(k) = ends[k - 1]}. A weight index is used modulo the weights' length, a power of two,
 *       so that a kernel cannot read or write outside them; the indices a {@link RankerPolicy}
 *       builds are already below it.
 *   <li>{@link RankerKernel#scores} reads {@link #weights} (and {@link #otherWeights} where not
 *       null) and overwrites {@code scores[k] = sum_j weights[indices[j]] * values[j]} (and {@code
 *       otherScores[k]} likewise) for {@code k < K}; nothing else.
 *   <li>{@link RankerKernel#scatter} reads {@link #coefficients} {@code c_k} (and, where {@link
 *       #modelGradient} is not null, {@link #modelCoefficients} {@code m_k}); for every candidate
 *       whose coefficient is not 0 it adds {@code (float) (c_k * values[j])} to {@code
 *       gradient[indices[j]]} (and {@code (float) (m_k * values[j])} to {@code
 *       modelGradient[indices[j]]}), entry by entry in order, so every kernel rounds alike; and it
 *       records every weight it adds to for the first time since the bitset was cleared: its bit in
 *       {@link #touchedBits} is set and its index appended to {@link #touched} at {@link
 *       #touchedCount}, which it advances. It changes nothing else.
 * </ul>
 *
 * <p>Not thread-safe.
 */
public final class RankerBatch {

    /** The number of candidates of the run. */
    public int candidates;

    /** The end of each candidate's entries; {@code [0 .. candidates)} are valid. */
    public int[] ends = new int[8];

    /** The number of entries of the run: {@code ends[candidates - 1]}, or 0. */
    public int entries;

    public int[] indices = new int[256];
    public float[] values = new float[256];

    /** The policy's weights, {@code 2^bits}, read by {@link RankerKernel#scores}. */
    public float[] weights;

    /** A second linear function scored with the first (a reward model), or null. */
    public float[] otherWeights;

    public double[] scores = new double[8];
    public double[] otherScores = new double[8];
    public double[] coefficients = new double[8];
    public double[] modelCoefficients = new double[8];

    /** The batch gradient, as long as the weights. */
    public float[] gradient;

    /** The reward model's batch gradient, or null for none. */
    public float[] modelGradient;

    /** One bit per weight: set where the gradients hold a sum since the last update. */
    public long[] touchedBits;

    /** The weights whose bits are set, in the order they were first added to. */
    public int[] touched;

    public int touchedCount;

    /** Empties the run of candidates, keeping its arrays, the gradients and what they touched. */
    public void clearCandidates() {
        candidates = 0;
        entries = 0;
    }

    /** Makes room for {@code more} entries after the current ones. */
    void reserveEntries(int more) {
        int needed = entries + more;
        if (needed > indices.length) {
            int size = Math.max(needed, 2 * indices.length);
            indices = Arrays.copyOf(indices, size);
            values = Arrays.copyOf(values, size);
        }
    }

    /** Ends the current candidate at the current entry. */
    void endCandidate() {
        if (candidates == ends.length) {
            int size = 2 * candidates;
            ends = Arrays.copyOf(ends, size);
            scores = Arrays.copyOf(scores, size);
            otherScores = Arrays.copyOf(otherScores, size);
            coefficients = Arrays.copyOf(coefficients, size);
            modelCoefficients = Arrays.copyOf(modelCoefficients, size);
        }
        ends[candidates++] = entries;
    }

    /** The first entry of candidate {@code k}. */
    public int start(int k) {
        return k == 0 ? 0 : ends[k - 1];
    }

    /**
     * Makes {@link #touched} hold every entry of the run besides those it holds: no kernel call
     * then runs out of room, as no run touches more weights than it has entries, nor more than
     * there are weights.
     */
    void reserveTouched() {
        int needed = (int) Math.min(gradient.length, (long) touchedCount + entries);
        if (touched.length < needed) {
            touched =
                    Arrays.copyOf(
                            touched,
                            Math.max(needed, Math.min(gradient.length, 2 * touched.length)));
        }
    }

    /**
     * Checks what a native kernel relies on (the arrays' lengths and the ends' order), in time
     * proportional to the candidates, not the entries: where this passes, no entry is read or
     * written outside its array.
     *
     * @param forScatter whether the gradients, coefficients and touched lists are checked too
     * @throws IllegalArgumentException with what is wrong
     */
    void check(boolean forScatter) {
        require(candidates >= 0 && candidates <= ends.length, "candidates within the ends");
        int previous = 0;
        for (int k = 0; k < candidates; k++) {
            require(ends[k] >= previous, "ends in order");
            previous = ends[k];
        }
        require(
                previous <= indices.length && previous <= values.length,
                "the entries within the indices and values");
        require(
                weights != null && Integer.bitCount(weights.length) == 1,
                "weights of a power-of-two length");
        if (!forScatter) {
            require(scores.length >= candidates, "room for the scores");
            require(
                    otherWeights == null
                            || (otherWeights.length == weights.length
                                    && otherScores.length >= candidates),
                    "other weights as long as the weights, and room for their scores");
            return;
        }
        require(coefficients.length >= candidates, "a coefficient per candidate");
        require(
                gradient != null && gradient.length == weights.length,
                "a gradient as long as the weights");
        require(
                modelGradient == null
                        || (modelGradient.length == weights.length
                                && modelCoefficients.length >= candidates),
                "a model gradient as long as the weights, and a model coefficient per candidate");
        require(
                touchedBits != null && (long) touchedBits.length * 64 >= weights.length,
                "a touched bit per weight");
        require(
                touched != null
                        && touchedCount >= 0
                        && touched.length
                                >= Math.min(weights.length, (long) touchedCount + previous),
                "room in the touched list for every entry");
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalArgumentException("A ranker kernel's batch needs " + what + ".");
        }
    }
}
