package org.flinkreinforce.model.ranker;

/**
 * The ranker kernel in plain Java loops: what the JIT makes of a dot product over gathered weights
 * and of a scatter. Always available, and the one a serving {@link RankerPolicy} scores with.
 */
public final class JavaRankerKernel implements RankerKernel {

    public static final String NAME = "java";

    public static final JavaRankerKernel INSTANCE = new JavaRankerKernel();

    private JavaRankerKernel() {}

    @Override
    public void scores(RankerBatch b) {
        int mask = b.weights.length - 1;
        float[] weights = b.weights;
        float[] other = b.otherWeights;
        int[] indices = b.indices;
        float[] values = b.values;
        int start = 0;
        for (int k = 0; k < b.candidates; k++) {
            int end = b.ends[k];
            double score = 0;
            if (other == null) {
                for (int j = start; j < end; j++) {
                    score += (double) weights[indices[j] & mask] * values[j];
                }
            } else {
                double otherScore = 0;
                for (int j = start; j < end; j++) {
                    int index = indices[j] & mask;
                    float value = values[j];
                    score += (double) weights[index] * value;
                    otherScore += (double) other[index] * value;
                }
                b.otherScores[k] = otherScore;
            }
            b.scores[k] = score;
            start = end;
        }
    }

    @Override
    public void scatter(RankerBatch b) {
        int mask = b.gradient.length - 1;
        int start = 0;
        for (int k = 0; k < b.candidates; k++) {
            int end = b.ends[k];
            double coefficient = b.coefficients[k];
            if (coefficient != 0) {
                add(b, b.gradient, coefficient, start, end, mask);
            }
            if (b.modelGradient != null && b.modelCoefficients[k] != 0) {
                add(b, b.modelGradient, b.modelCoefficients[k], start, end, mask);
            }
            start = end;
        }
    }

    private static void add(
            RankerBatch b, float[] gradient, double coefficient, int start, int end, int mask) {
        int[] indices = b.indices;
        float[] values = b.values;
        long[] bits = b.touchedBits;
        int[] touched = b.touched;
        int count = b.touchedCount;
        for (int j = start; j < end; j++) {
            int index = indices[j] & mask;
            gradient[index] += (float) (coefficient * values[j]);
            long bit = 1L << index;
            int word = index >>> 6;
            if ((bits[word] & bit) == 0) {
                bits[word] |= bit;
                touched[count++] = index;
            }
        }
        b.touchedCount = count;
    }

    @Override
    public String toString() {
        return NAME;
    }
}
