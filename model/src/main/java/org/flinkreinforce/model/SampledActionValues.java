package org.flinkreinforce.model;

import java.util.Arrays;
import org.flinkreinforce.model.kernel.HeadBatch;

/**
 * The doubly robust all-action term of a head with many actions, from {@code K} actions drawn from
 * the policy instead of all {@code n}: {@code K} rows of the reward model per event instead of
 * {@code n}.
 *
 * <p>The term of row {@code i} is {@code T = sum_a p_a q_a (e_a - p)} (the gradient of {@code sum_a
 * p_a q_a} with respect to the logits, {@code e_a} the unit vector of action {@code a}). It does
 * not change when a constant {@code k} is subtracted from every {@code q_a}, as {@code sum_a p_a
 * (e_a - p) = 0}; here {@code k = q_i,a_i}, the logged action's value, which the correction needs
 * anyway, and {@code q~_a = q_a - k}. With {@code K =} {@link EstimatorSettings#sampledActions}
 * actions {@code b_1..b_K} drawn from {@code p} by systematic sampling (one uniform {@code u};
 * {@code b_k} is where the cumulative probability first exceeds {@code (k - 1 + u) / K}):
 *
 * <pre>
 *   T^ = (1/K) sum_k q~_(b_k) (e_(b_k) - p),   E_u[T^] = T,
 * </pre>
 *
 * <p>unbiased for any reward model, because each {@code (k - 1 + u) / K} is uniform on its stratum
 * and {@code u} is drawn independently of the logged action and reward. An action of probability
 * {@code p_a} is drawn {@code floor(K p_a)} or {@code ceil(K p_a)} times, so where the policy is
 * sure of its actions the estimate is nearly exact; where it is spread out {@code K} draws stand
 * for all actions, which costs variance, not bias.
 *
 * <p>It is handed to the kernel's backward pass as action values {@code q'}, which adds {@code p_c
 * (q'_c - p . q') = sum_a p_a q'_a (e_a - p)}: {@code q'_a = (m_a / K) q~_a / p_a} for an action
 * drawn {@code m_a} times, 0 for the others. The draws are a function of the parameters' version,
 * the head and the row: replaying a batch under the same version draws the same actions.
 */
final class SampledActionValues {

    /**
     * The largest magnitude of {@code q'_a}: finite whatever {@code p_a} (a bound reached only by a
     * draw of probability below about {@code 1e-30 |q~_a|}).
     */
    private static final double LIMIT = 1e30;

    private final int samples;

    /**
     * The batch's reward model rows to read, one entry per (row, distinct drawn action) and one per
     * row for its logged action: the row, the action and the number of draws (0 for the logged
     * action's entry, whose value is the row's shift).
     */
    private final int[] entryRow;

    private final int[] entryAction;
    private final int[] entryHits;

    /** The entries' values {@code q_a}, and their order by action (a counting sort). */
    private final double[] entryValue;

    private final int[] byAction;
    private final int[] actionStart;

    /** Per row, its logged action's entry. */
    private final int[] loggedEntry;

    /** Workspace for a head of {@code actions} actions, batches of up to {@code capacity} rows. */
    SampledActionValues(int capacity, int actions, int samples) {
        this.samples = samples;
        int entries = Math.multiplyExact(capacity, samples + 1);
        this.entryRow = new int[entries];
        this.entryAction = new int[entries];
        this.entryHits = new int[entries];
        this.entryValue = new double[entries];
        this.byAction = new int[entries];
        this.actionStart = new int[actions + 1];
        this.loggedEntry = new int[capacity];
    }

