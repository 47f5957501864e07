package org.flinkreinforce.model.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;

/**
 * The single-core fp32 FMA peak of this machine: 16 independent chains of 512-bit fused
 * multiply-adds (enough to cover the FMA latency on every pipe), so the score in ops/s is
 * floating-point operations per second. A kernel's {@code flops} rate divided by this score is the
 * fraction of the core it reaches.
 */
public class FmaPeakBenchmark extends ThroughputBenchmark {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_512;
    private static final int ITERATIONS = 4096;
    private static final int CHAINS = 16;

    /** Per call: iterations x chains x 16 lanes x 2 operations (multiply and add). */
    private static final int FLOPS = ITERATIONS * CHAINS * 16 * 2;

    private float multiplier;
    private float addend;

    @Setup
    public void setUp() {
        multiplier = 0.999f;
        addend = 1e-3f;
    }

    @Benchmark
    @OperationsPerInvocation(FLOPS)
    public float fmaPeak() {
        FloatVector m = FloatVector.broadcast(SPECIES, multiplier);
        FloatVector c = FloatVector.broadcast(SPECIES, addend);
        FloatVector a0 = c, a1 = c.add(1f), a2 = c.add(2f), a3 = c.add(3f);
        FloatVector a4 = c.add(4f), a5 = c.add(5f), a6 = c.add(6f), a7 = c.add(7f);
        FloatVector a8 = c.add(8f), a9 = c.add(9f), a10 = c.add(10f), a11 = c.add(11f);
        FloatVector a12 = c.add(12f), a13 = c.add(13f), a14 = c.add(14f), a15 = c.add(15f);
        for (int k = 0; k < ITERATIONS; k++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
            a12 = a12.fma(m, c);
            a13 = a13.fma(m, c);
            a14 = a14.fma(m, c);
            a15 = a15.fma(m, c);
        }
        FloatVector sum =
                a0.add(a1)
                        .add(a2)
                        .add(a3)
                        .add(a4)
                        .add(a5)
                        .add(a6)
                        .add(a7)
                        .add(a8)
                        .add(a9)
                        .add(a10)
                        .add(a11)
                        .add(a12)
                        .add(a13)
                        .add(a14)
                        .add(a15);
        return sum.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
