package org.flinkreinforce.model.kernel;

import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;

/**
 * The reference kernel, written with EJML's dense float matrices: clear rather than fast. Logits
 * are {@code X W^T} ({@link CommonOps_FDRM#multTransB}), the weight gradient {@code G^T X} ({@link
 * CommonOps_FDRM#multTransA}); softmax and entropy run in float64 per row. Action values are the
 * logits' product with the reward model's weights.
 */
public final class EjmlKernel implements GradientKernel {

    public static final String NAME = "ejml";

    private final FMatrixRMaj features = new FMatrixRMaj(1, 1);
    private final FMatrixRMaj weights = new FMatrixRMaj(1, 1);
    private final FMatrixRMaj logits = new FMatrixRMaj(1, 1);
    private final FMatrixRMaj logitGradient = new FMatrixRMaj(1, 1);
    private final FMatrixRMaj weightGradient = new FMatrixRMaj(1, 1);
    private double[] row = new double[0];

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void forward(HeadBatch b) {
        int batch = b.rows;
        int d = b.features;
        int n = b.actions;
        logits.reshape(batch, n);
        if (d > 0) {
            load(features, batch, d, b.x, 0);
            load(weights, n, d, b.params, b.weightOffset);
            CommonOps_FDRM.multTransB(features, weights, logits);
        } else {
            logits.zero();
        }
        if (row.length < n) {
            row = new double[n];
        }
        for (int i = 0; i < batch; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int a = 0; a < n; a++) {
                row[a] = (double) logits.get(i, a) + b.params[b.biasOffset + a];
                max = Math.max(max, row[a]);
            }
            double sum = 0;
            for (int a = 0; a < n; a++) {
                sum += Math.exp(row[a] - max);
            }
            double logNormaliser = max + Math.log(sum);
            double h = 0;
            for (int a = 0; a < n; a++) {
                double logP = row[a] - logNormaliser;
                double p = Math.exp(logP);
                b.probabilities[i * n + a] = (float) p;
                h -= p * logP;
            }
            int action = b.chosen[b.actionOffset + i * b.actionStride];
            b.logProbChosen[i] = (float) (row[action] - logNormaliser);
            b.entropy[i] = (float) h;
        }
    }

    @Override
    public void predict(HeadBatch b) {
        KernelChecks.checkPredict(b);
        int batch = b.rows;
        int d = b.features;
        int n = b.actions;
        float[] model = b.rewardModel;
        logits.reshape(batch, n);
        if (d > 0) {
            load(features, batch, d, b.x, 0);
            load(weights, n, d, model, b.weightOffset);
            CommonOps_FDRM.multTransB(features, weights, logits);
        } else {
            logits.zero();
        }
        for (int i = 0; i < batch; i++) {
            for (int a = 0; a < n; a++) {
                b.actionValues[i * n + a] = logits.get(i, a) + model[b.biasOffset + a];
            }
        }
    }

    @Override
    public void backward(HeadBatch b) {
        int batch = b.rows;
        int d = b.features;
        int n = b.actions;
        float[] probs = b.probabilities;
        float[] values = b.rewardModel == null ? null : b.actionValues;
        float beta = b.entropyBonus;
        logitGradient.reshape(batch, n);
        for (int i = 0; i < batch; i++) {
            double c = b.coefficients[i];
            int action = b.chosen[b.actionOffset + i * b.actionStride];
            // p (q - p.q) from q less the row's first value: exactly 0 for a row of equal values
            double reference = values == null ? 0 : values[i * n];
            double expected = 0;
            for (int a = 0; values != null && a < n; a++) {
                expected += probs[i * n + a] * (values[i * n + a] - reference);
            }
            for (int a = 0; a < n; a++) {
                double p = probs[i * n + a];
                double g = c * ((a == action ? 1.0 : 0.0) - p);
                if (beta != 0 && p > 0) {
                    g -= beta * p * (Math.log(p) + b.entropy[i]);
                }
                if (values != null) {
                    g += p * ((values[i * n + a] - reference) - expected);
                }
                probs[i * n + a] = (float) g;
                logitGradient.set(i, a, (float) g);
            }
        }
        if (d > 0) {
            load(features, batch, d, b.x, 0);
            weightGradient.reshape(n, d);
            CommonOps_FDRM.multTransA(logitGradient, features, weightGradient);
            CommonOps_FDRM.scale(b.scale, weightGradient);
            System.arraycopy(weightGradient.data, 0, b.gradient, b.weightOffset, n * d);
        }
        for (int a = 0; a < n; a++) {
            double sum = 0;
            for (int i = 0; i < batch; i++) {
                sum += logitGradient.get(i, a);
            }
            b.gradient[b.biasOffset + a] = (float) (b.scale * sum);
        }
    }

    private static void load(FMatrixRMaj matrix, int rows, int cols, float[] source, int offset) {
        matrix.reshape(rows, cols);
        System.arraycopy(source, offset, matrix.data, 0, rows * cols);
    }
}
