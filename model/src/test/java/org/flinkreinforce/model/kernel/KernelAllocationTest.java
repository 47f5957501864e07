package org.flinkreinforce.model.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The native and vector kernels allocate nothing on the Java heap per batch once warmed up for a
 * shape (the JMH {@code -prof gc} numbers measure the same, with the harness's own noise).
 */
class KernelAllocationTest {

    private static final int CALLS = 200;

    /** {batch, features, actions}: odd sizes, and two of the benchmark's shapes. */
    private static final int[][] SHAPES = {{96, 24, 37}, {256, 32, 10}, {512, 64, 100}};

    @Test
    void shouldNotAllocatePerBatchInTheNativeKernel() {
        if (GradientKernels.nativeAvailable()) {
            for (int[] shape : SHAPES) {
                assertThat(bytesPerBatch(new NativeKernel(), shape))
                        .as(java.util.Arrays.toString(shape))
                        .isZero();
            }
        }
    }

    @Test
    void shouldNotAllocatePerBatchInTheVectorKernel() {
        for (int[] shape : SHAPES) {
            assertThat(bytesPerBatch(new VectorKernel(), shape))
                    .as(java.util.Arrays.toString(shape))
                    .isZero();
        }
    }

    private static long bytesPerBatch(GradientKernel kernel, int[] shape) {
        int batch = shape[0];
        int d = shape[1];
        int n = shape[2];
        Random random = new Random(1);
        float[] x = new float[batch * d];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) random.nextGaussian();
        }
        float[] params = new float[n * d + n];
        int[] chosen = new int[batch];
        float[] coefficients = new float[batch];
        for (int i = 0; i < batch; i++) {
            chosen[i] = random.nextInt(n);
            coefficients[i] = (float) random.nextGaussian();
        }
        float[] probs = new float[batch * n];
        float[] logProbChosen = new float[batch];
        float[] entropy = new float[batch];
        float[] gradient = new float[params.length];
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        // Warm up: JIT compilation and the kernel's scratch buffers for this shape.
        for (int k = 0; k < 2000; k++) {
            run(
                    kernel,
                    batch,
                    d,
                    n,
                    x,
                    params,
                    chosen,
                    probs,
                    logProbChosen,
                    entropy,
                    coefficients,
                    gradient);
        }
        long overhead = threads.getThreadAllocatedBytes(thread);
        overhead = threads.getThreadAllocatedBytes(thread) - overhead;
        long before = threads.getThreadAllocatedBytes(thread);
        for (int k = 0; k < CALLS; k++) {
            run(
                    kernel,
                    batch,
                    d,
                    n,
                    x,
                    params,
                    chosen,
                    probs,
                    logProbChosen,
                    entropy,
                    coefficients,
                    gradient);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before - overhead;
        return Math.max(0, allocated) / CALLS;
    }

    private static void run(
            GradientKernel kernel,
            int batch,
            int d,
            int n,
            float[] x,
            float[] params,
            int[] chosen,
            float[] probs,
            float[] logProbChosen,
            float[] entropy,
            float[] coefficients,
            float[] gradient) {
        kernel.forward(
                batch, d, n, x, params, 0, n * d, chosen, 0, 1, probs, logProbChosen, entropy);
        kernel.backward(
                batch,
                d,
                n,
                x,
                chosen,
                0,
                1,
                probs,
                coefficients,
                0.01f,
                entropy,
                1f / batch,
                gradient,
                0,
                n * d);
    }
}
