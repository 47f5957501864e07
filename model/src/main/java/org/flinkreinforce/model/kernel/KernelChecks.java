package org.flinkreinforce.model.kernel;

/**
 * Bounds checks of the kernel arguments, done in Java before native code touches the arrays, so a
 * programmer mistake throws instead of corrupting memory. Action values are checked too: an
 * out-of-range action would index outside a row.
 */
final class KernelChecks {

    private KernelChecks() {}

    static void checkForward(
            int batch,
            int d,
            int n,
            float[] x,
            float[] params,
            int weightOffset,
            int biasOffset,
            int[] chosen,
            int actionOffset,
            int actionStride,
            float[] probs,
            float[] logProbChosen,
            float[] entropy) {
        checkShape(batch, d, n, x);
        checkRange(params, weightOffset, (long) n * d, "weights");
        checkRange(params, biasOffset, n, "biases");
        checkActions(batch, n, chosen, actionOffset, actionStride);
        checkRange(probs, 0, (long) batch * n, "probabilities");
        checkRange(logProbChosen, 0, batch, "log-probabilities");
        checkRange(entropy, 0, batch, "entropies");
    }

    static void checkBackward(
            int batch,
            int d,
            int n,
            float[] x,
            int[] chosen,
            int actionOffset,
            int actionStride,
            float[] probs,
            float[] coefficients,
            float[] entropy,
            float[] gradient,
            int weightOffset,
            int biasOffset) {
        checkShape(batch, d, n, x);
        checkActions(batch, n, chosen, actionOffset, actionStride);
        checkRange(probs, 0, (long) batch * n, "probabilities");
        checkRange(coefficients, 0, batch, "coefficients");
        checkRange(entropy, 0, batch, "entropies");
        checkRange(gradient, weightOffset, (long) n * d, "weight gradient");
        checkRange(gradient, biasOffset, n, "bias gradient");
    }

    private static void checkShape(int batch, int d, int n, float[] x) {
        if (batch < 1 || d < 0 || n < 2) {
            throw new IllegalArgumentException(
                    "Invalid kernel shape: batch "
                            + batch
                            + ", features "
                            + d
                            + ", actions "
                            + n
                            + ".");
        }
        checkRange(x, 0, (long) batch * d, "features");
    }

    private static void checkActions(int batch, int n, int[] chosen, int offset, int stride) {
        if (offset < 0 || stride < 1 || offset + (long) (batch - 1) * stride >= chosen.length) {
            throw new IllegalArgumentException(
                    "The action array is too short for " + batch + " rows.");
        }
        for (int i = 0; i < batch; i++) {
            int action = chosen[offset + i * stride];
            if (action < 0 || action >= n) {
                throw new IllegalArgumentException(
                        "Action " + action + " of row " + i + " is outside [0, " + n + ").");
            }
        }
    }

    private static void checkRange(float[] array, int offset, long length, String what) {
        if (array == null || offset < 0 || offset + length > array.length) {
            throw new IllegalArgumentException(
                    "The "
                            + what
                            + " array is too short: needs "
                            + length
                            + " from "
                            + offset
                            + ".");
        }
    }
}
