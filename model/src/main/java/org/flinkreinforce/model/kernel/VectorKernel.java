package org.flinkreinforce.model.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernel in the Java Vector API ({@code jdk.incubator.vector}, JDK 17), for JVMs started with
 * {@code --add-modules=jdk.incubator.vector} where the native library is missing. Load it through
 * {@link GradientKernels} only: this class fails to link where the module is absent.
 *
 * <p>Both GEMMs run through one blocked routine {@code C += A B} (packed 8-row panels of A and
 * 2-vector strips of B, 8 x 2-vector register tiles with 512-bit vectors, 4 x 2 otherwise): the
 * forward pass as {@code logits = X W^T} (with {@code W^T} copied once per call into a zero-padded
 * scratch), the backward pass as {@code G_W^T = X^T G}, transposed into place at the end. Action
 * rows are padded to a multiple of two vectors so the inner loops need no masks; the softmax takes
 * one exponential per logit. Scratch arrays grow to the largest shape seen and are then reused: no
 * allocation per call.
 */
public final class VectorKernel implements GradientKernel {

    public static final String NAME = "vector";

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int NR = 2 * LANES;
    private static final int MR = 4;

    /**
     * Packed 8-row tiles (16 accumulators) where the CPU has 32 vector registers, i.e. with 512-bit
     * vectors; 4-row tiles elsewhere.
     */
    private static final boolean WIDE_TILES = LANES >= 16;

    /** Rows of A per cache block: a packed block stays in L2 while all column strips pass. */
    private static final int MC = 256;

    /** Depth per cache block: a packed strip of B ({@code KC x NR}) stays in L1. */
    private static final int KC = 256;

    /**
     * The logit of padding lanes: the lowest finite float, so it never wins the maximum, its
     * probability underflows to 0, and {@code p * log p} stays {@code 0 * finite} (not NaN) for any
     * logits below about 1e31.
     */
    private static final float PADDING = -Float.MAX_VALUE;

    /** The lowest softmax argument: below it exp() would leave the normal floats. */
    private static final float EXP_LOW = -87.0f;

    private static final float LOG2E = 1.44269504088896341f;
    private static final float ROUNDING = 12582912f;

    private float[] transposedWeights = new float[0];
    private float[] logits = new float[0];
    private float[] weightGradientT = new float[0];
    private float[] biasGradient = new float[0];
    private float[] packedA = new float[0];
    private float[] packedB = new float[0];

    @Override
    public String name() {
        return NAME;
    }

    /** The lane count of the preferred species, e.g. 16 with AVX-512. */
    public static int lanes() {
        return LANES;
    }

    @Override
    public void forward(
            int batch,
            int d,
            int n,
            float[] x,
            float[] params,
            int weightOffset,
            int biasOffset,
            int[] chosen,
            int actionOffset,
            int actionStride,
            float[] probs,
            float[] logProbChosen,
            float[] entropy) {
        int stride = padded(n);
        logits = ensure(logits, batch * stride);
        // Every row starts as the bias; padding columns stay 0 and softmax never reads them.
        for (int i = 0; i < batch; i++) {
            int row = i * stride;
            System.arraycopy(params, biasOffset, logits, row, n);
            for (int a = n; a < stride; a++) {
                logits[row + a] = 0f;
            }
        }
        if (d > 0) {
            transposedWeights = ensure(transposedWeights, d * stride);
            for (int k = 0; k < d; k++) {
                int row = k * stride;
                for (int a = 0; a < n; a++) {
                    transposedWeights[row + a] = params[weightOffset + a * d + k];
                }
                for (int a = n; a < stride; a++) {
                    transposedWeights[row + a] = 0f;
                }
            }
            multiplyAdd(batch, d, stride, x, d, 1, transposedWeights, logits);
        }
        for (int i = 0; i < batch; i++) {
            softmaxRow(
                    i,
                    n,
                    stride,
                    chosen[actionOffset + i * actionStride],
                    probs,
                    logProbChosen,
                    entropy);
        }
    }

