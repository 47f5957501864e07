package org.flinkreinforce.model.kernel;

/**
 * The kernel math as plain float64 loops, the reference every {@link GradientKernel} is checked
 * against. Results are its fields; the batch is left untouched. With a reward model, {@link
 * #actionValues} are its predictions, and the gradients get {@code p_ia (q_ia - sum_b p_ib q_ib)}
 * with {@code q} read from the batch's {@link HeadBatch#actionValues()}, as the backward pass reads
 * it (so that the backward pass is checked apart from the kernel's own predictions).
 */
final class NaiveKernel {

    final double[] probabilities;
    final double[] logProbChosen;
    final double[] entropy;
    final double[] weightGradient;
    final double[] biasGradient;

    /** {@code q = V x + c} of the reward model, row-major; empty without one. */
    final double[] actionValues;

    /**
     * Reads the inputs of {@code b}: features, parameters, actions, coefficients, beta, scale, and
     * with a reward model the model and the batch's action values.
     */
    NaiveKernel(HeadBatch b) {
        int batch = b.rows;
        int d = b.features;
        int n = b.actions;
        float[] x = b.x;
        double beta = b.entropyBonus;
        probabilities = new double[batch * n];
        logProbChosen = new double[batch];
        entropy = new double[batch];
        weightGradient = new double[n * d];
        biasGradient = new double[n];
        float[] model = b.rewardModel;
        actionValues = new double[model == null ? 0 : batch * n];
        for (int i = 0; model != null && i < batch; i++) {
            for (int a = 0; a < n; a++) {
                double sum = model[b.biasOffset + a];
                for (int j = 0; j < d; j++) {
                    sum += (double) model[b.weightOffset + a * d + j] * x[i * d + j];
                }
                actionValues[i * n + a] = sum;
            }
        }
        double[] params = new double[b.params.length];
        for (int k = 0; k < params.length; k++) {
            params[k] = b.params[k];
        }
        double[] z = new double[n];
        for (int i = 0; i < batch; i++) {
            double logNormaliser = logits(b, params, i, z);
            int action = b.chosen[b.actionOffset + i * b.actionStride];
            logProbChosen[i] = z[action] - logNormaliser;
            double h = 0;
            for (int a = 0; a < n; a++) {
                double logP = z[a] - logNormaliser;
                double p = Math.exp(logP);
                probabilities[i * n + a] = p;
                h -= p * logP;
            }
            entropy[i] = h;
            double expectedValue = 0;
            for (int a = 0; model != null && a < n; a++) {
                expectedValue += probabilities[i * n + a] * b.actionValues()[i * n + a];
            }
            for (int a = 0; a < n; a++) {
                double p = probabilities[i * n + a];
                double logP = z[a] - logNormaliser;
                double g = b.coefficients[i] * ((a == action ? 1 : 0) - p);
                g -= beta * p * (logP + h);
                if (model != null) {
                    g += p * (b.actionValues()[i * n + a] - expectedValue);
                }
                biasGradient[a] += b.scale * g;
                for (int j = 0; j < d; j++) {
                    weightGradient[a * d + j] += b.scale * g * x[i * d + j];
                }
            }
        }
    }

    /**
     * The logits {@code z_a = b_a + sum_j W_aj x_ij} of row {@code i} of {@code b} under {@code
     * params} (laid out like the batch's parameters) into {@code z}, in float64; returns their
     * log-normaliser {@code log sum_a exp z_a}.
     */
    static double logits(HeadBatch b, double[] params, int i, double[] z) {
        int n = b.actions;
        int d = b.features;
        double max = Double.NEGATIVE_INFINITY;
        for (int a = 0; a < n; a++) {
            double sum = params[b.biasOffset + a];
            for (int j = 0; j < d; j++) {
                sum += params[b.weightOffset + a * d + j] * b.x[i * d + j];
            }
            z[a] = sum;
            max = Math.max(max, sum);
        }
        double total = 0;
        for (int a = 0; a < n; a++) {
            total += Math.exp(z[a] - max);
        }
        return max + Math.log(total);
    }
}
