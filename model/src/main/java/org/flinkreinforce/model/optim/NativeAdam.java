package org.flinkreinforce.model.optim;

import org.flinkreinforce.model.kernel.NativeLibraryLoader;

/**
 * Adam's per-parameter loop and the gradient's sum of squares in the native library ({@code
 * src/main/native/optim.c}) in float64, with AVX-512 (8 parameters per step) or AVX2 (4), the same
 * IEEE operations in the same order as {@link Optimizer}'s Java loop (no fused multiply-adds,
 * correctly rounded square roots and divisions), so each path gives the Java loop's bits. Available
 * where the library loads and the kernel's CPU dispatch ({@code dispatch.c}) finds AVX2 or AVX-512;
 * elsewhere {@link Optimizer} keeps its Java loop.
 */
final class NativeAdam {

    // the values of kernel.h's RK_ISA_*; RK_ISA_PORTABLE means no native path here
    /** No native path: the Java loop. */
    static final int NONE = 0;

    static final int AVX2 = 1;

    static final int AVX512 = 2;

    private static final int BEST;

    /** Why there is no native path, or null. */
    private static final String MISSING;

    static {
        int best = NONE;
        String missing;
        try {
            NativeLibraryLoader.ensureLoaded();
            best = isa0(AVX512);
            missing = best == NONE ? "the CPU has neither AVX2 nor AVX-512" : null;
        } catch (UnsupportedOperationException | UnsatisfiedLinkError e) {
            // no library for this platform, or a library without these entry points
            missing = e.toString();
        }
        BEST = best;
        MISSING = missing;
    }

    private NativeAdam() {}

    /** The best path this CPU runs: {@link #AVX512}, {@link #AVX2} or {@link #NONE}. */
    static int best() {
        return BEST;
    }

    /** Why {@link #best()} is {@link #NONE}; null where it is not. */
    static String missing() {
        return MISSING;
    }

    /** {@code native-avx512}, {@code native-avx2} or {@code java}. */
    static String name(int isa) {
        return isa == AVX512 ? "native-avx512" : isa == AVX2 ? "native-avx2" : "java";
    }

    /** {@code requested}, lowered to what this CPU runs; {@link #NONE} if not even AVX2. */
    static native int isa0(int requested);

    /**
     * {@code sum_k (g_k - l2 theta_k)^2} in float64 in {@link Optimizer}'s order (eight interleaved
     * partial sums, added pairwise) with path {@code isa} (lowered to what the CPU runs); -1 if
     * there is no such path or the arrays could not be pinned.
     */
    static native double squares0(
            int isa, int size, float[] gradient, float[] parameters, double l2);

    /**
     * The next parameters and moments of one Adam step into the three {@code out} arrays, with path
     * {@code isa} (lowered to what the CPU runs).
     *
     * @return 1 if any of them is not finite in float32, 0 if all are, -1 if there is no such path
     *     or the arrays could not be pinned (nothing written)
     */
    static native int step0(
            int isa,
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