    /**
     * Softmax of row {@code i} of the padded logits, in place, then copied to {@code probs}, in
     * three passes with one exponential per logit: {@code e = exp(s)} with {@code s = max(z - max,
     * EXP_LOW)}, {@code S = sum e}, {@code T = sum e s}; then {@code p = e / S}, {@code log p_a =
     * s_a - log S} and {@code H = log S - T / S} (two non-negative terms, no cancellation). Padding
     * lanes hold {@link #PADDING}; their {@code e} is about 1e-38 and their {@code e s} about
     * 1e-36, far below float resolution next to the maximum's {@code e = 1}.
     */
    private void softmaxRow(
            int i,
            int n,
            int stride,
            int action,
            float[] probs,
            float[] logProbChosen,
            float[] entropy) {
        int row = i * stride;
        int end = (n + LANES - 1) / LANES * LANES;
        for (int a = n; a < end; a++) {
            logits[row + a] = PADDING;
        }
        float chosenLogit = logits[row + action];
        FloatVector maxVector = FloatVector.broadcast(SPECIES, PADDING);
        for (int a = 0; a < end; a += LANES) {
            maxVector = maxVector.max(FloatVector.fromArray(SPECIES, logits, row + a));
        }
        float max = maxVector.reduceLanes(VectorOperators.MAX);
        FloatVector sumVector = FloatVector.zero(SPECIES);
        FloatVector weightedVector = FloatVector.zero(SPECIES);
        for (int a = 0; a < end; a += LANES) {
            FloatVector shifted =
                    FloatVector.fromArray(SPECIES, logits, row + a).sub(max).max(PADDING);
            FloatVector e = shifted.lanewise(VectorOperators.EXP);
            e.intoArray(logits, row + a);
            sumVector = sumVector.add(e);
            weightedVector = e.fma(shifted, weightedVector);
        }
        float sum = sumVector.reduceLanes(VectorOperators.ADD);
        float logSum = (float) Math.log(sum);
        float inverse = 1f / sum;
        for (int a = 0; a < end; a += LANES) {
            FloatVector.fromArray(SPECIES, logits, row + a).mul(inverse).intoArray(logits, row + a);
        }
        System.arraycopy(logits, row, probs, i * n, n);
        logProbChosen[i] = (chosenLogit - max) - logSum;
        entropy[i] =
                Math.max(0f, logSum - weightedVector.reduceLanes(VectorOperators.ADD) * inverse);
    }

    @Override
    public void backward(
            int batch,
            int d,
            int n,
            float[] x,
            int[] chosen,
            int actionOffset,
            int actionStride,
            float[] probs,
            float[] coefficients,
            float entropyBonus,
            float[] entropy,
            float scale,
            float[] gradient,
            int weightOffset,
            int biasOffset) {
        int stride = padded(n);
        // The logit gradient g, padded with zero columns, in the logits scratch.
        logits = ensure(logits, batch * stride);
        int end = (n + LANES - 1) / LANES * LANES;
        for (int i = 0; i < batch; i++) {
            int row = i * stride;
            float c = coefficients[i];
            float h = entropy[i];
            // Copy the row into the padded scratch; padding lanes hold p = 0 and so get g = 0.
            System.arraycopy(probs, i * n, logits, row, n);
            for (int a = n; a < stride; a++) {
                logits[row + a] = 0f;
            }
            for (int a = 0; a < end; a += LANES) {
                FloatVector p = FloatVector.fromArray(SPECIES, logits, row + a);
                FloatVector g = p.mul(-c);
                if (entropyBonus != 0f) {
                    // -beta p (log p + H), with the term 0 where p underflowed to 0.
                    VectorMask<Float> positive = p.compare(VectorOperators.GT, 0f);
                    FloatVector logP =
                            p.blend(1f, positive.not()).lanewise(VectorOperators.LOG).add(h);
                    g = p.mul(-entropyBonus).fma(logP, g);
                }
                g.intoArray(logits, row + a);
            }
            logits[row + chosen[actionOffset + i * actionStride]] += c;
        }

        biasGradient = ensure(biasGradient, stride);
        Arrays.fill(biasGradient, 0, stride, 0f);
        for (int i = 0; i < batch; i++) {
            int row = i * stride;
            for (int a = 0; a < stride; a += LANES) {
                FloatVector.fromArray(SPECIES, biasGradient, a)
                        .add(FloatVector.fromArray(SPECIES, logits, row + a))
                        .intoArray(biasGradient, a);
            }
        }
        for (int a = 0; a < n; a++) {
            gradient[biasOffset + a] = biasGradient[a] * scale;
        }

        if (d > 0) {
            weightGradientT = ensure(weightGradientT, d * stride);
            Arrays.fill(weightGradientT, 0, d * stride, 0f);
            // G_W^T (d x n) = X^T (d x B) G (B x n): A(m, k) = x[k * d + m].
            multiplyAdd(d, batch, stride, x, 1, d, logits, weightGradientT);
            for (int a = 0; a < n; a++) {
                int out = weightOffset + a * d;
                for (int j = 0; j < d; j++) {
                    gradient[out + j] = weightGradientT[j * stride + a] * scale;
                }
            }
        }
    }

