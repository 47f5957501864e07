package org.flinkreinforce.cli.bench;

import org.flinkreinforce.model.util.SettingNames;

/** Which kinds of policy {@code bench} learns its events with. */
public enum PolicyKind {
    /** The fixed catalogue: a softmax policy over the shape's actions. */
    SOFTMAX,
    /**
     * Also the same events as ranker events ({@link RankerEvents}), learned by a ranker policy in
     * runs that alternate with the softmax learner's: both rates, and their ratio, in one run.
     */
    RANKER;

    @Override
    public String toString() {
        return SettingNames.name(this);
    }
}
