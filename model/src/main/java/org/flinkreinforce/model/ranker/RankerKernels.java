package org.flinkreinforce.model.ranker;

import org.flinkreinforce.model.kernel.GradientKernels;
import org.flinkreinforce.model.kernel.KernelChoice;

/**
 * Chooses the {@link RankerKernel} for the job's {@code kernel} option: {@code native} (which fails
 * loudly where the library cannot load), {@code auto} (native where it loads, else Java), and
 * {@code vector} or {@code ejml}, which name softmax kernels: a ranker then uses the Java one.
 */
public final class RankerKernels {

    private RankerKernels() {}

    /** A kernel for {@code choice}. */
    public static RankerKernel create(KernelChoice choice) {
        switch (choice) {
            case NATIVE:
                return new NativeRankerKernel();
            case AUTO:
                return GradientKernels.nativeAvailable()
                        ? new NativeRankerKernel()
                        : JavaRankerKernel.INSTANCE;
            default:
                return JavaRankerKernel.INSTANCE;
        }
    }
}
