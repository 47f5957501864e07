package org.flinkreinforce.model.optim;

/**
 * Scratch for the outcome of one optimizer step, written by an {@link UpdateRule} and copied over
 * the parameters and {@link OptimizerState} only once every value is known to be finite.
 */
final class Candidate {

    final float[] parameters;
    final float[] first;

    /** Adam's second moment; empty for SGD. */
    final float[] second;

    Candidate(OptimizerKind kind, int size) {
        this.parameters = new float[size];
        this.first = new float[size];
        this.second = new float[kind == OptimizerKind.ADAM ? size : 0];
    }

    /** Copies this candidate over {@code parameters} and {@code state}, and counts the step. */
    void commit(float[] parameters, OptimizerState state) {
        System.arraycopy(this.parameters, 0, parameters, 0, this.parameters.length);
        System.arraycopy(first, 0, state.first, 0, first.length);
        System.arraycopy(second, 0, state.second, 0, second.length);
        state.steps++;
    }
}
