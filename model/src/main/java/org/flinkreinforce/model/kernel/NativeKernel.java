package org.flinkreinforce.model.kernel;

import java.util.Locale;

/**
 * The kernel in C through JNI ({@code src/main/native}), with runtime CPU dispatch between an
 * AVX-512 path, an AVX2+FMA path and portable C. The library is built by the Maven build, packaged
 * inside the jar and extracted and loaded by {@link NativeLibraryLoader}; the code path is chosen
 * per instance and never exceeds what the CPU supports, so it cannot fault with an illegal
 * instruction. Arrays are pinned (JNI critical sections) for the call, not copied.
 */
public final class NativeKernel implements GradientKernel {

    public static final String NAME = "native";

    /** The instruction-set paths of the library, lowest first. */
    public enum Isa {
        PORTABLE,
        AVX2,
        AVX512;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Isa isa;

    /** A kernel on the best path this CPU supports. */
    public NativeKernel() {
        this(maxIsa());
    }

    /**
     * A kernel on a chosen path, e.g. to test the portable code on a CPU with AVX-512.
     *
     * @throws IllegalArgumentException if the CPU does not support it
     * @throws UnsupportedOperationException if the library cannot be loaded
     */
    public NativeKernel(Isa isa) {
        Isa max = maxIsa();
        if (isa.ordinal() > max.ordinal()) {
            throw new IllegalArgumentException(
                    "This CPU supports the native kernel up to " + max + ", not " + isa + ".");
        }
        this.isa = isa;
    }

    /**
     * The best path this CPU supports.
     *
     * @throws UnsupportedOperationException if the library cannot be loaded, with the reason
     */
    public static Isa maxIsa() {
        NativeLibraryLoader.ensureLoaded();
        return Isa.values()[maxIsa0()];
    }

    public Isa isa() {
        return isa;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String toString() {
        return NAME + "(" + isa + ")";
    }

    @Override
    public void forward(HeadBatch b) {
        KernelChecks.check(b);
        forward0(
                isa.ordinal(),
                b.rows,
                b.features,
                b.actions,
                b.x,
                b.params,
                b.weightOffset,
                b.biasOffset,
                b.chosen,
                b.actionOffset,
                b.actionStride,
                b.probabilities,
                b.logProbChosen,
                b.entropy);
    }

    @Override
    public void predict(HeadBatch b) {
        KernelChecks.checkPredict(b);
        predict0(
                isa.ordinal(),
                b.rows,
                b.features,
                b.actions,
                b.x,
                b.rewardModel,
                b.weightOffset,
                b.biasOffset,
                b.actionValues);
    }

    @Override
    public void backward(HeadBatch b) {
        KernelChecks.check(b);
        backward0(
                isa.ordinal(),
                b.rows,
                b.features,
                b.actions,
                b.x,
                b.chosen,
                b.actionOffset,
                b.actionStride,
                b.probabilities,
                b.rewardModel == null ? null : b.actionValues,
                b.coefficients,
                b.entropyBonus,
                b.entropy,
                b.scale,
                b.gradient,
                b.weightOffset,
                b.biasOffset);
    }

    /*
     * The JNI entry points (src/main/native/dispatch.c) take the fields of a checked HeadBatch
     * one by one: primitive arguments and pinned arrays, so the C side reads no Java fields.
     */

    static native int maxIsa0();

    static native void forward0(
            int isa,
            int batch,
            int features,
            int actions,
            float[] x,
            float[] params,
            int weightOffset,
            int biasOffset,
            int[] chosen,
            int actionOffset,
            int actionStride,
            float[] probs,
            float[] logProbChosen,
            float[] entropy);

    static native void predict0(
            int isa,
            int batch,
            int features,
            int actions,
            float[] x,
            float[] model,
            int weightOffset,
            int biasOffset,
            float[] actionValues);

    /** {@code actionValues}: null for a batch without a reward model. */
    static native void backward0(
            int isa,
            int batch,
            int features,
            int actions,
            float[] x,
            int[] chosen,
            int actionOffset,
            int actionStride,
            float[] probs,
            float[] actionValues,
            float[] coefficients,
            float entropyBonus,
            float[] entropy,
            float scale,
            float[] gradient,
            int weightOffset,
            int biasOffset);
}
