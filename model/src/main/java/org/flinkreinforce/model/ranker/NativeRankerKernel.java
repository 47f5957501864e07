package org.flinkreinforce.model.ranker;

import org.flinkreinforce.model.kernel.NativeKernel;

/**
 * The ranker kernel in C through JNI ({@code src/main/native/ranker.c}), in the library of {@link
 * NativeKernel}. Its scatter is a scalar loop on every path: a vector scatter would have to resolve
 * the weights that one vector hits twice, and the CPUs this runs on scatter no faster than they
 * store one by one. Its scores have three paths: portable C, which sums as {@link JavaRankerKernel}
 * does, bit for bit; and gathers of 8 (AVX2) or 16 (AVX-512) weights at a time, summed in double
 * precision. A gather of a candidate's few dozen scattered weights measured slower than loading
 * them one by one (docs/benchmarks.md), so the kernel made without a path takes the portable one;
 * the gathers are there to be measured on other CPUs ({@link
 * #NativeRankerKernel(NativeKernel.Isa)}).
 *
 * <p>Arrays are pinned for the call, not copied; {@link RankerBatch#check} runs before each call,
 * so that no entry is read or written outside its array.
 */
public final class NativeRankerKernel implements RankerKernel {

    public static final String NAME = "native";

    private final NativeKernel.Isa isa;

    /**
     * A kernel on the portable path, the fastest measured.
     *
     * @throws UnsupportedOperationException if the library cannot be loaded
     */
    public NativeRankerKernel() {
        this(NativeKernel.Isa.PORTABLE);
    }

    /**
     * A kernel on a chosen path.
     *
     * @throws IllegalArgumentException if the CPU does not support it
     * @throws UnsupportedOperationException if the library cannot be loaded
     */
    public NativeRankerKernel(NativeKernel.Isa isa) {
        NativeKernel.Isa max = NativeKernel.maxIsa();
        if (isa.ordinal() > max.ordinal()) {
            throw new IllegalArgumentException(
                    "This CPU supports the native kernel up to " + max + ", not " + isa + ".");
        }
        this.isa = isa;
    }

    public NativeKernel.Isa isa() {
        return isa;
    }

    @Override
    public void scores(RankerBatch b) {
        b.check(false);
        if (b.candidates == 0) {
            return;
        }
        scores0(
                isa.ordinal(),
                b.candidates,
                b.ends,
                b.indices,
                b.values,
                b.weights,
                b.otherWeights,
                b.scores,
                b.otherScores);
    }

    @Override
    public void scatter(RankerBatch b) {
        b.check(true);
        if (b.candidates == 0) {
            return;
        }
        int count =
                scatter0(
                        b.candidates,
                        b.ends,
                        b.indices,
                        b.values,
                        b.coefficients,
                        b.gradient,
                        b.modelGradient == null ? null : b.modelCoefficients,
                        b.modelGradient,
                        b.touchedBits,
                        b.touched,
                        b.touchedCount);
        if (count == -1) {
            throw new IllegalArgumentException(
                    "A ranker kernel's batch needs room in the touched list for every weight it"
                            + " touches: its touched bits and list disagree.");
        }
        if (count < 0) {
            throw new IllegalStateException("The native ranker kernel could not pin its arrays.");
        }
        b.touchedCount = count;
    }

    @Override
    public String toString() {
        return NAME + "(" + isa + ")";
    }

    private static native void scores0(
            int isa,
            int candidates,
            int[] ends,
            int[] indices,
            float[] values,
            float[] weights,
            float[] otherWeights,
            double[] scores,
            double[] otherScores);

    /**
     * Returns the new touched count; -1 where the touched list ran out of room, -2 where an array
     * could not be pinned.
     */
    private static native int scatter0(
            int candidates,
            int[] ends,
            int[] indices,
            float[] values,
            double[] coefficients,
            float[] gradient,
            double[] modelCoefficients,
            float[] modelGradient,
            long[] touchedBits,
            int[] touched,
            int touchedCount);
}
