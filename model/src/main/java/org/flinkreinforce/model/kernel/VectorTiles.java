package org.flinkreinforce.model.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tiles of {@link VectorKernel}, hand-unrolled (as EJML's {@code MatrixUnroll_*}):
 * {@code C = Init + A B} for {@code 8} rows of {@code A} and one or two vectors of columns of
 * {@code B}, the accumulators in named locals so that C2 keeps all of them in vector registers.
 * Each step broadcasts 8 values of {@code A} and loads one or two vectors of {@code B}, every
 * operand read at a constant stride, so that C2 hoists the bounds checks out of the loop. The tiles
 * are too large to be inlined: C2 always compiles them with their own profile, and they store their
 * accumulators directly (no vector crosses a call).
 *
 * <p>Four copies of one loop: {@link #tile2} and {@link #tile1} read {@code A} as a packed panel,
 * {@link #tile2Rows} and {@link #tile1Rows} read 8 rows of it in place.
 */
final class VectorTiles {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();

    /** Rows of a register tile, and the width of a packed panel of {@code A}. */
    static final int MR = 8;

    /**
     * Vectors per full register tile: two where the CPU has 32 vector registers (512-bit vectors:
     * 16 accumulators fit), one elsewhere.
     */
    static final int NV = LANES >= 16 ? 2 : 1;

    /** Columns of a full register tile, and the width of a full packed panel of {@code B}. */
    static final int NR = NV * LANES;

    private VectorTiles() {}

    /**
     * An {@code 8 x 2}-vector register tile, {@code C = Init + A B}: {@code C(r, v) = Init(r, v) +
     * sum_{k < depth} a[aBase + 8 k + r] * b[bBase + 2 LANES k + LANES v]}, with {@code Init(r, v)
     * = init[iBase + r * iLd + LANES v]} and {@code C(r, v) = c[cBase + r * ldc + LANES v]}. Both
     * operands are packed panels read at constant strides, so C2 hoists the bounds checks.
     */
    static void tile2(
            float[] a,
            int aBase,
            int depth,
            float[] b,
            int bBase,
            float[] init,
            int iBase,
            int iLd,
            float[] c,
            int cBase,
            int ldc) {
        FloatVector acc00 = FloatVector.fromArray(SPECIES, init, iBase);
        FloatVector acc01 = FloatVector.fromArray(SPECIES, init, iBase + LANES);
        FloatVector acc10 = FloatVector.fromArray(SPECIES, init, iBase + iLd);
        FloatVector acc11 = FloatVector.fromArray(SPECIES, init, iBase + iLd + LANES);
        FloatVector acc20 = FloatVector.fromArray(SPECIES, init, iBase + 2 * iLd);
        FloatVector acc21 = FloatVector.fromArray(SPECIES, init, iBase + 2 * iLd + LANES);
        FloatVector acc30 = FloatVector.fromArray(SPECIES, init, iBase + 3 * iLd);
        FloatVector acc31 = FloatVector.fromArray(SPECIES, init, iBase + 3 * iLd + LANES);
        FloatVector acc40 = FloatVector.fromArray(SPECIES, init, iBase + 4 * iLd);
        FloatVector acc41 = FloatVector.fromArray(SPECIES, init, iBase + 4 * iLd + LANES);
        FloatVector acc50 = FloatVector.fromArray(SPECIES, init, iBase + 5 * iLd);
        FloatVector acc51 = FloatVector.fromArray(SPECIES, init, iBase + 5 * iLd + LANES);
        FloatVector acc60 = FloatVector.fromArray(SPECIES, init, iBase + 6 * iLd);
        FloatVector acc61 = FloatVector.fromArray(SPECIES, init, iBase + 6 * iLd + LANES);
        FloatVector acc70 = FloatVector.fromArray(SPECIES, init, iBase + 7 * iLd);
        FloatVector acc71 = FloatVector.fromArray(SPECIES, init, iBase + 7 * iLd + LANES);
        for (int k = 0; k < depth; k++) {
            int bk = bBase + k * (2 * LANES);
            int ak = aBase + k * MR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bk);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bk + LANES);
            FloatVector x0 = FloatVector.broadcast(SPECIES, a[ak]);
            acc00 = b0.fma(x0, acc00);
            acc01 = b1.fma(x0, acc01);
            FloatVector x1 = FloatVector.broadcast(SPECIES, a[ak + 1]);
            acc10 = b0.fma(x1, acc10);
            acc11 = b1.fma(x1, acc11);
            FloatVector x2 = FloatVector.broadcast(SPECIES, a[ak + 2]);
            acc20 = b0.fma(x2, acc20);
            acc21 = b1.fma(x2, acc21);
            FloatVector x3 = FloatVector.broadcast(SPECIES, a[ak + 3]);
            acc30 = b0.fma(x3, acc30);
            acc31 = b1.fma(x3, acc31);
            FloatVector x4 = FloatVector.broadcast(SPECIES, a[ak + 4]);
            acc40 = b0.fma(x4, acc40);
            acc41 = b1.fma(x4, acc41);
            FloatVector x5 = FloatVector.broadcast(SPECIES, a[ak + 5]);
            acc50 = b0.fma(x5, acc50);
            acc51 = b1.fma(x5, acc51);
            FloatVector x6 = FloatVector.broadcast(SPECIES, a[ak + 6]);
            acc60 = b0.fma(x6, acc60);
            acc61 = b1.fma(x6, acc61);
            FloatVector x7 = FloatVector.broadcast(SPECIES, a[ak + 7]);
            acc70 = b0.fma(x7, acc70);
            acc71 = b1.fma(x7, acc71);
        }
        acc00.intoArray(c, cBase);
        acc01.intoArray(c, cBase + LANES);
        acc10.intoArray(c, cBase + ldc);
        acc11.intoArray(c, cBase + ldc + LANES);
        acc20.intoArray(c, cBase + 2 * ldc);
        acc21.intoArray(c, cBase + 2 * ldc + LANES);
        acc30.intoArray(c, cBase + 3 * ldc);
        acc31.intoArray(c, cBase + 3 * ldc + LANES);
        acc40.intoArray(c, cBase + 4 * ldc);
        acc41.intoArray(c, cBase + 4 * ldc + LANES);
        acc50.intoArray(c, cBase + 5 * ldc);
        acc51.intoArray(c, cBase + 5 * ldc + LANES);
        acc60.intoArray(c, cBase + 6 * ldc);
        acc61.intoArray(c, cBase + 6 * ldc + LANES);
        acc70.intoArray(c, cBase + 7 * ldc);
        acc71.intoArray(c, cBase + 7 * ldc + LANES);
    }

    /** The {@code 8 x 1}-vector register tile: {@link #tile2} for panels one vector wide. */
    static void tile1(
            float[] a,
            int aBase,
            int depth,
            float[] b,
            int bBase,
            float[] init,
            int iBase,
            int iLd,
            float[] c,
            int cBase,
            int ldc) {
        FloatVector acc0 = FloatVector.fromArray(SPECIES, init, iBase);
        FloatVector acc1 = FloatVector.fromArray(SPECIES, init, iBase + iLd);
        FloatVector acc2 = FloatVector.fromArray(SPECIES, init, iBase + 2 * iLd);
        FloatVector acc3 = FloatVector.fromArray(SPECIES, init, iBase + 3 * iLd);
        FloatVector acc4 = FloatVector.fromArray(SPECIES, init, iBase + 4 * iLd);
        FloatVector acc5 = FloatVector.fromArray(SPECIES, init, iBase + 5 * iLd);
        FloatVector acc6 = FloatVector.fromArray(SPECIES, init, iBase + 6 * iLd);
        FloatVector acc7 = FloatVector.fromArray(SPECIES, init, iBase + 7 * iLd);
        for (int k = 0; k < depth; k++) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bBase + k * LANES);
            int ak = aBase + k * MR;
            acc0 = b0.fma(FloatVector.broadcast(SPECIES, a[ak]), acc0);
            acc1 = b0.fma(FloatVector.broadcast(SPECIES, a[ak + 1]), acc1);
            acc2 = b0.fma(FloatVector.broadcast(SPECIES, a[ak + 2]), acc2);
            acc3 = b0.fma(FloatVector.broadcast(SPECIES, a[ak + 3]), acc3);
            acc4 = b0.fma(FloatVector.broadcast(SPECIES, a[ak + 4]), acc4);
            acc5 = b0.fma(FloatVector.broadcast(SPECIES, a[ak + 5]), acc5);
            acc6 = b0.fma(FloatVector.broadcast(SPECIES, a[ak + 6]), acc6);
            acc7 = b0.fma(FloatVector.broadcast(SPECIES, a[ak + 7]), acc7);
        }
        acc0.intoArray(c, cBase);
        acc1.intoArray(c, cBase + ldc);
        acc2.intoArray(c, cBase + 2 * ldc);
        acc3.intoArray(c, cBase + 3 * ldc);
        acc4.intoArray(c, cBase + 4 * ldc);
        acc5.intoArray(c, cBase + 5 * ldc);
        acc6.intoArray(c, cBase + 6 * ldc);
        acc7.intoArray(c, cBase + 7 * ldc);
    }

    /**
     * {@link #tile2} with {@code A(r, k) = a[aBase + r * aRow + k]}: eight rows read in place (the
     * forward's rows of {@code x}), each at unit stride so that C2 still hoists the bounds checks.
     * A copy of the tile rather than a parameter: with a variable stride in {@code k} the checks
     * stay in the loop (measured slower).
     */
    static void tile2Rows(
            float[] a,
            int aBase,
            int aRow,
            int depth,
            float[] b,
            int bBase,
            float[] init,
            int iBase,
            int iLd,
            float[] c,
            int cBase,
            int ldc) {
        FloatVector acc00 = FloatVector.fromArray(SPECIES, init, iBase);
        FloatVector acc01 = FloatVector.fromArray(SPECIES, init, iBase + LANES);
        FloatVector acc10 = FloatVector.fromArray(SPECIES, init, iBase + iLd);
        FloatVector acc11 = FloatVector.fromArray(SPECIES, init, iBase + iLd + LANES);
        FloatVector acc20 = FloatVector.fromArray(SPECIES, init, iBase + 2 * iLd);
        FloatVector acc21 = FloatVector.fromArray(SPECIES, init, iBase + 2 * iLd + LANES);
        FloatVector acc30 = FloatVector.fromArray(SPECIES, init, iBase + 3 * iLd);
        FloatVector acc31 = FloatVector.fromArray(SPECIES, init, iBase + 3 * iLd + LANES);
        FloatVector acc40 = FloatVector.fromArray(SPECIES, init, iBase + 4 * iLd);
        FloatVector acc41 = FloatVector.fromArray(SPECIES, init, iBase + 4 * iLd + LANES);
        FloatVector acc50 = FloatVector.fromArray(SPECIES, init, iBase + 5 * iLd);
        FloatVector acc51 = FloatVector.fromArray(SPECIES, init, iBase + 5 * iLd + LANES);
        FloatVector acc60 = FloatVector.fromArray(SPECIES, init, iBase + 6 * iLd);
        FloatVector acc61 = FloatVector.fromArray(SPECIES, init, iBase + 6 * iLd + LANES);
        FloatVector acc70 = FloatVector.fromArray(SPECIES, init, iBase + 7 * iLd);
        FloatVector acc71 = FloatVector.fromArray(SPECIES, init, iBase + 7 * iLd + LANES);
        int a0 = aBase, a1 = aBase + aRow, a2 = aBase + 2 * aRow, a3 = aBase + 3 * aRow;
        int a4 = aBase + 4 * aRow, a5 = aBase + 5 * aRow, a6 = aBase + 6 * aRow;
        int a7 = aBase + 7 * aRow;
        for (int k = 0; k < depth; k++) {
            int bk = bBase + k * (2 * LANES);
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bk);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bk + LANES);
            FloatVector x0 = FloatVector.broadcast(SPECIES, a[a0 + k]);
            acc00 = b0.fma(x0, acc00);
            acc01 = b1.fma(x0, acc01);
            FloatVector x1 = FloatVector.broadcast(SPECIES, a[a1 + k]);
            acc10 = b0.fma(x1, acc10);
            acc11 = b1.fma(x1, acc11);
            FloatVector x2 = FloatVector.broadcast(SPECIES, a[a2 + k]);
            acc20 = b0.fma(x2, acc20);
            acc21 = b1.fma(x2, acc21);
            FloatVector x3 = FloatVector.broadcast(SPECIES, a[a3 + k]);
            acc30 = b0.fma(x3, acc30);
            acc31 = b1.fma(x3, acc31);
            FloatVector x4 = FloatVector.broadcast(SPECIES, a[a4 + k]);
            acc40 = b0.fma(x4, acc40);
            acc41 = b1.fma(x4, acc41);
            FloatVector x5 = FloatVector.broadcast(SPECIES, a[a5 + k]);
            acc50 = b0.fma(x5, acc50);
            acc51 = b1.fma(x5, acc51);
            FloatVector x6 = FloatVector.broadcast(SPECIES, a[a6 + k]);
            acc60 = b0.fma(x6, acc60);
            acc61 = b1.fma(x6, acc61);
            FloatVector x7 = FloatVector.broadcast(SPECIES, a[a7 + k]);
            acc70 = b0.fma(x7, acc70);
            acc71 = b1.fma(x7, acc71);
        }
        acc00.intoArray(c, cBase);
        acc01.intoArray(c, cBase + LANES);
        acc10.intoArray(c, cBase + ldc);
        acc11.intoArray(c, cBase + ldc + LANES);
        acc20.intoArray(c, cBase + 2 * ldc);
        acc21.intoArray(c, cBase + 2 * ldc + LANES);
        acc30.intoArray(c, cBase + 3 * ldc);
        acc31.intoArray(c, cBase + 3 * ldc + LANES);
        acc40.intoArray(c, cBase + 4 * ldc);
        acc41.intoArray(c, cBase + 4 * ldc + LANES);
        acc50.intoArray(c, cBase + 5 * ldc);
        acc51.intoArray(c, cBase + 5 * ldc + LANES);
        acc60.intoArray(c, cBase + 6 * ldc);
        acc61.intoArray(c, cBase + 6 * ldc + LANES);
        acc70.intoArray(c, cBase + 7 * ldc);
        acc71.intoArray(c, cBase + 7 * ldc + LANES);
    }

    /**
     * {@link #tile1} with {@code A(r, k) = a[aBase + r * aRow + k]}: eight rows read in place (the
     * forward's rows of {@code x}), each at unit stride so that C2 still hoists the bounds checks.
     * A copy of the tile rather than a parameter: with a variable stride in {@code k} the checks
     * stay in the loop (measured slower).
     */
    static void tile1Rows(
            float[] a,
            int aBase,
            int aRow,
            int depth,
            float[] b,
            int bBase,
            float[] init,
            int iBase,
            int iLd,
            float[] c,
            int cBase,
            int ldc) {
        FloatVector acc0 = FloatVector.fromArray(SPECIES, init, iBase);
        FloatVector acc1 = FloatVector.fromArray(SPECIES, init, iBase + iLd);
        FloatVector acc2 = FloatVector.fromArray(SPECIES, init, iBase + 2 * iLd);
        FloatVector acc3 = FloatVector.fromArray(SPECIES, init, iBase + 3 * iLd);
        FloatVector acc4 = FloatVector.fromArray(SPECIES, init, iBase + 4 * iLd);
        FloatVector acc5 = FloatVector.fromArray(SPECIES, init, iBase + 5 * iLd);
        FloatVector acc6 = FloatVector.fromArray(SPECIES, init, iBase + 6 * iLd);
        FloatVector acc7 = FloatVector.fromArray(SPECIES, init, iBase + 7 * iLd);
        int a0 = aBase, a1 = aBase + aRow, a2 = aBase + 2 * aRow, a3 = aBase + 3 * aRow;
        int a4 = aBase + 4 * aRow, a5 = aBase + 5 * aRow, a6 = aBase + 6 * aRow;
        int a7 = aBase + 7 * aRow;
        for (int k = 0; k < depth; k++) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bBase + k * LANES);
            acc0 = b0.fma(FloatVector.broadcast(SPECIES, a[a0 + k]), acc0);
            acc1 = b0.fma(FloatVector.broadcast(SPECIES, a[a1 + k]), acc1);
            acc2 = b0.fma(FloatVector.broadcast(SPECIES, a[a2 + k]), acc2);
            acc3 = b0.fma(FloatVector.broadcast(SPECIES, a[a3 + k]), acc3);
            acc4 = b0.fma(FloatVector.broadcast(SPECIES, a[a4 + k]), acc4);
            acc5 = b0.fma(FloatVector.broadcast(SPECIES, a[a5 + k]), acc5);
            acc6 = b0.fma(FloatVector.broadcast(SPECIES, a[a6 + k]), acc6);
            acc7 = b0.fma(FloatVector.broadcast(SPECIES, a[a7 + k]), acc7);
        }
        acc0.intoArray(c, cBase);
        acc1.intoArray(c, cBase + ldc);
        acc2.intoArray(c, cBase + 2 * ldc);
        acc3.intoArray(c, cBase + 3 * ldc);
        acc4.intoArray(c, cBase + 4 * ldc);
        acc5.intoArray(c, cBase + 5 * ldc);
        acc6.intoArray(c, cBase + 6 * ldc);
        acc7.intoArray(c, cBase + 7 * ldc);
    }
}
