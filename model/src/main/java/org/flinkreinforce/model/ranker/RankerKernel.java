package org.flinkreinforce.model.ranker;

/**
 * A ranker policy's scores and sparse gradient over a run of candidates of variable sets: the
 * gathers and scatters of its learning ({@link RankerBatch} has the formulas and says what each
 * call reads and writes). The learner buffers the {@code phi} of many decisions and makes one call
 * of each per run, so that a native kernel's call costs little per decision.
 *
 * <p>{@link JavaRankerKernel} is always there; {@link NativeRankerKernel} gathers with AVX-512 or
 * AVX2 where the CPU has them. {@link RankerKernels} chooses. Every kernel adds to the gradients in
 * the same order with the same rounding, so they give the same gradient bit for bit; the scores may
 * differ in the last bits (vector kernels sum in another order).
 */
public interface RankerKernel {

    /** {@code scores[k]} (and {@code otherScores[k]}) of every candidate of the run. */
    void scores(RankerBatch batch);

    /** Adds each candidate's coefficient times its {@code phi} to the gradients. */
    void scatter(RankerBatch batch);

    /** The kernel's name and, where it has several, its code path. */
    @Override
    String toString();
}
