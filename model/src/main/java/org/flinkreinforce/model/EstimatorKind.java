package org.flinkreinforce.model;

import org.flinkreinforce.model.util.SettingNames;

/** Which unbiased policy-gradient estimate a batch gives. */
public enum EstimatorKind {
    /** The score function with the advantage: {@code w A grad log pi(a|x)}. */
    REINFORCE,
    /**
     * Doubly robust: a learned per-action reward model's value of every action, plus the importance
     * weighted correction of the logged action (Dudik, Langford and Li 2011).
     */
    DOUBLY_ROBUST;

    @Override
    public String toString() {
        return SettingNames.name(this);
    }
}
