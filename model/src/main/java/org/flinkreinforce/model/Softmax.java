package org.flinkreinforce.model;

/** Numerically stable softmax helpers in float64 (log-sum-exp with the maximum subtracted). */
public final class Softmax {

    private Softmax() {}

    /** {@code log sum_a exp(z_a)} over {@code z[0 .. n)}; finite for any finite logits. */
    public static double logSumExp(double[] z, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int a = 0; a < n; a++) {
            max = Math.max(max, z[a]);
        }
        double sum = 0;
        for (int a = 0; a < n; a++) {
            sum += Math.exp(z[a] - max);
        }
        return max + Math.log(sum);
    }

    /** Replaces {@code z[0 .. n)} by {@code softmax(z)}. */
    public static void softmaxInPlace(double[] z, int n) {
        double logNormaliser = logSumExp(z, n);
        for (int a = 0; a < n; a++) {
            z[a] = Math.exp(z[a] - logNormaliser);
        }
    }

    /** The entropy {@code -sum p log p} of a distribution, with {@code 0 log 0 = 0}. */
    public static double entropy(double[] p, int n) {
        double entropy = 0;
        for (int a = 0; a < n; a++) {
            if (p[a] > 0) {
                entropy -= p[a] * Math.log(p[a]);
            }
        }
        return entropy;
    }
}
