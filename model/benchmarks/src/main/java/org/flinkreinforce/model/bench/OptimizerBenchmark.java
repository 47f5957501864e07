package org.flinkreinforce.model.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.flinkreinforce.model.optim.Optimizer;
import org.flinkreinforce.model.optim.OptimizerSettings;
import org.flinkreinforce.model.optim.OptimizerState;
import org.flinkreinforce.model.optim.UpdateResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One Adam step over a policy's parameters (clipping and the all-or-nothing finiteness check
 * included), with the per-parameter loop in Java or in the native library; the score is the time
 * per step. {@code size} 129000 is a head of 128 features and 1000 actions, the shape where Adam
 * was most of the learner's time end to end.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class OptimizerBenchmark {

    @Param({"java", "native"})
    public String loop;

    @Param({"3300", "129000"})
    public int size;

    private Optimizer optimizer;
    private OptimizerState state;
    private float[] parameters;
    private float[] gradient;

    @Setup
    public void setUp() {
        optimizer = new Optimizer(OptimizerSettings.adam(1e-3), size, loop.equals("native"));
        if (!optimizer.implementation().startsWith(loop)) {
            throw new IllegalStateException(
                    "The " + loop + " loop is not available here: " + optimizer.implementation());
        }
        state = optimizer.newState();
        Random random = new Random(1);
        parameters = new float[size];
        gradient = new float[size];
        for (int k = 0; k < size; k++) {
            parameters[k] = (float) random.nextGaussian();
            gradient[k] = (float) (random.nextGaussian() * 1e-3);
        }
    }

    @Benchmark
    public UpdateResult adamStep() {
        return optimizer.ascend(parameters, gradient, state);
    }
}