    /**
     * {@code C (M x N) += A (M x K) B (K x N)} where {@code A(m, k) = a[m * aRow + k * aCol]}, and
     * {@code B} and {@code C} are row-major with row stride {@code N}, a multiple of {@link #NR}.
     *
     * <p>Blocked as in GotoBLAS: per {@code KC x MC} block, A is packed into 8-row panels ({@code
     * panel[k * 8 + r]}) and each {@code KC x NR} strip of B into {@code strip[k * NR + j]}, so the
     * 8 x 2-vector register tile reads both at constant strides.
     */
    private void multiplyAdd(
            int rows, int depth, int columns, float[] a, int aRow, int aCol, float[] b, float[] c) {
        for (int k0 = 0; k0 < depth; k0 += KC) {
            int k1 = Math.min(depth, k0 + KC);
            int kc = k1 - k0;
            for (int m0 = 0; m0 < rows; m0 += MC) {
                int m1 = Math.min(rows, m0 + MC);
                int panels = WIDE_TILES ? (m1 - m0) / 8 : 0;
                packedA = ensure(packedA, panels * 8 * kc);
                for (int g = 0; g < panels; g++) {
                    int base = g * 8 * kc;
                    for (int r = 0; r < 8; r++) {
                        int source = (m0 + g * 8 + r) * aRow + k0 * aCol;
                        for (int k = 0; k < kc; k++) {
                            packedA[base + k * 8 + r] = a[source + k * aCol];
                        }
                    }
                }
                int rest = m0 + panels * 8;
                for (int n0 = 0; n0 < columns; n0 += NR) {
                    if (panels > 0) {
                        packedB = ensure(packedB, kc * NR);
                        for (int k = 0; k < kc; k++) {
                            System.arraycopy(b, (k0 + k) * columns + n0, packedB, k * NR, NR);
                        }
                        for (int g = 0; g < panels; g++) {
                            tile8(
                                    packedA,
                                    g * 8 * kc,
                                    packedB,
                                    kc,
                                    c,
                                    (m0 + g * 8) * columns + n0,
                                    columns);
                        }
                    }
                    int m = rest;
                    for (; m + MR <= m1; m += MR) {
                        tile4(m, n0, k0, k1, columns, a, aRow, aCol, b, c);
                    }
                    for (; m < m1; m++) {
                        tile1(m, n0, k0, k1, columns, a, aRow, aCol, b, c);
                    }
                }
            }
        }
    }

