package org.flinkreinforce.model.bench;

import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * A kernel's fraction of the FMA peak, measured as pairs: each pair is one JMH fork of {@link
 * FmaPeakBenchmark} and one of {@link KernelBenchmark} run back to back (alternating which goes
 * first), and its ratio is the kernel's {@code flops} over that peak. On a shared machine the level
 * of both drifts over minutes and a kernel that streams megabytes through the shared cache also
 * slows down while neighbours use it, which the register-only peak loop does not; one run's ratio
 * is therefore one draw. This prints every pair's ratio and their median, minimum and maximum.
 *
 * <pre>
 * java -cp model/benchmarks/target/benchmarks.jar org.flinkreinforce.model.bench.PairedPeakRuns \
 *     [pairs (8)] [shape (1024x128x1000)] [kernel (native)]
 * </pre>
 */
public final class PairedPeakRuns {

    private static final int WARMUP_ITERATIONS = 3;
    private static final int MEASUREMENT_ITERATIONS = 3;

    private PairedPeakRuns() {}

    public static void main(String[] args) throws RunnerException {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        String shape = args.length > 1 ? args[1] : "1024x128x1000";
        String kernel = args.length > 2 ? args[2] : "native";
        if (pairs < 1) {
            throw new IllegalArgumentException("The number of pairs must be at least 1: " + pairs);
        }
        double[] peaks = new double[pairs];
        double[] flops = new double[pairs];
        for (int pair = 0; pair < pairs; pair++) {
            if (pair % 2 == 0) {
                peaks[pair] = peak();
                flops[pair] = kernelFlops(shape, kernel);
            } else {
                flops[pair] = kernelFlops(shape, kernel);
                peaks[pair] = peak();
            }
        }
        System.out.printf(
                Locale.ROOT, "%n%s at %s against the FMA peak, %d pairs%n", kernel, shape, pairs);
        System.out.println("| pair | peak GFLOP/s | kernel GFLOP/s | kernel / peak |");
        System.out.println("| --- | --- | --- | --- |");
        double[] ratios = new double[pairs];
        for (int pair = 0; pair < pairs; pair++) {
            ratios[pair] = flops[pair] / peaks[pair];
            System.out.printf(
                    Locale.ROOT,
                    "| %d | %.1f | %.1f | %.3f |%n",
                    pair + 1,
                    peaks[pair] / 1e9,
                    flops[pair] / 1e9,
                    ratios[pair]);
        }
        Arrays.sort(ratios);
        double median =
                pairs % 2 == 1
                        ? ratios[pairs / 2]
                        : (ratios[pairs / 2 - 1] + ratios[pairs / 2]) / 2;
        System.out.printf(
                Locale.ROOT,
                "kernel / peak: median %.3f, min %.3f, max %.3f%n",
                median,
                ratios[0],
                ratios[pairs - 1]);
    }

    private static double peak() throws RunnerException {
        return single(run(FmaPeakBenchmark.class.getName() + ".fmaPeak", null, null))
                .getPrimaryResult()
                .getScore();
    }

    private static double kernelFlops(String shape, String kernel) throws RunnerException {
        RunResult result =
                single(run(KernelBenchmark.class.getName() + ".forwardBackward", shape, kernel));
        Result<?> flops = result.getSecondaryResults().get("flops");
        if (flops == null) {
            throw new IllegalStateException("KernelBenchmark reported no flops counter.");
        }
        return flops.getScore();
    }

    private static Collection<RunResult> run(String benchmark, String shape, String kernel)
            throws RunnerException {
        OptionsBuilder builder = new OptionsBuilder();
        builder.include("^" + benchmark.replace(".", "\\.") + "$")
                .forks(1)
                .warmupIterations(WARMUP_ITERATIONS)
                .measurementIterations(MEASUREMENT_ITERATIONS);
        if (shape != null) {
            builder.param("shape", shape).param("kernel", kernel);
        }
        Options options = builder.build();
        return new Runner(options).run();
    }

    private static RunResult single(Collection<RunResult> results) {
        if (results.size() != 1) {
            throw new IllegalStateException(
                    "Expected one benchmark result, got " + results.size() + ".");
        }
        return results.iterator().next();
    }
}
