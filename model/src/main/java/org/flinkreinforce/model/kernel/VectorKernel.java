package org.flinkreinforce.model.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernel in the Java Vector API ({@code jdk.incubator.vector}, JDK 17), for JVMs started with
 * {@code --add-modules=jdk.incubator.vector} where the native library is missing. Load it through
 * {@link GradientKernels} only: this class fails to link where the module is absent.
 *
 * <p>Both GEMMs run through one blocked routine {@code C += A B} with 4-row by 2-vector register
 * tiles: the forward pass as {@code logits = X W^T} (with {@code W^T} copied once per call into a
 * zero-padded scratch), the backward pass as {@code G_W^T = X^T G}, transposed into place at the
 * end. Action rows are padded to a multiple of two vectors so the inner loops need no masks.
 * Scratch arrays grow to the largest shape seen and are then reused: no allocation per call.
 */
public final class VectorKernel implements GradientKernel {

    public static final String NAME = "vector";

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int NR = 2 * LANES;
    private static final int MR = 4;

    /**
     * 8-row tiles (16 accumulators) where the CPU has 32 vector registers, i.e. with 512-bit
     * vectors; 4-row tiles elsewhere.
     */
    private static final boolean WIDE_TILES = LANES >= 16;

    /** Rows of A per cache block, so a block of X stays in L2 while all action tiles pass. */
    private static final int MC = 256;

    /** Depth per cache block of the backward product (rows of X and G). */
    private static final int KC = 256;

    private float[] transposedWeights = new float[0];
    private float[] logits = new float[0];
    private float[] weightGradientT = new float[0];
    private float[] biasGradient = new float[0];

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

    private void softmaxRow(
            int i,
            int n,
            int stride,
            int action,
            float[] probs,
            float[] logProbChosen,
            float[] entropy) {
        int row = i * stride;
        int full = n - n % LANES;
        FloatVector maxVector = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        for (int a = 0; a < full; a += LANES) {
            maxVector = maxVector.max(FloatVector.fromArray(SPECIES, logits, row + a));
        }
        float max = maxVector.reduceLanes(VectorOperators.MAX);
        for (int a = full; a < n; a++) {
            max = Math.max(max, logits[row + a]);
        }
        FloatVector sumVector = FloatVector.zero(SPECIES);
        for (int a = 0; a < full; a += LANES) {
            FloatVector z = FloatVector.fromArray(SPECIES, logits, row + a);
            sumVector = sumVector.add(z.sub(max).lanewise(VectorOperators.EXP));
        }
        float sum = sumVector.reduceLanes(VectorOperators.ADD);
        for (int a = full; a < n; a++) {
            sum += (float) Math.exp(logits[row + a] - max);
        }
        float logNormaliser = max + (float) Math.log(sum);
        FloatVector entropyVector = FloatVector.zero(SPECIES);
        int out = i * n;
        for (int a = 0; a < full; a += LANES) {
            FloatVector logP = FloatVector.fromArray(SPECIES, logits, row + a).sub(logNormaliser);
            FloatVector p = logP.lanewise(VectorOperators.EXP);
            p.intoArray(probs, out + a);
            entropyVector = p.neg().fma(logP, entropyVector);
        }
        float h = entropyVector.reduceLanes(VectorOperators.ADD);
        for (int a = full; a < n; a++) {
            float logP = logits[row + a] - logNormaliser;
            float p = (float) Math.exp(logP);
            probs[out + a] = p;
            h -= p * logP;
        }
        logProbChosen[i] = logits[row + action] - logNormaliser;
        entropy[i] = h;
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
        int full = n - n % LANES;
        for (int i = 0; i < batch; i++) {
            int in = i * n;
            int row = i * stride;
            float c = coefficients[i];
            float h = entropy[i];
            for (int a = 0; a < full; a += LANES) {
                FloatVector p = FloatVector.fromArray(SPECIES, probs, in + a);
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
            for (int a = full; a < n; a++) {
                float p = probs[in + a];
                float g = -c * p;
                if (entropyBonus != 0f && p > 0f) {
                    g -= entropyBonus * p * ((float) Math.log(p) + h);
                }
                logits[row + a] = g;
            }
            for (int a = n; a < stride; a++) {
                logits[row + a] = 0f;
            }
            logits[row + chosen[actionOffset + i * actionStride]] += c;
        }

        biasGradient = ensure(biasGradient, stride);
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int a = 0; a < stride; a += LANES) {
            zero.intoArray(biasGradient, a);
        }
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
            for (int k = 0; k < d * stride; k += LANES) {
                zero.intoArray(weightGradientT, k);
            }
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
     */
    private static void multiplyAdd(
            int rows, int depth, int columns, float[] a, int aRow, int aCol, float[] b, float[] c) {
        for (int k0 = 0; k0 < depth; k0 += KC) {
            int k1 = Math.min(depth, k0 + KC);
            for (int m0 = 0; m0 < rows; m0 += MC) {
                int m1 = Math.min(rows, m0 + MC);
                for (int n0 = 0; n0 < columns; n0 += NR) {
                    int m = m0;
                    if (WIDE_TILES) {
                        for (; m + 8 <= m1; m += 8) {
                            tile8(m, n0, k0, k1, columns, a, aRow, aCol, b, c);
                        }
                    }
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

    private static void tile8(
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
        int c0 = (m + 0) * ld + n0;
        int c1 = (m + 1) * ld + n0;
        int c2 = (m + 2) * ld + n0;
        int c3 = (m + 3) * ld + n0;
        int c4 = (m + 4) * ld + n0;
        int c5 = (m + 5) * ld + n0;
        int c6 = (m + 6) * ld + n0;
        int c7 = (m + 7) * ld + n0;
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
            FloatVector x4 = FloatVector.broadcast(SPECIES, a[ak + 4 * aRow]);
            acc40 = b0.fma(x4, acc40);
            acc41 = b1.fma(x4, acc41);
            FloatVector x5 = FloatVector.broadcast(SPECIES, a[ak + 5 * aRow]);
            acc50 = b0.fma(x5, acc50);
            acc51 = b1.fma(x5, acc51);
            FloatVector x6 = FloatVector.broadcast(SPECIES, a[ak + 6 * aRow]);
            acc60 = b0.fma(x6, acc60);
            acc61 = b1.fma(x6, acc61);
            FloatVector x7 = FloatVector.broadcast(SPECIES, a[ak + 7 * aRow]);
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
