package org.flinkreinforce.model.kernel;

import static org.flinkreinforce.model.kernel.VectorTiles.LANES;
import static org.flinkreinforce.model.kernel.VectorTiles.MR;
import static org.flinkreinforce.model.kernel.VectorTiles.NR;
import static org.flinkreinforce.model.kernel.VectorTiles.NV;
import static org.flinkreinforce.model.kernel.VectorTiles.SPECIES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * The kernel in the Java Vector API ({@code jdk.incubator.vector}, JDK 17), for JVMs started with
 * {@code --add-modules=jdk.incubator.vector} where the native library is missing. Load it through
 * {@link GradientKernels} only: this class fails to link where the module is absent.
 *
 * <p>This class holds the orchestration, the softmax and the packing; both GEMMs run through the
 * register tiles of {@link VectorTiles}, {@code 8 rows x 2 vectors} (16 accumulators, with 512-bit
 * vectors) or {@code 8 rows x 1 vector}. Action rows are padded to whole vectors only ({@code n =
 * 100} costs 112 columns, not 128); an odd last vector takes the 1-vector tile.
 *
 * <ul>
 *   <li>Forward, 8 rows at a time: {@code Z = b + X W^T} into an L1-sized {@code 8 x n} scratch,
 *       from the 8 rows of {@code x} read in place (a partial last block packed into a panel) and
 *       {@code W^T} packed once per call into contiguous column panels; then the softmax of those
 *       rows while they are hot, with an inline polynomial {@code 2^t} (the JDK's vector {@code
 *       exp} is a call that spills every vector register), written straight to the batch's
 *       probabilities.
 *   <li>Heads of at most {@code LANES} actions (a row is one vector): the forward takes {@code
 *       LANES} rows at a time and transposes their logits to one vector per action, a lane per row,
 *       so that the softmax needs no reduction across lanes ({@link #forwardNarrow}).
 *   <li>Predict: the forward's general path from the reward model, each block of logits copied out
 *       instead of the softmax.
 *   <li>Backward, {@link #BACKWARD_ROWS} rows at a time: the logit gradient {@code g} of the block
 *       into a scratch in column strips (summed into the bias gradient on the way) and {@code X^T}
 *       of the block into 8-feature panels, then {@code G_W^T += X^T G} (features x actions); the
 *       scaled transpose goes to the batch's gradient at the end. With action values, each row's
 *       {@code p (q - p.q)} is added in the same pass over {@code p} ({@link #shiftedDot}).
 * </ul>
 *
 * <p>Every method that holds vectors keeps them in locals and calls only the Vector API and methods
 * that take arrays (the tiles, {@link #exponentials}, {@link #laneSum}), so C2 keeps them in
 * registers: no {@code FloatVector} boxing on the JDK 17 Vector API. The methods small enough to be
 * inlined into a caller compiled without a profile also never make a loop-carried vector the
 * receiver of a call (see {@link #narrowSoftmax}); the tiles, too large to be inlined, are always
 * compiled with their own profile and store their accumulators directly. Scratch arrays grow to the
 * largest shape seen and are then reused: no allocation per call.
 */
public final class VectorKernel implements GradientKernel {

    public static final String NAME = "vector";

    /** Rows of {@code g} per backward block: the block of {@code g} and of {@code x} stay in L2. */
    private static final int BACKWARD_ROWS = 256;

    /**
     * The bias of padding columns: the lowest finite float. Their logits ({@code PADDING + 0 * x})
     * never win the maximum, and the clamped exponent of {@link #exponentials} makes their {@code
     * e} and {@code e u} negligible.
     */
    private static final float PADDING = -Float.MAX_VALUE;

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2 = 0.693147180559945f;

    /** 1.5 * 2^23: {@code t + ROUNDER - ROUNDER} is {@code t} rounded to an integer. */
    private static final float ROUNDER = 12582912f;

    /**
     * The lowest argument of {@code 2^u} in {@link #exponentials}: {@code 2^-126} is the smallest
     * normal float.
     */
    private static final float MIN_EXPONENT = -126f;

    /**
     * 1 at index {@code LANES}, 0 elsewhere: a vector loaded at {@code LANES - l} is lane l's unit.
     */
    private static final float[] UNIT = new float[2 * LANES];

    static {
        UNIT[LANES] = 1f;
    }

    /**
     * Lane swaps across halves, quarters, ...: lane {@code l} with {@code l ^ w}, w = LANES / 2 ..
     * 1.
     */
    private static final VectorShuffle<Float>[] HALVES = halves();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] halves() {
        int levels = Integer.numberOfTrailingZeros(LANES);
        VectorShuffle<Float>[] swaps = new VectorShuffle[levels];
        for (int level = 0; level < levels; level++) {
            int w = LANES >> (level + 1);
            swaps[level] = VectorShuffle.fromOp(SPECIES, l -> l ^ w);
        }
        return swaps;
    }

    /**
     * Whether the narrow forward ({@link #forwardNarrow}) moves its logits and probabilities
     * between rows and lanes with gathers and scatters: AVX-512 has both instructions (16 lanes);
     * elsewhere the JDK would emulate the scatter, so plain loops do it.
     */
    private static final boolean INDEXED = LANES == 16;

    /** Per lane l: {@code l * LANES}, the start of row l of a logits block (a gather's map). */
    private static final int[] ROW_STARTS = new int[LANES];

    static {
        for (int l = 0; l < LANES; l++) {
            ROW_STARTS[l] = l * LANES;
        }
    }

    /** {@code NR} zeros: the initial value of a tile that does not accumulate. */
    private static final float[] ZEROS = new float[NR];

    private float[] packedWeights = new float[0];
    private float[] paddedBias = new float[0];

    /** An 8-row panel of {@code x} (forward), or {@code X^T} of a block in 8-feature panels. */
    private float[] packedRows = new float[0];

    private float[] logits = new float[0];

    /** Logits of {@code LANES} rows, one vector per action (see {@link #forwardNarrow}). */
    private float[] transposed = new float[0];

    /** Per lane l: where row l's chosen logit sits in the logits block (a gather's index map). */
    private final int[] chosenAt = new int[LANES];

    /** Per lane l: {@code l * n}, the start of row l of a block of probabilities (scatter). */
    private final int[] rowStarts = new int[LANES];

    private float[] logitGradient = new float[0];
    private float[] weightGradientT = new float[0];
    private float[] biasGradient = new float[0];
    private final float[] tailScratch = new float[LANES];
    private final float[] valueTailScratch = new float[LANES];

    private final float[] rowStats = new float[2 * MR];

    /**
     * Per row of a block: the lane-wise {@code S} and {@code T} of {@link #exponentials}; then one
     * vector of the row's maximum.
     */
    private final float[] rowSums = new float[(2 * MR + 1) * LANES];

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void forward(HeadBatch b) {
        int batch = b.rows;
        int d = b.features;
        int n = b.actions;
        float[] x = b.x;
        int ld = paddedActions(n);
        packWeights(d, n, ld, b.params, b.weightOffset, b.biasOffset);
        if (ld == LANES && LANES >= MR) {
            forwardNarrow(b);
            return;
        }
        logits = ensure(logits, MR * ld);
        packedRows = ensure(packedRows, MR * d);
        for (int i0 = 0; i0 < batch; i0 += MR) {
            int rows = Math.min(MR, batch - i0);
            logitsBlock(x, i0, rows, d, ld);
            softmaxBlock(logits, rows, ld, i0, b);
        }
    }

    /**
     * The action values: the general path of {@link #forward} (for heads of any width) from the
     * reward model's parameters, each block of logits copied out instead of the softmax.
     */
    @Override
    public void predict(HeadBatch b) {
        KernelChecks.checkPredict(b);
        int batch = b.rows;
        int d = b.features;
        int n = b.actions;
        float[] values = b.actionValues;
        int ld = paddedActions(n);
        packWeights(d, n, ld, b.rewardModel, b.weightOffset, b.biasOffset);
        logits = ensure(logits, MR * ld);
        packedRows = ensure(packedRows, MR * d);
        for (int i0 = 0; i0 < batch; i0 += MR) {
            int rows = Math.min(MR, batch - i0);
            logitsBlock(b.x, i0, rows, d, ld);
            for (int r = 0; r < rows; r++) {
                System.arraycopy(logits, r * ld, values, (i0 + r) * n, n);
            }
        }
    }

    /**
     * {@code Z (8 x ld) = bias + X W^T} into {@link #logits} for rows {@code i0 .. i0 + rows} of
     * {@code x} ({@code rows <= 8}), from the packing of {@link #packWeights}: one panel of {@code
     * W^T} at a time, from 8 rows of x read in place; a last partial block from its rows packed
     * into a panel (rows past the batch repeat the last one; their logits are ignored).
     */
    private void logitsBlock(float[] x, int i0, int rows, int d, int ld) {
        float[] w = packedWeights;
        float[] bias = paddedBias;
        float[] xp = packedRows;
        float[] z = logits;
        if (rows == MR) {
            for (int col = 0; col < ld; col += NR) {
                if (NV == 2 && ld - col >= NR) {
                    VectorTiles.tile2Rows(x, i0 * d, d, d, w, col * d, bias, col, 0, z, col, ld);
                } else {
                    VectorTiles.tile1Rows(x, i0 * d, d, d, w, col * d, bias, col, 0, z, col, ld);
                }
            }
        } else {
            packRows(x, i0 * d, d, rows, xp);
            for (int col = 0; col < ld; col += NR) {
                if (NV == 2 && ld - col >= NR) {
                    VectorTiles.tile2(xp, 0, d, w, col * d, bias, col, 0, z, col, ld);
                } else {
                    VectorTiles.tile1(xp, 0, d, w, col * d, bias, col, 0, z, col, ld);
                }
            }
        }
    }

    /**
     * The forward pass for heads of at most {@code LANES} actions, {@code LANES} rows at a time:
     * the logits of the rows (one vector each, from the same register tiles) are transposed into
     * one vector per action with a lane per row, so that the softmax is lane-wise arithmetic over
     * the actions, with no reduction across lanes and one vector logarithm for all the rows. A row
     * per vector would spend most of its time in lane reductions and a scalar logarithm: with 10
     * actions that cost 3 times the GEMM.
     */
    private void forwardNarrow(HeadBatch b) {
        int batch = b.rows;
        int d = b.features;
        int n = b.actions;
        float[] x = b.x;
        int[] chosen = b.chosen;
        int actionOffset = b.actionOffset;
        int actionStride = b.actionStride;
        float[] probs = b.probabilities;
        logits = ensure(logits, LANES * LANES);
        packedRows = ensure(packedRows, MR * d);
        transposed = ensure(transposed, (LANES + 4) * LANES);
        float[] w = packedWeights;
        float[] bias = paddedBias;
        float[] xp = packedRows;
        float[] z = logits;
        float[] zt = transposed;
        for (int l = 0; l < LANES; l++) {
            rowStarts[l] = l * n;
        }
        for (int i0 = 0; i0 < batch; i0 += LANES) {
            int rows = Math.min(LANES, batch - i0);
            for (int r0 = 0; r0 < rows; r0 += MR) {
                int tileRows = Math.min(MR, rows - r0);
                if (tileRows == MR) {
                    VectorTiles.tile1Rows(
                            x, (i0 + r0) * d, d, d, w, 0, bias, 0, 0, z, r0 * LANES, LANES);
                } else {
                    packRows(x, (i0 + r0) * d, d, tileRows, xp);
                    VectorTiles.tile1(xp, 0, d, w, 0, bias, 0, 0, z, r0 * LANES, LANES);
                }
            }
            // zt[a * LANES + l] = z of row l, action a, and after the n action rows the chosen
            // action's logit; lanes past the rows repeat the last row
            int chosenRow = n * LANES;
            if (INDEXED) {
                for (int l = rows; l < LANES; l++) {
                    System.arraycopy(z, (rows - 1) * LANES, z, l * LANES, LANES);
                }
                for (int l = 0; l < LANES; l++) {
                    int r = Math.min(l, rows - 1);
                    chosenAt[l] = l * LANES + chosen[actionOffset + (i0 + r) * actionStride];
                }
                for (int a = 0; a < n; a++) {
                    FloatVector.fromArray(SPECIES, z, a, ROW_STARTS, 0).intoArray(zt, a * LANES);
                }
                FloatVector.fromArray(SPECIES, z, 0, chosenAt, 0).intoArray(zt, chosenRow);
            } else {
                for (int l = 0; l < LANES; l++) {
                    int r = Math.min(l, rows - 1);
                    int from = r * LANES;
                    for (int a = 0; a < n; a++) {
                        zt[a * LANES + l] = z[from + a];
                    }
                    zt[chosenRow + l] = z[from + chosen[actionOffset + (i0 + r) * actionStride]];
                }
            }
            narrowSoftmax(zt, n);
            if (INDEXED && rows == LANES) {
                for (int a = 0; a < n; a++) {
                    FloatVector.fromArray(SPECIES, zt, a * LANES)
                            .intoArray(probs, i0 * n + a, rowStarts, 0);
                }
            } else {
                for (int l = 0; l < rows; l++) {
                    int to = (i0 + l) * n;
                    for (int a = 0; a < n; a++) {
                        probs[to + a] = zt[a * LANES + l];
                    }
                }
            }
            int logProbRow = chosenRow + LANES;
            int entropyRow = logProbRow + LANES;
            System.arraycopy(zt, logProbRow, b.logProbChosen, i0, rows);
            System.arraycopy(zt, entropyRow, b.entropy, i0, rows);
        }
    }

    /**
     * The softmax of {@code LANES} rows held transposed in {@code zt} (see {@link #forwardNarrow}),
     * lane-wise, with the formulas of {@link #softmaxBlock}: rows {@code a < n} of {@code zt}
     * become the probabilities; row {@code n} holds the chosen action's logit, and rows {@code n +
     * 1} and {@code n + 2} receive its {@code log p} and the entropy (row {@code n + 3} is
     * scratch).
     *
     * <p>It calls nothing but the Vector API (whose methods C2 always inlines) and methods that
     * take arrays, with the logarithm written out: C2 inlines a helper of this size only where the
     * caller has a call-site profile, and a caller first compiled at tier 2 (when the C2 queue is
     * long) has none. A helper that takes or returns a vector then stays a call that boxes it: with
     * {@code exp2} and {@code log} helpers, half of the runs allocated 30 KB per batch at 256x32x10
     * and ran 1.5x slower. For the same reason no loop-carried vector is the receiver of a call
     * (its type is not exact without a profile).
     */
    private static void narrowSoftmax(float[] zt, int n) {
        FloatVector max = FloatVector.fromArray(SPECIES, zt, 0);
        for (int a = 1; a < n; a++) {
            max = FloatVector.fromArray(SPECIES, zt, a * LANES).max(max);
        }
        int chosenRow = n * LANES;
        int maxRow = chosenRow + LANES;
        int sumRow = maxRow + LANES;
        // a loop-carried vector is no receiver (see above): max(row 0, max) is max
        FloatVector.fromArray(SPECIES, zt, 0).max(max).intoArray(zt, maxRow);
        exponentials(zt, 0, chosenRow, zt, maxRow, zt, sumRow);
        FloatVector sum = FloatVector.fromArray(SPECIES, zt, sumRow);
        FloatVector weighted = FloatVector.fromArray(SPECIES, zt, sumRow + LANES);
        FloatVector inverse = FloatVector.broadcast(SPECIES, 1f).div(sum);
        for (int a = 0; a < n; a++) {
            FloatVector.fromArray(SPECIES, zt, a * LANES).mul(inverse).intoArray(zt, a * LANES);
        }
        // ln S for S >= 1: S = m 2^k with m in [3/4, 3/2) taken from the bits (k + 2^23 + 127
        // is exact as a float), then a degree-7 polynomial in m - 1 (absolute error 2.2e-7: the
        // native kernel's v_log, which takes m with getmant)
        IntVector bits = sum.reinterpretAsInts();
        FloatVector m = bits.and(0x007fffff).or(0x3f800000).reinterpretAsFloats();
        FloatVector k =
                bits.lanewise(VectorOperators.LSHR, 23)
                        .or(0x4b000000)
                        .reinterpretAsFloats()
                        .sub(8388735f);
        VectorMask<Float> high = m.compare(VectorOperators.GE, 1.5f);
        m = m.blend(m.mul(0.5f), high);
        k = k.blend(k.add(1f), high);
        FloatVector g = m.sub(1f);
        FloatVector l = FloatVector.broadcast(SPECIES, 7.937867194414139e-2f);
        l = l.fma(g, FloatVector.broadcast(SPECIES, -1.6684120893478394e-1f));
        l = l.fma(g, FloatVector.broadcast(SPECIES, 2.0778204500675201e-1f));
        l = l.fma(g, FloatVector.broadcast(SPECIES, -2.509261667728424e-1f));
        l = l.fma(g, FloatVector.broadcast(SPECIES, 3.3307188749313354e-1f));
        l = l.fma(g, FloatVector.broadcast(SPECIES, -4.999735653400421e-1f));
        l = l.fma(g, FloatVector.broadcast(SPECIES, 1.000002384185791f));
        FloatVector logSum = k.fma(FloatVector.broadcast(SPECIES, LN2), l.mul(g));
        FloatVector.fromArray(SPECIES, zt, chosenRow).sub(max).sub(logSum).intoArray(zt, maxRow);
        logSum.sub(weighted.mul(inverse).mul(LN2)).max(0f).intoArray(zt, sumRow);
    }

    /**
     * Packs the 8 rows {@code a[base + min(r, rows - 1) * depth + k]}, {@code r < 8}, {@code k <
     * depth} (rows past {@code rows} repeat the last one) into {@code panel[k * 8 + r]}.
     */
    private static void packRows(float[] a, int base, int depth, int rows, float[] panel) {
        for (int r = 0; r < MR; r++) {
            int source = base + Math.min(r, rows - 1) * depth;
            for (int k = 0; k < depth; k++) {
                panel[k * MR + r] = a[source + k];
            }
        }
    }

    /**
     * Packs 8 adjacent columns {@code A(r, k) = a[base + k * rowStep + r]}, {@code r < columns}
     * (later ones repeat column {@code columns - 1}), {@code k < depth}, into {@code panel[out + k
     * * 8 + r]}: 8 contiguous floats read and written per {@code k}.
     */
    private static void packColumns(
            float[] a, int base, int rowStep, int columns, int depth, float[] panel, int out) {
        if (columns == MR && LANES >= MR) {
            // one whole vector per row (no call of System.arraycopy per 8 floats): the LANES - 8
            // floats past the panel row land in the next one, which the next step overwrites;
            // the last row's copy stops at 8 floats, so nothing is read past this slice of a
            int last = depth - 1;
            for (int k = 0; k < last; k++) {
                FloatVector.fromArray(SPECIES, a, base + k * rowStep)
                        .intoArray(panel, out + k * MR);
            }
            System.arraycopy(a, base + last * rowStep, panel, out + last * MR, MR);
        } else if (columns == MR) {
            for (int k = 0; k < depth; k++) {
                System.arraycopy(a, base + k * rowStep, panel, out + k * MR, MR);
            }
        } else {
            for (int k = 0; k < depth; k++) {
                for (int r = 0; r < MR; r++) {
                    panel[out + k * MR + r] = a[base + k * rowStep + Math.min(r, columns - 1)];
                }
            }
        }
    }

    /**
     * Packs {@code W^T} into {@link #packedWeights}: the panel of columns {@code [a0, a0 + w)}
     * ({@code w = NR}, or {@code LANES} for an odd last vector) is the {@code d x w} block at
     * {@code a0 * d}, row {@code k} holding {@code W[a0 .. a0 + w)[k]}, zero past {@code n}; and
     * the bias into {@link #paddedBias}, {@link #PADDING} past {@code n}.
     */
    private void packWeights(int d, int n, int ld, float[] params, int weightOffset, int bias) {
        packedWeights = ensure(packedWeights, d * ld);
        paddedBias = ensure(paddedBias, ld);
        float[] w = packedWeights;
        for (int a0 = 0; a0 < ld; a0 += NR) {
            int width = Math.min(NR, ld - a0);
            int block = a0 * d;
            for (int c = 0; c < width; c++) {
                int a = a0 + c;
                if (a < n) {
                    int source = weightOffset + a * d;
                    for (int k = 0; k < d; k++) {
                        w[block + k * width + c] = params[source + k];
                    }
                } else {
                    for (int k = 0; k < d; k++) {
                        w[block + k * width + c] = 0f;
                    }
                }
            }
        }
        System.arraycopy(params, bias, paddedBias, 0, n);
        Arrays.fill(paddedBias, n, ld, PADDING);
    }

    /**
     * Softmax of the first {@code rows} rows of the logits block {@code z} (row stride {@code ld};
     * padding columns hold about {@link #PADDING}) into rows {@code i0 ..} of the batch's
     * probabilities, with one exponential per logit: {@code e = 2^u} with {@code u = (z - max)
     * log2(e)} (see {@link #exponentials}; kept in {@code z}), {@code S = sum e}, {@code T = sum e
     * u}; then {@code p = e / S}, {@code log p_a = (z_a - max) - ln S} and {@code H = ln S - ln(2)
     * T / S} (two non-negative terms, no cancellation). Each of the three passes runs over all rows
     * before the next starts, so that the rows' reductions overlap.
     */
    private void softmaxBlock(float[] z, int rows, int ld, int i0, HeadBatch b) {
        int n = b.actions;
        float[] stats = rowStats;
        for (int r = 0; r < rows; r++) {
            int i = i0 + r;
            stats[r] = z[r * ld + b.chosen[b.actionOffset + i * b.actionStride]];
            stats[MR + r] = rowMax(z, r * ld, ld);
        }
        float[] sums = rowSums;
        for (int r = 0; r < rows; r++) {
            FloatVector.broadcast(SPECIES, stats[MR + r]).intoArray(sums, 2 * MR * LANES);
            exponentials(z, r * ld, r * ld + ld, sums, 2 * MR * LANES, sums, 2 * r * LANES);
        }
        for (int r = 0; r < rows; r++) {
            int i = i0 + r;
            float sum = laneSum(sums, 2 * r * LANES);
            float weighted = laneSum(sums, (2 * r + 1) * LANES);
            float inverse = 1f / sum;
            scaleInto(z, r * ld, n, inverse, b.probabilities, i * n);
            float logSum = (float) Math.log(sum);
            b.logProbChosen[i] = (stats[r] - stats[MR + r]) - logSum;
            b.entropy[i] = Math.max(0f, logSum - LN2 * weighted * inverse);
        }
    }

    /** The maximum of {@code z[row .. row + ld)}. */
    private static float rowMax(float[] z, int row, int ld) {
        int end = row + ld;
        FloatVector max0 = FloatVector.broadcast(SPECIES, PADDING);
        FloatVector max1 = max0;
        int a = row;
        // loop-carried vectors as arguments, not receivers (see narrowSoftmax)
        for (; a + 2 * LANES <= end; a += 2 * LANES) {
            max0 = FloatVector.fromArray(SPECIES, z, a).max(max0);
            max1 = FloatVector.fromArray(SPECIES, z, a + LANES).max(max1);
        }
        if (a < end) {
            max0 = FloatVector.fromArray(SPECIES, z, a).max(max0);
        }
        return FloatVector.broadcast(SPECIES, PADDING)
                .max(max0)
                .max(max1)
                .reduceLanes(VectorOperators.MAX);
    }

    /**
     * Replaces the vectors of {@code z[from .. end)} by {@code e = 2^u}, {@code u = max((z - m)
     * log2(e), -126)} with {@code m} the vector at {@code max[maxAt]}, and stores the lane-wise
     * sums {@code S = sum e} at {@code out[outAt]} and {@code T = sum e u} (log2 units) at {@code
     * out[outAt + LANES]}. The clamp keeps {@code 2^u} normal: a logit more than 87 below the
     * maximum (and a padding column) gets {@code e = 2^-126} instead of less, which changes {@code
     * S >= 1} and {@code T} by less than one part in 10^36.
     *
     * <p>{@code 2^u} is inline (a call to the JDK's vector {@code exp} spills every vector
     * register, and a helper method would box its vectors where C2 does not inline it, see {@link
     * #narrowSoftmax}): {@code u = i + f} with {@code i} the nearest integer (added to 1.5 * 2^23,
     * the integer lands in the low mantissa bits) and {@code |f| <= 1/2}; a degree-5 minimax
     * polynomial for {@code 2^f} (relative error 7.7e-8, 2.3e-7 evaluated in float32) times {@code
     * 2^i} built in the exponent bits. (The native AVX-512 kernel splits at the floor instead, with
     * {@code vreduceps} and {@code vscalefps}, and a polynomial for [0, 1).)
     */
    private static void exponentials(
            float[] z, int from, int end, float[] max, int maxAt, float[] out, int outAt) {
        FloatVector m = FloatVector.fromArray(SPECIES, max, maxAt);
        FloatVector sum = FloatVector.zero(SPECIES);
        FloatVector weighted = FloatVector.zero(SPECIES);
        for (int a = from; a < end; a += LANES) {
            FloatVector u =
                    FloatVector.fromArray(SPECIES, z, a).sub(m).mul(LOG2E).max(MIN_EXPONENT);
            FloatVector shifted = u.add(ROUNDER);
            FloatVector f = u.sub(shifted.sub(ROUNDER));
            FloatVector y = FloatVector.broadcast(SPECIES, 1.3277939288e-3f);
            y = y.fma(f, FloatVector.broadcast(SPECIES, 9.6757579595e-3f));
            y = y.fma(f, FloatVector.broadcast(SPECIES, 5.5507097393e-2f));
            y = y.fma(f, FloatVector.broadcast(SPECIES, 2.4022114277e-1f));
            y = y.fma(f, FloatVector.broadcast(SPECIES, 6.9314694405e-1f));
            y = y.fma(f, FloatVector.broadcast(SPECIES, 1.0000001192f));
            // bits(shifted) = bits(1.5 * 2^23) + i, and bits(1.5 * 2^23) << 23 overflows to 0
            FloatVector e =
                    y.mul(
                            shifted.reinterpretAsInts()
                                    .add(127)
                                    .lanewise(VectorOperators.LSHL, 23)
                                    .reinterpretAsFloats());
            e.intoArray(z, a);
            sum = e.add(sum);
            weighted = e.fma(u, weighted);
        }
        // loop-carried vectors as arguments, not receivers (see narrowSoftmax): 0 + v is v
        FloatVector zero = FloatVector.zero(SPECIES);
        zero.add(sum).intoArray(out, outAt);
        zero.add(weighted).intoArray(out, outAt + LANES);
    }

    /**
     * The sum of the lanes of the vector at {@code a[at]} as a tree of lane swaps and additions: C2
     * compiles {@code reduceLanes(ADD)} of floats to one lane after the other, a chain of 16
     * dependent additions with 512-bit vectors. The receiver of each step is a fresh vector ({@code
     * 0 + v}), not the loop-carried one, so that C2 boxes nothing without a profile (see {@link
     * #narrowSoftmax}).
     */
    private static float laneSum(float[] a, int at) {
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector v = FloatVector.fromArray(SPECIES, a, at);
        for (VectorShuffle<Float> swap : HALVES) {
            FloatVector w = zero.add(v);
            v = w.add(w.rearrange(swap));
        }
        return zero.add(v).lane(0);
    }

    /** {@code out[to + a] = z[row + a] * factor} for {@code a < n}. */
    private static void scaleInto(float[] z, int row, int n, float factor, float[] out, int to) {
        int whole = n / LANES * LANES;
        int a = 0;
        for (; a < whole; a += LANES) {
            FloatVector.fromArray(SPECIES, z, row + a).mul(factor).intoArray(out, to + a);
        }
        for (; a < n; a++) {
            out[to + a] = z[row + a] * factor;
        }
    }

    @Override
    public void backward(HeadBatch b) {
        int batch = b.rows;
        int d = b.features;
        int n = b.actions;
        float[] probs = b.probabilities;
        float[] coefficients = b.coefficients;
        float[] entropy = b.entropy;
        float entropyBonus = b.entropyBonus;
        int[] chosen = b.chosen;
        int actionOffset = b.actionOffset;
        int actionStride = b.actionStride;
        int ld = paddedActions(n);
        int blockRows = Math.min(BACKWARD_ROWS, batch);
        int groups = (d + MR - 1) / MR;
        logitGradient = ensure(logitGradient, blockRows * ld);
        packedRows = ensure(packedRows, blockRows * groups * MR);
        biasGradient = ensure(biasGradient, ld);
        weightGradientT = ensure(weightGradientT, groups * MR * ld);
        float[] values = b.rewardModel == null ? null : b.actionValues;
        float[] g = logitGradient;
        float[] xp = packedRows;
        float[] gb = biasGradient;
        float[] gwT = weightGradientT;
        Arrays.fill(gb, 0, ld, 0f);
        for (int i0 = 0; i0 < batch; i0 += BACKWARD_ROWS) {
            int rows = Math.min(BACKWARD_ROWS, batch - i0);
            if (ld == LANES) {
                narrowGradientRows(b, values, i0, rows, g, gb);
            }
            for (int r = 0; ld > LANES && r < rows; r++) {
                int i = i0 + r;
                float c = coefficients[i];
                float reference = 0f;
                float expected = 0f;
                if (values != null) {
                    reference = values[i * n];
                    expected = shiftedDot(probs, values, i * n, n, reference);
                }
                gradientRow(
                        probs,
                        values,
                        i * n,
                        n,
                        batch * n,
                        g,
                        r,
                        rows,
                        ld,
                        c,
                        c + expected,
                        reference,
                        entropyBonus,
                        entropy[i],
                        chosen[actionOffset + i * actionStride],
                        gb);
            }
            // X^T of these rows as 8-feature panels, A(j, k) = x[(i0 + k) * d + j], the panel of
            // features [j0, j0 + 8) at j0 * rows (features past d repeat the last one).
            for (int j0 = 0; j0 < d; j0 += MR) {
                packColumns(b.x, i0 * d + j0, d, Math.min(MR, d - j0), rows, xp, j0 * rows);
            }
            weightGradientBlock(xp, rows, d, g, ld, gwT, i0 == 0);
        }
        for (int a = 0; a < n; a++) {
            b.gradient[b.biasOffset + a] = gb[a] * b.scale;
        }
        transposeScaled(d, n, ld, gwT, b.scale, b.gradient, b.weightOffset);
    }

    /**
     * The logit gradient of row {@code r} of a block of {@code rows} rows, {@code g_a = c (1[a =
     * action] - p_a) - beta p_a (log p_a + H)} (the entropy term taken as 0 where {@code p}
     * underflowed to 0; finite values that nothing reads in padding columns), stored in column
     * strips (the strip of columns {@code [col, col + width)}, {@code col} a multiple of {@code NR}
     * and {@code width = min(NR, ld - col)}, is the {@code rows x width} row-major block at {@code
     * col * rows}) and added to {@code gb}. The one-hot term is added inside the vector that holds
     * the action: a scalar read-modify-write of a vector just stored would stall on store
     * forwarding.
     *
     * <p>With action values ({@code values} not null), {@code g_a} gets {@code p_a ((q_a -
     * reference) - s)} more, where {@code s = sum_b p_b (q_b - reference)} is passed inside {@code
     * shifted = c + s} (see {@link #shiftedDot}); without, {@code shifted = c}.
     */
    private void gradientRow(
            float[] probs,
            float[] values,
            int from,
            int n,
            int limit,
            float[] g,
            int r,
            int rows,
            int ld,
            float c,
            float shifted,
            float reference,
            float beta,
            float h,
            int action,
            float[] gb) {
        int whole = n / LANES * LANES;
        for (int col = 0; col < ld; col += NR) {
            int width = Math.min(NR, ld - col);
            int out = col * rows + r * width - col;
            for (int a = col; a < col + width; a += LANES) {
                FloatVector p;
                if (a < whole) {
                    p = FloatVector.fromArray(SPECIES, probs, from + a);
                } else if (from + a + LANES <= limit) {
                    // The partial last vector: a whole load inside the batch's probabilities,
                    // whose lanes past n hold the next row's first ones (finite): they only
                    // reach padding columns of g and gb, which nothing reads.
                    p = FloatVector.fromArray(SPECIES, probs, from + a);
                } else {
                    // The last row's partial vector, through a zero-padded copy.
                    float[] copy = tailScratch;
                    for (int l = 0; l < LANES; l++) {
                        copy[l] = a + l < n ? probs[from + a + l] : 0f;
                    }
                    p = FloatVector.fromArray(SPECIES, copy, 0);
                }
                FloatVector ga = p.mul(-shifted);
                if (values != null) {
                    // loaded as p is (lanes past the row: the next row's values, or zeros)
                    FloatVector q;
                    if (from + a + LANES <= limit) {
                        q = FloatVector.fromArray(SPECIES, values, from + a);
                    } else {
                        float[] copy = valueTailScratch;
                        for (int l = 0; l < LANES; l++) {
                            copy[l] = a + l < n ? values[from + a + l] : 0f;
                        }
                        q = FloatVector.fromArray(SPECIES, copy, 0);
                    }
                    ga = p.fma(q.sub(reference), ga);
                }
                if (beta != 0f) {
                    VectorMask<Float> positive = p.compare(VectorOperators.GT, 0f);
                    FloatVector logP =
                            p.blend(1f, positive.not()).lanewise(VectorOperators.LOG).add(h);
                    ga = p.mul(-beta).fma(logP, ga);
                }
                int lane = action - a;
                if (lane >= 0 && lane < LANES) {
                    ga = ga.add(FloatVector.fromArray(SPECIES, UNIT, LANES - lane).mul(c));
                }
                ga.intoArray(g, out + a);
                FloatVector.fromArray(SPECIES, gb, a).add(ga).intoArray(gb, a);
            }
        }
    }

    /**
     * {@link #gradientRow} for rows {@code i0 .. i0 + rows} of a head of at most {@code LANES}
     * actions (one vector per row, the block's only column strip), with the bias gradient summed in
     * a register. A row's vector is loaded whole from the probabilities, so its lanes past {@code
     * n} hold the next row's probabilities (finite): they only reach padding columns of {@code g}
     * and {@code gb}, which nothing reads. Rows whose vector would pass the batch's end go through
     * a zero-padded copy.
     */
    private void narrowGradientRows(
            HeadBatch b, float[] values, int i0, int rows, float[] g, float[] gb) {
        int n = b.actions;
        int limit = b.rows * n;
        float[] probs = b.probabilities;
        float[] coefficients = b.coefficients;
        float beta = b.entropyBonus;
        float[] entropy = b.entropy;
        int[] chosen = b.chosen;
        int actionOffset = b.actionOffset;
        int actionStride = b.actionStride;
        FloatVector sum = FloatVector.fromArray(SPECIES, gb, 0);
        for (int r = 0; r < rows; r++) {
            int i = i0 + r;
            int from = i * n;
            FloatVector p;
            if (from + LANES <= limit) {
                p = FloatVector.fromArray(SPECIES, probs, from);
            } else {
                float[] copy = tailScratch;
                for (int l = 0; l < LANES; l++) {
                    copy[l] = l < n ? probs[from + l] : 0f;
                }
                p = FloatVector.fromArray(SPECIES, copy, 0);
            }
            float c = coefficients[i];
            FloatVector ga;
            if (values == null) {
                ga = p.mul(-c);
            } else {
                // the term of gradientRow, the values loaded as p is
                float reference = values[from];
                float shifted = c + shiftedDot(probs, values, from, n, reference);
                FloatVector q;
                if (from + LANES <= limit) {
                    q = FloatVector.fromArray(SPECIES, values, from);
                } else {
                    float[] copy = valueTailScratch;
                    for (int l = 0; l < LANES; l++) {
                        copy[l] = l < n ? values[from + l] : 0f;
                    }
                    q = FloatVector.fromArray(SPECIES, copy, 0);
                }
                ga = p.mul(-shifted);
                ga = p.fma(q.sub(reference), ga);
            }
            if (beta != 0f) {
                VectorMask<Float> positive = p.compare(VectorOperators.GT, 0f);
                FloatVector logP =
                        p.blend(1f, positive.not()).lanewise(VectorOperators.LOG).add(entropy[i]);
                ga = p.mul(-beta).fma(logP, ga);
            }
            int action = chosen[actionOffset + i * actionStride];
            ga = FloatVector.fromArray(SPECIES, UNIT, LANES - action).mul(c).add(ga);
            ga.intoArray(g, r * LANES);
            sum = ga.add(sum);
        }
        // the loop-carried sum as an argument, not a receiver (see narrowSoftmax)
        FloatVector.zero(SPECIES).add(sum).intoArray(gb, 0);
    }

    /**
     * {@code s = sum_a p_a (q_a - reference)} over the {@code n} actions of the row at {@code from}
     * of the probabilities and the action values. Centred on a value of the row, the term {@code
     * p_a ((q_a - reference) - s)} is exactly 0 for a row of equal values (the float sum of {@code
     * p} is not exactly 1), and loses no precision to a large common offset of {@code q}.
     */
    private static float shiftedDot(
            float[] probs, float[] values, int from, int n, float reference) {
        FloatVector sum = FloatVector.zero(SPECIES);
        int a = 0;
        // the loop-carried sum as an argument, not a receiver (see narrowSoftmax)
        for (; a + LANES <= n; a += LANES) {
            FloatVector q = FloatVector.fromArray(SPECIES, values, from + a).sub(reference);
            sum = FloatVector.fromArray(SPECIES, probs, from + a).fma(q, sum);
        }
        float s = FloatVector.zero(SPECIES).add(sum).reduceLanes(VectorOperators.ADD);
        for (; a < n; a++) {
            s += probs[from + a] * (values[from + a] - reference);
        }
        return s;
    }

    /**
     * {@code G_W^T (d x ld) (+)= X^T G} over one block of {@code rows} rows: {@code xp} holds
     * {@code X^T} as 8-feature panels, {@code g} the block in column strips. Strips outside, so
     * that a strip of {@code g} stays in L1 while every feature panel passes. The first block
     * overwrites (the rows of {@code gwT} past {@code d} get unused values).
     */
    private static void weightGradientBlock(
            float[] xp, int rows, int d, float[] g, int ld, float[] gwT, boolean first) {
        for (int col = 0; col < ld; col += NR) {
            int strip = col * rows;
            for (int j0 = 0; j0 < d; j0 += MR) {
                int c0 = j0 * ld + col;
                float[] init = first ? ZEROS : gwT;
                int iBase = first ? 0 : c0;
                int iLd = first ? 0 : ld;
                if (NV == 2 && ld - col >= NR) {
                    VectorTiles.tile2(xp, j0 * rows, rows, g, strip, init, iBase, iLd, gwT, c0, ld);
                } else {
                    VectorTiles.tile1(xp, j0 * rows, rows, g, strip, init, iBase, iLd, gwT, c0, ld);
                }
            }
        }
    }

    /** {@code gradient[offset + a * d + j] = scale * gwT[j * ld + a]}, in blocks of 16 actions. */
    private static void transposeScaled(
            int d, int n, int ld, float[] gwT, float scale, float[] gradient, int offset) {
        for (int a0 = 0; a0 < n; a0 += 16) {
            int a1 = Math.min(n, a0 + 16);
            for (int j = 0; j < d; j++) {
                int source = j * ld;
                for (int a = a0; a < a1; a++) {
                    gradient[offset + a * d + j] = gwT[source + a] * scale;
                }
            }
        }
    }

    /** The row stride of the logits and gradient scratch: {@code n} rounded up to whole vectors. */
    private static int paddedActions(int n) {
        return (n + LANES - 1) / LANES * LANES;
    }

    private static float[] ensure(float[] array, int length) {
        return array.length >= length ? array : new float[length];
    }
}
