package org.flinkreinforce.model.kernel;

/**
 * Bounds checks of a {@link HeadBatch}, done in Java before native code touches its arrays, so a
 * programmer mistake throws instead of corrupting memory. Action values are checked too: an
 * out-of-range action would index outside a row. The shape, the layout and the workspace arrays are
 * checked when the batch is created (the action values when the first reward model is set); this
 * checks what the setters stored. All kernels check {@link GradientKernel#predict}'s inputs (a
 * missing reward model is an easy mistake), the native kernel those of every call.
 */
final class KernelChecks {

    private KernelChecks() {}

    /** Checks everything the forward or backward pass reads or writes through {@code batch}. */
    static void check(HeadBatch batch) {
        int rows = checkRows(batch);
        int d = batch.features;
        int n = batch.actions;
        checkRange(batch.x, 0, (long) rows * d, "features");
        checkRange(batch.params, batch.weightOffset, (long) n * d, "weights");
        checkRange(batch.params, batch.biasOffset, n, "biases");
        checkRange(batch.gradient, batch.weightOffset, (long) n * d, "weight gradient");
        checkRange(batch.gradient, batch.biasOffset, n, "bias gradient");
        checkActions(rows, n, batch.chosen, batch.actionOffset, batch.actionStride);
        if (batch.rewardModel != null) {
            checkRange(batch.actionValues, 0, (long) rows * n, "action values");
        }
    }

    /** Checks everything {@link GradientKernel#predict} reads or writes through {@code batch}. */
    static void checkPredict(HeadBatch batch) {
        int rows = checkRows(batch);
        int d = batch.features;
        int n = batch.actions;
        if (batch.rewardModel == null) {
            throw new IllegalArgumentException(
                    "The batch has no reward model to predict action values with: call"
                            + " setRewardModel first.");
        }
        checkRange(batch.x, 0, (long) rows * d, "features");
        checkRange(batch.rewardModel, batch.weightOffset, (long) n * d, "reward model weights");
        checkRange(batch.rewardModel, batch.biasOffset, n, "reward model biases");
        checkRange(batch.actionValues, 0, (long) rows * n, "action values");
    }

    private static int checkRows(HeadBatch batch) {
        int rows = batch.rows;
        if (rows < 1 || rows > batch.capacity) {
            throw new IllegalArgumentException(
                    "Invalid kernel batch: " + rows + " rows, capacity " + batch.capacity + ".");
        }
        return rows;
    }

    private static void checkActions(int rows, int n, int[] chosen, int offset, int stride) {
        if (chosen == null || offset + (long) (rows - 1) * stride >= chosen.length) {
            throw new IllegalArgumentException(
                    "The action array is too short for " + rows + " rows.");
        }
        for (int i = 0; i < rows; i++) {
            int action = chosen[offset + i * stride];
            if (action < 0 || action >= n) {
                throw new IllegalArgumentException(
                        "Action " + action + " of row " + i + " is outside [0, " + n + ").");
            }
        }
    }

    private static void checkRange(float[] array, int offset, long length, String what) {
        if (array == null || offset + length > array.length) {
            throw new IllegalArgumentException(
                    "The "
                            + what
                            + " array is too short: needs "
                            + length
                            + " from "
                            + offset
                            + ".");
        }
    }
}