    /** An 8 x 2-vector tile of C from a packed A panel and a packed B strip. */
    private static void tile8(
            float[] panel, int base, float[] strip, int kc, float[] c, int c0, int ld) {
        int c1 = c0 + ld;
        int c2 = c1 + ld;
        int c3 = c2 + ld;
        int c4 = c3 + ld;
        int c5 = c4 + ld;
        int c6 = c5 + ld;
        int c7 = c6 + ld;
        FloatVector acc00 = FloatVector.fromArray(SPECIES, c, c0);
        FloatVector acc01 = FloatVector.fromArray(SPECIES, c, c0 + LANES);
        FloatVector acc10 = FloatVector.fromArray(SPECIES, c, c1);
        FloatVector acc11 = FloatVector.fromArray(SPECIES, c, c1 + LANES);
        FloatVector acc20 = FloatVector.fromArray(SPECIES, c, c2);
        FloatVector acc21 = FloatVector.fromArray(SPECIES, c, c2 + LANES);
        FloatVector acc30 = FloatVector.fromArray(SPECIES, c, c3);
        FloatVector acc31 = FloatVector.fromArray(SPECIES, c, c3 + LANES);
        FloatVector acc40 = FloatVector.fromArray(SPECIES, c, c4);
        FloatVector acc41 = FloatVector.fromArray(SPECIES, c, c4 + LANES);
        FloatVector acc50 = FloatVector.fromArray(SPECIES, c, c5);
        FloatVector acc51 = FloatVector.fromArray(SPECIES, c, c5 + LANES);
        FloatVector acc60 = FloatVector.fromArray(SPECIES, c, c6);
        FloatVector acc61 = FloatVector.fromArray(SPECIES, c, c6 + LANES);
        FloatVector acc70 = FloatVector.fromArray(SPECIES, c, c7);
        FloatVector acc71 = FloatVector.fromArray(SPECIES, c, c7 + LANES);
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, strip, k * NR);
            FloatVector b1 = FloatVector.fromArray(SPECIES, strip, k * NR + LANES);
            int ak = base + k * 8;
            FloatVector x0 = FloatVector.broadcast(SPECIES, panel[ak]);
            acc00 = b0.fma(x0, acc00);
            acc01 = b1.fma(x0, acc01);
            FloatVector x1 = FloatVector.broadcast(SPECIES, panel[ak + 1]);
            acc10 = b0.fma(x1, acc10);
            acc11 = b1.fma(x1, acc11);
            FloatVector x2 = FloatVector.broadcast(SPECIES, panel[ak + 2]);
            acc20 = b0.fma(x2, acc20);
            acc21 = b1.fma(x2, acc21);
            FloatVector x3 = FloatVector.broadcast(SPECIES, panel[ak + 3]);
            acc30 = b0.fma(x3, acc30);
            acc31 = b1.fma(x3, acc31);
            FloatVector x4 = FloatVector.broadcast(SPECIES, panel[ak + 4]);
            acc40 = b0.fma(x4, acc40);
            acc41 = b1.fma(x4, acc41);
            FloatVector x5 = FloatVector.broadcast(SPECIES, panel[ak + 5]);
            acc50 = b0.fma(x5, acc50);
            acc51 = b1.fma(x5, acc51);
            FloatVector x6 = FloatVector.broadcast(SPECIES, panel[ak + 6]);
            acc60 = b0.fma(x6, acc60);
            acc61 = b1.fma(x6, acc61);
            FloatVector x7 = FloatVector.broadcast(SPECIES, panel[ak + 7]);
            acc70 = b0.fma(x7, acc70);
            acc71 = b1.fma(x7, acc71);
        }
        acc00.intoArray(c, c0);
        acc01.intoArray(c, c0 + LANES);
        acc10.intoArray(c, c1);
        acc11.intoArray(c, c1 + LANES);
        acc20.intoArray(c, c2);
        acc21.intoArray(c, c2 + LANES);
        acc30.intoArray(c, c3);
        acc31.intoArray(c, c3 + LANES);
        acc40.intoArray(c, c4);
        acc41.intoArray(c, c4 + LANES);
        acc50.intoArray(c, c5);
        acc51.intoArray(c, c5 + LANES);
        acc60.intoArray(c, c6);
        acc61.intoArray(c, c6 + LANES);
        acc70.intoArray(c, c7);
        acc71.intoArray(c, c7 + LANES);
    }

    private static void tile4(
            int m,
            int n0,
            int k0,
            int k1,
            int ld,
            float[] a,
            int aRow,
            int aCol,
            float[] b,
            float[] c) {
        int c0 = m * ld + n0;
        int c1 = c0 + ld;
        int c2 = c1 + ld;
        int c3 = c2 + ld;
        FloatVector acc00 = FloatVector.fromArray(SPECIES, c, c0);
        FloatVector acc01 = FloatVector.fromArray(SPECIES, c, c0 + LANES);
        FloatVector acc10 = FloatVector.fromArray(SPECIES, c, c1);
        FloatVector acc11 = FloatVector.fromArray(SPECIES, c, c1 + LANES);
        FloatVector acc20 = FloatVector.fromArray(SPECIES, c, c2);
        FloatVector acc21 = FloatVector.fromArray(SPECIES, c, c2 + LANES);
        FloatVector acc30 = FloatVector.fromArray(SPECIES, c, c3);
        FloatVector acc31 = FloatVector.fromArray(SPECIES, c, c3 + LANES);
        int a0 = m * aRow;
        for (int k = k0; k < k1; k++) {
            int bk = k * ld + n0;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bk);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bk + LANES);
            int ak = a0 + k * aCol;
            FloatVector x0 = FloatVector.broadcast(SPECIES, a[ak]);
            acc00 = b0.fma(x0, acc00);
            acc01 = b1.fma(x0, acc01);
            FloatVector x1 = FloatVector.broadcast(SPECIES, a[ak + aRow]);
            acc10 = b0.fma(x1, acc10);
            acc11 = b1.fma(x1, acc11);
            FloatVector x2 = FloatVector.broadcast(SPECIES, a[ak + 2 * aRow]);
            acc20 = b0.fma(x2, acc20);
            acc21 = b1.fma(x2, acc21);
            FloatVector x3 = FloatVector.broadcast(SPECIES, a[ak + 3 * aRow]);
            acc30 = b0.fma(x3, acc30);
            acc31 = b1.fma(x3, acc31);
        }
        acc00.intoArray(c, c0);
        acc01.intoArray(c, c0 + LANES);
        acc10.intoArray(c, c1);
        acc11.intoArray(c, c1 + LANES);
        acc20.intoArray(c, c2);
        acc21.intoArray(c, c2 + LANES);
        acc30.intoArray(c, c3);
        acc31.intoArray(c, c3 + LANES);
    }

    private static void tile1(
            int m,
            int n0,
            int k0,
            int k1,
            int ld,
            float[] a,
            int aRow,
            int aCol,
            float[] b,
            float[] c) {
        int c0 = m * ld + n0;
        FloatVector acc0 = FloatVector.fromArray(SPECIES, c, c0);
        FloatVector acc1 = FloatVector.fromArray(SPECIES, c, c0 + LANES);
        int a0 = m * aRow;
        for (int k = k0; k < k1; k++) {
            int bk = k * ld + n0;
            FloatVector x0 = FloatVector.broadcast(SPECIES, a[a0 + k * aCol]);
            acc0 = FloatVector.fromArray(SPECIES, b, bk).fma(x0, acc0);
            acc1 = FloatVector.fromArray(SPECIES, b, bk + LANES).fma(x0, acc1);
        }
        acc0.intoArray(c, c0);
        acc1.intoArray(c, c0 + LANES);
    }

    private static int padded(int n) {
        return (n + NR - 1) / NR * NR;
    }

    private static float[] ensure(float[] array, int length) {
        return array.length >= length ? array : new float[length];
    }
}
