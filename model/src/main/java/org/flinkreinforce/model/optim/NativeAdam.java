package org.flinkreinforce.model.optim;

import org.flinkreinforce.model.kernel.NativeLibraryLoader;

/**
 * Adam's per-parameter loop and the gradient's sum of squares in the native library ({@code
 * src/main/native/optim.c}): AVX-512, 8 parameters per step in float64, the same IEEE operations in
 * the same order as {@link Optimizer}'s Java loop (no fused multiply-adds, correctly rounded square
 * roots and divisions), so the two give the same bits. Available only where the library loads and
 * the CPU has AVX-512; elsewhere {@link Optimizer} keeps its Java loop.
 */
final class NativeAdam {

    private static final boolean AVAILABLE = probe();

    private NativeAdam() {}

    /** Whether {@link #step0} can run here. */
    static boolean available() {
        return AVAILABLE;
    }

    private static boolean probe() {
        try {
            NativeLibraryLoader.ensureLoaded();
            return supported0();
        } catch (UnsupportedOperationException | UnsatisfiedLinkError e) {
            return false;
        }
    }

    static native boolean supported0();

    /**
     * {@code sum_k (g_k - l2 theta_k)^2} in float64 in {@link Optimizer}'s order (eight interleaved
     * partial sums, added pairwise); -1 if the arrays could not be pinned.
     */
    static native double squares0(int size, float[] gradient, float[] parameters, double l2);

    /**
     * The next parameters and moments of one Adam step into the three {@code out} arrays.
     *
     * @return 1 if any of them is not finite in float32, 0 if all are, -1 if the arrays could not
     *     be pinned (nothing written)
     */
    static native int step0(
            int size,
            float[] gradient,
            float[] parameters,
            float[] first,
            float[] second,
            float[] parametersOut,
            float[] firstOut,
            float[] secondOut,
            double l2,
            double clip,
            double beta1,
            double oneMinusBeta1,
            double beta2,
            double oneMinusBeta2,
            double rate,
            double inverseSqrtCorrection2,
            double epsilon);
}