    /**
     * Writes {@code q'} of every row of {@code head} into its {@link HeadBatch#actionValues()} and
     * each row's logged value {@code q_i,a_i} into {@code loggedValues}, from the probabilities of
     * the forward pass and the reward model's parameter vector {@code model}. The reward model's
     * rows are read action by action, each once per batch, so that a row drawn by many events is
     * fetched from memory once.
     */
    void fill(HeadBatch head, MicroBatch batch, float[] model, long version, float[] loggedValues) {
        int n = head.actions;
        int d = head.features;
        float[] p = head.probabilities;
        float[] q = head.actionValues();
        float[] x = batch.features();
        int[] chosen = batch.actions();
        int size = batch.size();
        int entries = 0;
        for (int i = 0; i < size; i++) {
            int row = i * n;
            loggedEntry[i] = entries;
            entries = add(entries, i, chosen[head.actionOffset + i * head.actionStride], 0);
            // The k-th draw is where the cumulative probability first exceeds (k + u) / K. The walk
            // passes over a block of eight actions in one step where no draw falls in it.
            Arrays.fill(q, row, row + n, 0f);
            double u = uniform(version, head.actionOffset, i);
            double cumulative = 0;
            int drawn = 0;
            double next = u / samples;
            int a = 0;
            while (a < n) {
                if (a + 8 <= n) {
                    int k = row + a;
                    double block =
                            (((double) p[k] + p[k + 1]) + ((double) p[k + 2] + p[k + 3]))
                                    + (((double) p[k + 4] + p[k + 5])
                                            + ((double) p[k + 6] + p[k + 7]));
                    if (next >= cumulative + block || drawn == samples) {
                        cumulative += block;
                        a += 8;
                        continue;
                    }
                }
                float pa = p[row + a];
                cumulative += pa;
                int hits = 0;
                while (next < cumulative && drawn < samples) {
                    drawn++;
                    hits++;
                    next = (drawn + u) / samples;
                }
                if (hits > 0) {
                    entries = add(entries, i, a, hits);
                }
                a++;
            }
            if (drawn < samples) {
                // Rounding left the probabilities' sum below the last draws: the last action of
                // positive probability takes them (q' is linear in the number of draws).
                entries = add(entries, i, lastPositive(p, row, n), samples - drawn);
            }
        }
        values(head, model, x, d, n, entries);
        for (int i = 0; i < size; i++) {
            loggedValues[i] = (float) entryValue[loggedEntry[i]];
        }
        for (int e = 0; e < entries; e++) {
            int hits = entryHits[e];
            if (hits > 0) {
                int i = entryRow[e];
                int a = entryAction[e];
                double shifted = entryValue[e] - entryValue[loggedEntry[i]];
                double scaled = (double) hits / samples * shifted / p[i * n + a];
                q[i * n + a] += (float) Math.max(-LIMIT, Math.min(LIMIT, scaled));
            }
        }
    }

    /** The last action of positive probability of the row at {@code row}. */
    private static int lastPositive(float[] p, int row, int n) {
        for (int a = n - 1; a > 0; a--) {
            if (p[row + a] > 0) {
                return a;
            }
        }
        return 0;
    }

    private int add(int entry, int row, int action, int hits) {
        entryRow[entry] = row;
        entryAction[entry] = action;
        entryHits[entry] = hits;
        return entry + 1;
    }

    /** The value of every entry, action by action. */
    private void values(HeadBatch head, float[] model, float[] x, int d, int n, int entries) {
        Arrays.fill(actionStart, 0);
        for (int e = 0; e < entries; e++) {
            actionStart[entryAction[e] + 1]++;
        }
        for (int a = 0; a < n; a++) {
            actionStart[a + 1] += actionStart[a];
        }
        for (int e = 0; e < entries; e++) {
            byAction[actionStart[entryAction[e]]++] = e;
        }
        // actionStart[a] is now where action a's entries end, and so action a + 1's start.
        int from = 0;
        for (int a = 0; a < n; a++) {
            int to = actionStart[a];
            for (int k = from; k < to; k++) {
                int e = byAction[k];
                entryValue[e] = value(head, model, x, entryRow[e] * d, a);
            }
            from = to;
        }
    }

    /**
     * {@code q_a = V_a . x + e_a} of the row of {@code x} at {@code xAt}, in eight partial sums (in
     * float, as the kernels' dot products).
     */
    private static double value(HeadBatch head, float[] model, float[] x, int xAt, int a) {
        int d = head.features;
        int w = head.weightOffset + a * d;
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        float s4 = 0;
        float s5 = 0;
        float s6 = 0;
        float s7 = 0;
        int j = 0;
        for (; j + 8 <= d; j += 8) {
            int m = w + j;
            int v = xAt + j;
            s0 = Math.fma(model[m], x[v], s0);
            s1 = Math.fma(model[m + 1], x[v + 1], s1);
            s2 = Math.fma(model[m + 2], x[v + 2], s2);
            s3 = Math.fma(model[m + 3], x[v + 3], s3);
            s4 = Math.fma(model[m + 4], x[v + 4], s4);
            s5 = Math.fma(model[m + 5], x[v + 5], s5);
            s6 = Math.fma(model[m + 6], x[v + 6], s6);
            s7 = Math.fma(model[m + 7], x[v + 7], s7);
        }
        for (; j < d; j++) {
            s0 = Math.fma(model[w + j], x[xAt + j], s0);
        }
        float sum = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
        return (double) model[head.biasOffset + a] + sum;
    }

    /** A uniform number in [0, 1) from (version, head, row): SplitMix64's finaliser. */
    private static double uniform(long version, int head, int row) {
        long z = version * 0x9E3779B97F4A7C15L + ((long) head << 32) + row + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }
}
