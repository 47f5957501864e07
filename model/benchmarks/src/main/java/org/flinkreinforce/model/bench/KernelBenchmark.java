package org.flinkreinforce.model.bench;

import java.util.Random;
import org.flinkreinforce.model.kernel.GradientKernel;
import org.flinkreinforce.model.kernel.GradientKernels;
import org.flinkreinforce.model.kernel.HeadBatch;
import org.flinkreinforce.model.kernel.KernelChoice;
import org.flinkreinforce.model.util.SettingNames;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One micro-batch of one head through a kernel: forward (logits, softmax, entropy) then backward
 * (logit gradient, both parameter gradients). The score is batches per second; the auxiliary
 * counter {@code flops} reports the two GEMMs' {@code 4 B d n} floating-point operations per
 * second, comparable with {@link FmaPeakBenchmark}.
 */
public class KernelBenchmark extends ThroughputBenchmark {

    @Param({"ejml", "vector", "native"})
    public String kernel;

    /** Batch x features x actions. */
    @Param({"256x32x10", "512x64x100", "1024x128x1000", "2048x256x10000"})
    public String shape;

    private GradientKernel gradientKernel;
    private long flopsPerBatch;
    private HeadBatch head;
    private float[] gradient;

    /** Counts floating-point operations, reported by JMH as a rate next to the score. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public long flops;

        @Setup(Level.Iteration)
        public void reset() {
            flops = 0;
        }
    }

    @Setup
    public void setUp() {
        String[] parts = shape.split("x");
        int batch = Integer.parseInt(parts[0]);
        int features = Integer.parseInt(parts[1]);
        int actions = Integer.parseInt(parts[2]);
        flopsPerBatch = 4L * batch * features * actions;
        gradientKernel =
                GradientKernels.create(SettingNames.parse(KernelChoice.class, kernel, "kernel"));
        Random random = new Random(42);
        float[] x = new float[batch * features];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) random.nextGaussian();
        }
        float[] params = new float[actions * features + actions];
        for (int k = 0; k < params.length; k++) {
            params[k] = (float) (random.nextGaussian() * 0.1);
        }
        int[] chosen = new int[batch];
        head = new HeadBatch(batch, features, actions);
        for (int i = 0; i < batch; i++) {
            chosen[i] = random.nextInt(actions);
            head.coefficients[i] = (float) random.nextGaussian();
        }
        gradient = new float[params.length];
        head.setRows(batch, x, chosen).setParameters(params, gradient).setScale(1f / batch);
    }

    @Benchmark
    public float forwardBackward(Flops counter) {
        gradientKernel.forward(head);
        gradientKernel.backward(head);
        counter.flops += flopsPerBatch;
        return gradient[0];
    }
}
