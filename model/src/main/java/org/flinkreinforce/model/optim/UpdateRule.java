package org.flinkreinforce.model.optim;

/**
 * The per-parameter arithmetic of one optimizer kind behind {@link Optimizer}: the squared norm of
 * the ascent direction, and the candidate next parameters and moments of one step. {@link
 * Optimizer} picks the rule once, at construction ({@link SgdRule}, or {@link AdamRule} with its
 * loop in Java or in the native library), and does what every kind shares: the size checks, the
 * norm check, clipping and the all-or-nothing commit.
 *
 * <p>All arithmetic is float64, rounded to float32 where a value is stored. Not thread-safe: a rule
 * keeps scratch so that it allocates nothing per step.
 */
abstract class UpdateRule {

    final OptimizerSettings settings;

    /** Where {@link #propose} writes a step, for {@link Optimizer} to commit once it is finite. */
    final Candidate next;

    /** The eight partial sums of {@link #sumOfSquares}, kept to allocate nothing per step. */
    private final double[] lanes = new double[8];

    /** A rule for {@code size} parameters. */
    UpdateRule(OptimizerSettings settings, int size) {
        this.settings = settings;
        this.next = new Candidate(settings.kind(), size);
    }

    /** Where the loops run: {@code java}, or {@code native-avx512}; both give the same bits. */
    abstract String implementation();

    /**
     * Writes the next parameters and moments of one step into {@link #next}, reading and changing
     * neither the arguments nor {@code state}.
     *
     * @param clip the factor (at most 1) that scales the ascent direction {@code g - l2 theta}
     * @return whether every value written is finite in float32
     */
    abstract boolean propose(
            float[] parameters, float[] gradient, OptimizerState state, double clip);

    /**
     * {@code sum_k (g_k - l2 theta_k)^2} in float64 as eight interleaved partial sums (parameter
     * {@code k} in sum {@code k mod 8}), added pairwise at the end: eight independent chains of
     * additions instead of one, and the order the native loop uses, so both give the same bits.
     */
    double sumOfSquares(float[] gradient, float[] parameters, double l2) {
        int size = parameters.length;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int k = 0;
        for (; k + 8 <= size; k += 8) {
            double d0 = gradient[k] - l2 * parameters[k];
            double d1 = gradient[k + 1] - l2 * parameters[k + 1];
            double d2 = gradient[k + 2] - l2 * parameters[k + 2];
            double d3 = gradient[k + 3] - l2 * parameters[k + 3];
            double d4 = gradient[k + 4] - l2 * parameters[k + 4];
            double d5 = gradient[k + 5] - l2 * parameters[k + 5];
            double d6 = gradient[k + 6] - l2 * parameters[k + 6];
            double d7 = gradient[k + 7] - l2 * parameters[k + 7];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
            s4 += d4 * d4;
            s5 += d5 * d5;
            s6 += d6 * d6;
            s7 += d7 * d7;
        }
        lanes[0] = s0;
        lanes[1] = s1;
        lanes[2] = s2;
        lanes[3] = s3;
        lanes[4] = s4;
        lanes[5] = s5;
        lanes[6] = s6;
        lanes[7] = s7;
        for (; k < size; k++) {
            double d = gradient[k] - l2 * parameters[k];
            lanes[k & 7] += d * d;
        }
        return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
                + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    }
}
