package org.flinkreinforce.model.optim;

/**
 * Gradient ascent with momentum: with the clipped direction {@code d = (g - l2 theta) clip}, the
 * velocity {@code u' = momentum u + d} and {@code theta' = theta + rate_t u'}, {@code rate_t} the
 * schedule's step size after {@code t} updates ({@link OptimizerSettings#learningRate(long)}).
 */
final class SgdRule extends UpdateRule {

    SgdRule(OptimizerSettings settings, int size) {
        super(settings, size);
    }

    @Override
    String implementation() {
        return "java";
    }

    @Override
    boolean propose(float[] parameters, float[] gradient, OptimizerState state, double clip) {
        Candidate next = this.next;
        double l2 = settings.l2();
        double rate = settings.learningRate(state.steps);
        double momentum = settings.momentum();
        float nonFinite = 0f;
        for (int k = 0; k < parameters.length; k++) {
            double direction = (gradient[k] - l2 * parameters[k]) * clip;
            double velocity = momentum * state.first[k] + direction;
            float first = (float) velocity;
            float parameter = (float) (parameters[k] + rate * velocity);
            next.first[k] = first;
            next.parameters[k] = parameter;
            // x * 0 is 0 for every finite x and NaN for NaN and infinities: no branch per value.
            nonFinite += first * 0f + parameter * 0f;
        }
        return !Float.isNaN(nonFinite);
    }
}
