package org.flinkreinforce.model.optim;

import org.flinkreinforce.model.util.SettingNames;

/** The update rule of the policy parameters. */
public enum OptimizerKind {
    /** Stochastic gradient ascent, with optional heavy-ball momentum. */
    SGD,
    /** Adam (Kingma and Ba 2015), for ascent. */
    ADAM;

    @Override
    public String toString() {
        return SettingNames.name(this);
    }
}
